"""Reading and checking instructor files (.xlsx, .csv) with the header of SPEC section 3.

``read_table`` turns a file into rows of strings; ``validate_rows`` checks every row against the
database and returns a plan, or raises ``ImportRejected`` listing each bad cell by row number (the
header is row 1, as a spreadsheet shows it) and column. ``pool.services.instructors_import`` writes a
plan in one transaction, so a file with any bad row imports nothing.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from orgs.errors import DomainError
from orgs.models import Organization

from .models import LEVEL_OF_KIND, Instructor, Pool, SubArea
from .permissions import can_manage_pool
from .rules import (
    CATEGORY_NAMES,
    FEE_GRADE_NAMES,
    FEE_GRADE_WORDS,
    LEVEL_NAMES,
    category_from_word,
    is_valid_phone,
    level_from_word,
    normalize_phone,
)

HEADER = ["编号", "姓名", "性别", "工作单位", "职称", "层级", "所属", "类别", "专题", "简介", "手机", "是否党员"]
# Columns a file may add after the fixed ones (our export writes them; they import back).
OPTIONAL = ["子领域", "讲课费等级", "每月上限", "服务区域"]
REQUIRED = ["编号", "姓名", "性别", "层级", "所属", "类别", "专题", "是否党员"]
MAX_ROWS = 10_000
LIST_SEPARATORS = re.compile(r"[；;]")
TAG_SEPARATORS = re.compile(r"[；;,，]")  # not 、: 国情、世情和形势教育 is one name
GENDER_WORDS = {"男": "male", "女": "female"}
YES_NO = {"是": True, "否": False}
NO_TITLE = {"", "无", "-", "—"}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = _("row %(row)s") % {"row": self.row}
        return f"{where} · {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


class ImportRejected(DomainError):
    """The file has bad rows; nothing of it was imported."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(
            _("The file was not imported: %(n)s problems. Nothing has been changed.") % {"n": len(errors)},
            field="file",
            code="import_rejected",
        )


@dataclass
class PlannedRow:
    row: int
    code: str
    name: str
    gender: str
    employer: str
    title: str
    pool: Pool
    category: str
    topics: list[str]
    bio: str
    phone: str
    is_party_member: bool
    sub_area_ids: list[int] | None = None
    fee_grade: str | None = None
    monthly_limit: int | None = None
    service_area: str | None = None
    existing: Instructor | None = None


@dataclass
class ImportPlan:
    rows: list[PlannedRow] = field(default_factory=list)

    @property
    def new_rows(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.existing is None]

    @property
    def updated_rows(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.existing is not None]


