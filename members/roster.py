"""The member roster as an .xlsx file: reading and validating an import, and writing an export.

The header is fixed (Chinese, as the branches fill it in); ``ROSTER_COLUMNS`` lists it. An import is
validated whole before anything is written: every bad cell is reported by row and column, and a file
with any error imports nothing. Re-importing a member (same ID number, matched through the keyed hash)
updates that member.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from io import BytesIO
from zipfile import BadZipFile

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from orgs.errors import DomainError
from orgs.models import Organization, User
from orgs.selectors import jurisdiction_of

from .identity import clean_phone, parse_id_number
from .models import DuesCategory, Gender, Member, lookup_hash

ROSTER_COLUMNS = [
    # key, header, required
    ("name", "姓名", True),
    ("gender", "性别", False),
    ("id_number", "身份证号", True),
    ("phone", "手机", False),
    ("birth_date", "出生日期", False),
    ("joined_on", "入党日期", True),
    ("status", "党员类别", False),
    ("branch", "所在支部", False),
    ("group", "党小组", False),
    ("is_leading_cadre", "党员领导干部", False),
    ("dues_category", "党费类别", False),
    ("monthly_income", "月收入", False),
]
HEADERS = {key: header for key, header, _required in ROSTER_COLUMNS}
GENDER_WORDS = {"男": Gender.MALE, "女": Gender.FEMALE}
STATUS_WORDS = {
    "正式党员": Member.Status.FULL,
    "正式": Member.Status.FULL,
    "预备党员": Member.Status.PROBATIONARY,
    "预备": Member.Status.PROBATIONARY,
}
YES_WORDS = {"是": True, "否": False, "": False}
DUES_WORDS = {
    "在职": DuesCategory.EMPLOYED,
    "离退休": DuesCategory.RETIREE,
    "农民": DuesCategory.FARMER,
    "学生": DuesCategory.STUDENT,
    "下岗失业": DuesCategory.UNEMPLOYED,
    "低保": DuesCategory.LOW_INCOME,
}
DUES_LABELS = {v: k for k, v in DUES_WORDS.items()}
MAX_REPORTED_ERRORS = 500
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
UPDATE_FIELDS = [
    "name",
    "gender",
    "phone",
    "phone_hash",
    "birth_date",
    "joined_on",
    "branch",
    "group",
    "is_leading_cadre",
    "dues_category",
    "monthly_income",
    "updated_at",
]


@dataclass(frozen=True)
class CellError:
    row: int
    column: str  # the header, e.g. 身份证号
    letter: str  # the spreadsheet column, e.g. C
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "letter": self.letter, "message": self.message}

    def __str__(self) -> str:
        return _("Row %(row)s, column %(letter)s (%(column)s): %(message)s") % self.as_dict()


@dataclass
class RosterRow:
    row: int
    values: dict
    existing_pk: int | None = None
    existing_status: str | None = None


@dataclass
class ValidatedRoster:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    error_count: int = 0

    def add_error(self, error: CellError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)

    @property
    def ok(self) -> bool:
        return self.error_count == 0


class RosterFileError(DomainError):
    """The file as a whole cannot be read (not an .xlsx, no header)."""


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    match = _DATE_RE.match(text)
    if not match:
        raise ValueError(_("Write the date as 2020-07-01."))
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError as exc:
        raise ValueError(_("This date does not exist.")) from exc


def read_rows(data: bytes):
    """Yield (row number, {key: raw value}) from the first sheet; checks the header first."""
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise RosterFileError(_("The file is not an .xlsx workbook."), field="file") from exc
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise RosterFileError(_("The file is empty."), field="file")
    by_header = {_text(h): i for i, h in enumerate(header) if _text(h)}
    missing = [h for key, h, required in ROSTER_COLUMNS if required and h not in by_header]
    if missing:
        raise RosterFileError(
            _("The first row must name the columns; missing: %(cols)s.") % {"cols": "、".join(missing)}, field="file"
        )
    index = {key: by_header[h] for key, h, _required in ROSTER_COLUMNS if h in by_header}
    letters = {key: get_column_letter(i + 1) for key, i in index.items()}
    yield letters
    for number, row in enumerate(rows, start=2):
        if row is None or all(v in (None, "") for v in row):
            continue
        yield number, {key: (row[i] if i < len(row) else None) for key, i in index.items()}
    workbook.close()


class _Resolver:
    """Branch and party-group names to organizations, cached, within the actor's jurisdiction."""

    def __init__(self, actor: User, default_branch: Organization | None):
        self.j = jurisdiction_of(actor)
        self.default_branch = default_branch
        self.branches: dict[str, Organization | ValueError] = {}
        self.groups: dict[int, dict[str, Organization]] = {}

    def branch(self, name: str) -> Organization:
        if not name:
            if self.default_branch is None:
                raise ValueError(_("Name the branch (its full name)."))
            return self.default_branch
        if name not in self.branches:
            # Branch names repeat across the province: look inside the jurisdiction first.
            named = Organization.objects.filter(full_name=name, kind__in=Organization.BRANCH_KINDS)
            matches = list(named.filter(self.j.q("")).order_by("path")[:2])
            if not matches and named.exists():
                self.branches[name] = ValueError(_("This branch is outside your jurisdiction."))
            elif len(matches) != 1:
                self.branches[name] = ValueError(_("No single branch has this name."))
            else:
                self.branches[name] = matches[0]
        branch = self.branches[name]
        if isinstance(branch, ValueError):
            raise branch
        if not (self.j.leads(branch) or self.j.administers(branch)):
            raise ValueError(_("This branch is outside your jurisdiction."))
        return branch

    def group(self, branch: Organization, name: str) -> Organization | None:
        if not name:
            return None
        if branch.pk not in self.groups:
            self.groups[branch.pk] = {
                g.name: g for g in Organization.objects.filter(parent=branch, kind=Organization.Kind.GROUP)
            }
        group = self.groups[branch.pk].get(name)
        if group is None:
            raise ValueError(_("The branch has no party group of this name."))
        return group


