import re
from datetime import date
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from members import roster, services
from members.models import Member, PersonalDataAccess, Probation, lookup_hash
from tests.conftest import client_for
from tests.members import factories as f

pytestmark = pytest.mark.django_db

HEADER = [h for _key, h, _required in roster.ROSTER_COLUMNS]


def xlsx(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def row(name, id_number, *, phone="", joined="2010-07-01", status="正式党员", branch="", group="", cadre="否"):
    return [name, "", id_number, phone, None, joined, status, branch, group, cadre, "在职", 5200]


def test_import_creates_members_with_encrypted_data_and_probations(world):
    secretary = world.secretary(world.branch)
    a, b, c = f.id_number(), f.id_number(), f.id_number(male=False)
    data = xlsx(
        [
            row("甲", a, phone="13900000001", group="第一党小组", cadre="是"),
            row("乙", b, status="预备党员", joined="2025-09-01"),
            row("丙", c, joined=date(2001, 7, 1)),
        ]
    )

    outcome = services.member_import(actor=secretary, data=data, default_branch=world.branch)

    assert (outcome.created, outcome.updated, outcome.error_count) == (3, 0, 0)
    first = Member.objects.get(id_number_hash=lookup_hash(a))
    assert (first.name, first.phone, first.group, first.is_leading_cadre, first.monthly_income) == (
        "甲",
        "13900000001",
        world.group,
        True,
        5200,
    )
    assert list(Probation.objects.values_list("member__name", "ends_on")) == [("乙", date(2026, 9, 1))]
    assert Member.objects.get(id_number_hash=lookup_hash(c)).gender == "female"


def test_reimport_updates_by_id_number(world):
    secretary = world.secretary(world.branch)
    number = f.id_number()
    services.member_import(actor=secretary, data=xlsx([row("旧名", number)]), default_branch=world.branch)

    outcome = services.member_import(
        actor=secretary, data=xlsx([row("新名", number.lower(), phone="13900000009")]), default_branch=world.branch
    )

    assert (outcome.created, outcome.updated) == (0, 1)
    assert list(Member.objects.values_list("name", "phone")) == [("新名", "13900000009")]


def test_one_bad_row_imports_nothing_and_every_error_is_reported_by_row_and_column(world):
    secretary = world.secretary(world.branch)
    good = f.id_number()
    data = xlsx(
        [
            row("好", good),
            row("", "320102199001011234", phone="12345", joined="2010-13-01"),
            row("重复", good),
            row("外支部", f.id_number(), branch=world.sibling_county_branch.full_name),
        ]
    )

    outcome = services.member_import(actor=secretary, data=data, default_branch=world.branch)

    assert Member.objects.count() == 0
    assert [(e.row, e.letter, e.column) for e in outcome.errors] == [
        (3, "A", "姓名"),
        (3, "C", "身份证号"),
        (3, "D", "手机"),
        (3, "F", "入党日期"),
        (4, "C", "身份证号"),
        (5, "H", "所在支部"),
    ]
    assert outcome.errors[1].message == "身份证号码的校验位不正确。"
    assert "第2行" in outcome.errors[4].message


def test_numeric_id_cells_and_members_elsewhere_are_errors(world):
    outsider = f.member(world.sibling_county_branch)
    data = xlsx([row("数字", 320102199001011232), row("外人", outsider.id_number)])

    outcome = services.member_import(actor=world.secretary(world.branch), data=data, default_branch=world.branch)

    assert [(e.row, e.column) for e in outcome.errors] == [(2, "身份证号"), (3, "身份证号")]
    assert "文本" in outcome.errors[0].message
    assert Member.objects.count() == 1


def test_a_file_that_is_not_a_workbook_or_lacks_the_header_is_refused(world):
    secretary = world.secretary(world.branch)

    with pytest.raises(roster.RosterFileError) as not_xlsx:
        services.member_import(actor=secretary, data=b"name,id\n", default_branch=world.branch)
    with pytest.raises(roster.RosterFileError) as no_header:
        services.member_import(actor=secretary, data=xlsx([["甲"]], header=["名字"]), default_branch=world.branch)

    assert not_xlsx.value.field == "file"
    assert "身份证号" in str(no_header.value.message)


def test_import_over_the_api_answers_400_with_row_errors(world):
    client = client_for(world.secretary(world.branch))
    data = xlsx([row("好", f.id_number()), row("坏", "123")])
    upload = BytesIO(data)
    upload.name = "roster.xlsx"

    response = client.post("/api/v1/members/import/", {"file": upload, "branch": world.branch.pk}, format="multipart")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 3, "column": "身份证号", "letter": "C", "message": "身份证号码为18位：17位数字加1位数字或X。"}
    ]
    assert Member.objects.count() == 0


def test_export_is_masked_and_full_export_is_audited_and_reimportable(world, client):
    secretary = world.secretary(world.branch)
    m = f.member(world.branch, phone="13812345678")
    client.force_login(secretary)

    masked = client.get("/members/export/")
    full = client.post("/members/export/", {"reason": "报送上级核对"})

    def cells(response):
        sheet = load_workbook(BytesIO(response.content)).active
        return [list(r) for r in sheet.iter_rows(values_only=True)]

    masked_text = str(cells(masked))
    assert not re.search(r"\d{17}[\dX]", masked_text)
    assert "138****5678" in masked_text
    assert cells(full)[1][2:4] == [m.id_number, "13812345678"]
    assert list(PersonalDataAccess.objects.values_list("field", "row_count", "reason")) == [
        ("roster", 1, "报送上级核对")
    ]
    outcome = services.member_import(actor=secretary, data=full.content, default_branch=world.branch)
    assert (outcome.created, outcome.updated, outcome.error_count) == (0, 1, 0)


def test_api_export_is_masked(world):
    f.member(world.branch, phone="13812345678")

    response = client_for(world.secretary(world.branch)).get("/api/v1/members/export/")

    text = str(list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True)))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not re.search(r"\d{17}[\dX]", text) and "13812345678" not in text


def test_branch_names_are_resolved_inside_the_jurisdiction(world):
    from orgs.services import org_create

    org_create(parent=world.other_city_branch.parent, name=world.sibling_branch.full_name, kind="branch")
    admin = world.admin(world.county)
    data = xlsx([row("同名支部的党员", f.id_number(), branch=world.sibling_branch.full_name)])

    outcome = services.member_import(actor=admin, data=data)

    assert (outcome.created, outcome.error_count) == (1, 0)
    assert Member.objects.get().branch == world.sibling_branch