# --- reading ---------------------------------------------------------------------------------------


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def read_table(data: bytes, filename: str) -> tuple[list[str], list[list[str]]]:
    """The header and the data rows of an .xlsx or .csv file, as stripped strings."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises zipfile, KeyError and friends on a bad file
            raise ImportRejected([RowError(0, "", _("The file is not a readable .xlsx workbook."))]) from exc
        sheet = workbook.worksheets[0]
        table = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        workbook.close()
    elif name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - gb18030 decodes any byte string
            raise ImportRejected([RowError(0, "", _("The file is neither UTF-8 nor GB18030 text."))])
        table = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    else:
        raise ImportRejected([RowError(0, "", _("Upload an .xlsx or .csv file."))])
    if not table:
        raise ImportRejected([RowError(1, "", _("The file is empty."))])
    header = [h.lstrip("\ufeff").strip() for h in table[0]]
    while header and not header[-1]:
        header.pop()
    return header, table[1:]


# --- checking --------------------------------------------------------------------------------------


def _check_header(header: list[str]) -> list[RowError]:
    errors = [RowError(1, col, _("The column is missing.")) for col in HEADER if col not in header]
    for col in header:
        if col not in HEADER and col not in OPTIONAL:
            errors.append(RowError(1, col, _("Unknown column.")))
    seen = set()
    for col in header:
        if col in seen:
            errors.append(RowError(1, col, _("The column appears twice.")))
        seen.add(col)
    return errors


def _resolve_orgs(names: set[str]) -> tuple[dict[str, Organization], dict[str, list[Organization]]]:
    """Organizations that can own a pool, by full name and by (possibly ambiguous) short name."""
    orgs = Organization.objects.filter(
        Q(full_name__in=names) | Q(name__in=names), kind__in=list(LEVEL_OF_KIND), is_active=True
    )
    by_full, by_name = {}, {}
    for org in orgs:
        by_full[org.full_name] = org
        by_name.setdefault(org.name, []).append(org)
    return by_full, by_name


def validate_rows(header: list[str], rows: list[list[str]], *, actor, quota_override_reason: str = "") -> ImportPlan:
    """Check every row; return the plan or raise ImportRejected with every problem found."""
    errors = _check_header(header)
    if errors:
        raise ImportRejected(errors)
    index = {col: i for i, col in enumerate(header)}
    records = []
    for number, raw in enumerate(rows, start=2):
        if not any(c.strip() for c in raw):
            continue
        records.append((number, {col: (raw[i].strip() if i < len(raw) else "") for col, i in index.items()}))
    if not records:
        raise ImportRejected([RowError(2, "", _("The file has no instructors."))])
    if len(records) > MAX_ROWS:
        raise ImportRejected([RowError(0, "", _("At most %(n)s rows per file.") % {"n": MAX_ROWS})])

    by_full, by_name = _resolve_orgs({rec["所属"] for _n, rec in records if rec["所属"]})
    pools = {
        p.organization_id: p
        for p in Pool.objects.filter(organization__in=[*by_full.values()]).select_related("organization")
    }
    codes = [rec["编号"] for _n, rec in records if rec["编号"]]
    existing = {
        i.code: i for i in Instructor.objects.filter(code__in=codes).select_related("pool", "pool__organization")
    }
    sub_areas = {(s.category, s.name): s.pk for s in SubArea.objects.all()}
    manageable: dict[int, bool] = {}

    def may_manage(pool: Pool) -> bool:
        if actor is None:
            return True
        if pool.pk not in manageable:
            manageable[pool.pk] = can_manage_pool(actor, pool)
        return manageable[pool.pk]

    plan = ImportPlan()
    seen_codes: dict[str, int] = {}
    for number, rec in records:
        row_errors: list[RowError] = []

        def err(column: str, message: str, number=number, row_errors=row_errors) -> None:
            row_errors.append(RowError(number, column, message))

        for col in REQUIRED:
            if not rec[col]:
                err(col, _("This column is required."))
        code = rec["编号"]
        if code:
            if len(code) > 30 or re.search(r"\s", code):
                err("编号", _("At most 30 characters, without spaces."))
            elif code in seen_codes:
                err("编号", _("The code is already used in row %(row)s.") % {"row": seen_codes[code]})
            else:
                seen_codes[code] = number
        if len(rec["姓名"]) > 50:
            err("姓名", _("At most %(n)s characters.") % {"n": 50})
        gender = GENDER_WORDS.get(rec["性别"])
        if rec["性别"] and gender is None:
            err("性别", _("Write 男 or 女."))
        if len(rec["工作单位"]) > 200:
            err("工作单位", _("At most %(n)s characters.") % {"n": 200})
        title = "" if rec["职称"] in NO_TITLE else rec["职称"]
        if len(title) > 50:
            err("职称", _("At most %(n)s characters.") % {"n": 50})
        level = level_from_word(rec["层级"])
        if rec["层级"] and level is None:
            err("层级", _("Write 省级, 市级, 县级 or 单位级."))
        category = category_from_word(rec["类别"])
        if rec["类别"] and category is None:
            err("类别", _("Unknown category; write one of %(names)s.") % {"names": "、".join(CATEGORY_NAMES.values())})
        topics = []
        for t in LIST_SEPARATORS.split(rec["专题"]):
            t = t.strip()
            if t and t not in topics:
                topics.append(t)
        if rec["专题"] and not topics:
            err("专题", _("Give at least one topic."))
        if any(len(t) > 100 for t in topics):
            err("专题", _("A topic title has at most 100 characters."))
        phone = normalize_phone(rec["手机"])
        if phone and not is_valid_phone(phone):
            err("手机", _("“%(value)s” is not an 11-digit mobile number.") % {"value": rec["手机"]})
        member = YES_NO.get(rec["是否党员"])
        if rec["是否党员"] and member is None:
            err("是否党员", _("Write 是 or 否."))

        pool = None
        owner = rec["所属"]
        if owner:
            org = by_full.get(owner)
            if org is None:
                candidates = by_name.get(owner, [])
                if len(candidates) == 1:
                    org = candidates[0]
                elif len(candidates) > 1:
                    err(
                        "所属",
                        _("“%(name)s” is ambiguous: write %(options)s.")
                        % {"name": owner, "options": " / ".join(sorted(o.full_name for o in candidates))},
                    )
                else:
                    err("所属", _("No organization is called “%(name)s”.") % {"name": owner})
            if org is not None:
                pool = pools.get(org.pk)
                if pool is None:
                    err("所属", _("%(org)s has no instructor pool yet.") % {"org": org.full_name})
                elif not may_manage(pool):
                    err("所属", _("You do not administer the pool of %(org)s.") % {"org": org.full_name})
                elif level is not None and pool.level != level:
                    err(
                        "层级",
                        _("%(org)s runs a %(level)s pool.") % {"org": org.full_name, "level": LEVEL_NAMES[pool.level]},
                    )

        found = existing.get(code)
        if found is not None and pool is not None and found.pool_id != pool.pk and not may_manage(found.pool):
            err("编号", _("The code belongs to an instructor of another pool."))

        sub_area_ids = None
        if "子领域" in index and rec["子领域"] and category is not None:
            sub_area_ids = []
            for word in TAG_SEPARATORS.split(rec["子领域"]):
                word = word.strip()
                if not word:
                    continue
                pk = sub_areas.get((category, word))
                if pk is None:
                    err(
                        "子领域",
                        _("“%(name)s” is not a sub-area of %(category)s.") % {"name": word, "category": rec["类别"]},
                    )
                elif pk not in sub_area_ids:
                    sub_area_ids.append(pk)
        fee_grade = None
        if "讲课费等级" in index and rec["讲课费等级"]:
            fee_grade = FEE_GRADE_WORDS.get(rec["讲课费等级"])
            if fee_grade is None:
                err("讲课费等级", _("Write one of %(names)s.") % {"names": "、".join(FEE_GRADE_NAMES.values())})
        monthly_limit = None
        if "每月上限" in index and rec["每月上限"]:
            if rec["每月上限"].isdigit() and 1 <= int(rec["每月上限"]) <= 31:
                monthly_limit = int(rec["每月上限"])
            else:
                err("每月上限", _("A whole number from 1 to 31."))
        service_area = None
        if "服务区域" in index:
            service_area = rec["服务区域"][:200]

        if row_errors:
            errors.extend(row_errors)
            continue
        plan.rows.append(
            PlannedRow(
                row=number,
                code=code,
                name=rec["姓名"],
                gender=gender,
                employer=rec["工作单位"],
                title=title,
                pool=pool,
                category=category,
                topics=topics,
                bio=rec["简介"],
                phone=phone,
                is_party_member=member,
                sub_area_ids=sub_area_ids,
                fee_grade=fee_grade,
                monthly_limit=monthly_limit,
                service_area=service_area,
                existing=found,
            )
        )
    if not errors:
        errors = _check_quotas(plan, quota_override_reason)
    if errors:
        raise ImportRejected(errors)
    return plan


def _check_quotas(plan: ImportPlan, override_reason: str) -> list[RowError]:
    """Each pool's seats after the import must stay within its maximum, unless overridden."""
    if override_reason.strip():
        return []
    from django.db.models import Count

    pools = {r.pool.pk: r.pool for r in plan.rows}
    seats = dict(
        Instructor.objects.filter(pool__in=list(pools), status__in=Instructor.SEAT_STATUSES)
        .values_list("pool")
        .annotate(n=Count("id"))
        .order_by()
    )
    errors = []
    for row in plan.rows:
        moving_in = row.existing is None or (
            row.existing.pool_id != row.pool.pk and row.existing.status in Instructor.SEAT_STATUSES
        )
        if not moving_in:
            continue
        seats[row.pool.pk] = seats.get(row.pool.pk, 0) + 1
        if seats[row.pool.pk] == row.pool.quota_max + 1:
            errors.append(
                RowError(
                    row.row,
                    "所属",
                    _("%(pool)s would exceed its maximum of %(max)s instructors.")
                    % {"pool": row.pool.name, "max": row.pool.quota_max},
                )
            )
    return errors