def validate(*, actor: User, data: bytes, default_branch: Organization | None = None) -> ValidatedRoster:
    """Read and check every row; nothing is written. Known ID numbers become updates."""
    result = ValidatedRoster()
    resolver = _Resolver(actor, default_branch)
    rows = read_rows(data)
    letters = next(rows)
    seen: dict[str, int] = {}
    today = date.today()

    for number, raw in rows:

        def error(key: str, message: str, number=number) -> None:
            result.add_error(CellError(number, HEADERS[key], letters.get(key, ""), str(message)))

        values: dict = {}
        before = result.error_count
        name = _text(raw.get("name"))
        if not name:
            error("name", _("The name is required."))
        elif len(name) > 50:
            error("name", _("The name is too long."))
        values["name"] = name

        id_raw = raw.get("id_number")
        parsed = None
        if isinstance(id_raw, int | float):
            error("id_number", _("Format the ID number column as text: numbers lose the last digits."))
        else:
            try:
                parsed = parse_id_number(_text(id_raw))
            except DomainError as exc:
                error("id_number", exc.message)
        if parsed is not None:
            values["id_number"] = parsed.value
            values["id_number_hash"] = lookup_hash(parsed.value)
            if values["id_number_hash"] in seen:
                error("id_number", _("The same ID number is on row %(row)s.") % {"row": seen[values["id_number_hash"]]})
            else:
                seen[values["id_number_hash"]] = number

        gender_text = _text(raw.get("gender"))
        if gender_text and gender_text not in GENDER_WORDS:
            error("gender", _("Write 男 or 女."))
        values["gender"] = GENDER_WORDS.get(gender_text) or (parsed.gender if parsed else "")
        if gender_text in GENDER_WORDS and parsed and GENDER_WORDS[gender_text] != parsed.gender:
            error("gender", _("The gender does not match the ID number."))

        try:
            values["phone"] = clean_phone(_text(raw.get("phone")))
        except DomainError as exc:
            error("phone", exc.message)

        for key in ("birth_date", "joined_on"):
            try:
                values[key] = _date(raw.get(key))
            except ValueError as exc:
                error(key, exc)
                values[key] = False  # reported; distinct from an empty cell
        if values["birth_date"] is None and parsed is not None:
            values["birth_date"] = parsed.birth_date
        elif values["birth_date"] and parsed and values["birth_date"] != parsed.birth_date:
            error("birth_date", _("The birth date does not match the ID number."))
        joined = values["joined_on"]
        if joined is None:
            error("joined_on", _("The date of joining is required."))
        elif joined:
            if joined > today:
                error("joined_on", _("The date cannot lie in the future."))
            elif values["birth_date"] and joined <= values["birth_date"]:
                error("joined_on", _("The date of joining must come after the birth date."))

        status_text = _text(raw.get("status"))
        if status_text and status_text not in STATUS_WORDS:
            error("status", _("Write 正式党员 or 预备党员."))
        values["status"] = STATUS_WORDS.get(status_text, Member.Status.FULL)

        try:
            values["branch"] = resolver.branch(_text(raw.get("branch")))
        except ValueError as exc:
            error("branch", exc)
            values["branch"] = None
        if values["branch"] is not None:
            try:
                values["group"] = resolver.group(values["branch"], _text(raw.get("group")))
            except ValueError as exc:
                error("group", exc)

        cadre = _text(raw.get("is_leading_cadre"))
        if cadre not in YES_WORDS:
            error("is_leading_cadre", _("Write 是 or 否."))
        values["is_leading_cadre"] = YES_WORDS.get(cadre, False)

        dues = _text(raw.get("dues_category"))
        if dues and dues not in DUES_WORDS:
            error("dues_category", _("Write one of: %(words)s.") % {"words": "、".join(DUES_WORDS)})
        values["dues_category"] = DUES_WORDS.get(dues, DuesCategory.EMPLOYED)

        income = raw.get("monthly_income")
        values["monthly_income"] = None
        if income not in (None, ""):
            try:
                values["monthly_income"] = Decimal(_text(income)).quantize(Decimal("0.01"))
                if values["monthly_income"] < 0:
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                error("monthly_income", _("Write the monthly income in yuan, e.g. 4500."))

        if result.error_count == before:
            result.rows.append(RosterRow(row=number, values=values))

    if result.error_count == 0 and not result.rows:
        raise RosterFileError(_("The file has no members below the header."), field="file")
    _match_existing(result, resolver, letters)
    return result


def _match_existing(result: ValidatedRoster, resolver: _Resolver, letters: dict) -> None:
    """Attach the members already registered (by ID hash); one outside the jurisdiction is an error."""
    by_hash = {r.values["id_number_hash"]: r for r in result.rows}
    hashes = list(by_hash)
    for start in range(0, len(hashes), 500):
        chunk = hashes[start : start + 500]
        for pk, h, status, joined_on, path in Member.objects.filter(id_number_hash__in=chunk).values_list(
            "pk", "id_number_hash", "status", "joined_on", "branch__path"
        ):
            row = by_hash[h]
            if not any(path.startswith(p) for p in resolver.j.paths) and not resolver.j.is_superuser:
                result.add_error(
                    CellError(
                        row.row,
                        HEADERS["id_number"],
                        letters["id_number"],
                        _("This person is a member of a branch outside your jurisdiction."),
                    )
                )
                continue
            if status != row.values["status"]:
                result.add_error(
                    CellError(
                        row.row,
                        HEADERS["status"],
                        letters.get("status", ""),
                        _("Membership changes only through the probation procedure."),
                    )
                )
                continue
            row.existing_pk, row.existing_status = pk, status
            if status == Member.Status.PROBATIONARY:
                # the probation runs from the recorded vote; a roster cannot move it
                row.values["joined_on"] = joined_on


def workbook_bytes(members, *, full: bool) -> bytes:
    """The roster of ``members`` in the import format. ID numbers and phones are masked unless ``full``
    (which the caller has audited)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("党员名册")
    sheet.append([h for _key, h, _required in ROSTER_COLUMNS])
    gender_words = {v: k for k, v in GENDER_WORDS.items()}
    status_words = {Member.Status.FULL: "正式党员", Member.Status.PROBATIONARY: "预备党员"}
    for m in members:
        sheet.append(
            [
                m.name,
                gender_words.get(m.gender, ""),
                m.id_number if full else m.id_number_masked,
                (m.phone if full else m.phone_masked) or "",
                m.birth_date,
                m.joined_on,
                status_words[m.status],
                m.branch.full_name,
                m.group.name if m.group_id else "",
                "是" if m.is_leading_cadre else "否",
                DUES_LABELS.get(m.dues_category, ""),
                m.monthly_income,
            ]
        )
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def template_bytes() -> bytes:
    """An empty roster with the header, for branches to fill in."""
    return workbook_bytes([], full=False)


def census_workbook_bytes(census, entries) -> bytes:
    """A census's entries for the organization department (names only, no personal numbers)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(f"{census.year}年流动党员排查")
    sheet.append(
        [
            "方向",
            "姓名",
            "党员类别",
            "流出党支部",
            "流入党支部",
            "流向",
            "状态",
            "活动证编号",
            "最近联系",
            "未按季联系",
            "下落不明",
            "未在流入地登记",
        ]
    )
    yes = {True: "是", False: ""}
    for e in entries:
        sheet.append(
            [
                e.get_direction_display(),
                e.member_name,
                e.get_member_status_display(),
                e.outflow_branch_name,
                e.inflow_branch_name,
                e.destination,
                e.get_status_display(),
                e.certificate_number,
                e.last_contact_on,
                yes[e.no_contact],
                yes[e.whereabouts_unknown],
                yes[e.not_registered],
            ]
        )
    out = BytesIO()
    book.save(out)
    return out.getvalue()
