from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from records.models import RecordEntry
from tests.conftest import client_for
from tests.records import factories as f

pytestmark = pytest.mark.django_db

BASE = "/api/v1/records"


def test_member_confirms_own_entry_and_then_it_cannot_be_changed_or_deleted(world):
    m = f.member(world.branch)
    entry = f.merit(m)
    member_api = client_for(m.user)
    secretary_api = client_for(world.secretary(world.branch))

    r = member_api.post(f"{BASE}/entries/{entry.pk}/confirm/")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "confirmed"
    assert [h["to_status"] for h in r.json()["history"]] == ["pending", "confirmed"]

    r = secretary_api.patch(f"{BASE}/entries/{entry.pk}/", {"title": "改"}, format="json")
    assert r.status_code == 409
    assert secretary_api.delete(f"{BASE}/entries/{entry.pk}/").status_code == 405
    assert secretary_api.put(f"{BASE}/entries/{entry.pk}/", {"title": "改"}, format="json").status_code == 405
    r = secretary_api.post(f"{BASE}/entries/{entry.pk}/withdraw/", {"reason": "x"}, format="json")
    assert r.status_code == 409
    assert RecordEntry.objects.get(pk=entry.pk).title == "优秀共产党员"

    r = secretary_api.post(
        f"{BASE}/entries/{entry.pk}/correct/",
        {"reason": "名称有误", "changes": {"title": "优秀党务工作者"}},
        format="json",
    )
    assert r.status_code == 201, r.content
    assert (r.json()["corrects"], r.json()["title"], r.json()["status"]) == (entry.pk, "优秀党务工作者", "pending")


def test_only_the_member_may_confirm(world):
    m = f.member(world.branch)
    entry = f.merit(m)
    r = client_for(world.secretary(world.branch)).post(f"{BASE}/entries/{entry.pk}/confirm/")
    assert r.status_code == 403


def test_entries_outside_jurisdiction_are_404_and_not_listed(world):
    m = f.member(world.branch)
    entry = f.merit(m)
    other = client_for(world.secretary(world.sibling_branch))
    assert other.get(f"{BASE}/entries/{entry.pk}/").status_code == 404
    assert other.get(f"{BASE}/entries/").json()["count"] == 0
    stranger = f.member(world.sibling_branch)
    assert client_for(stranger.user).get(f"{BASE}/entries/").json()["count"] == 0
    assert client_for(m.user).get(f"{BASE}/entries/").json()["count"] == 1
    assert client_for(world.admin(world.county)).get(f"{BASE}/entries/").json()["count"] == 1


def test_dispute_and_resolve_through_the_api(world):
    m = f.member(world.branch)
    entry = f.merit(m)
    r = client_for(m.user).post(f"{BASE}/entries/{entry.pk}/dispute/", {"reason": ""}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    r = client_for(m.user).post(f"{BASE}/entries/{entry.pk}/dispute/", {"reason": "不是我"}, format="json")
    assert r.json()["status"] == "disputed"
    r = client_for(world.secretary(world.branch)).post(
        f"{BASE}/entries/{entry.pk}/resolve/", {"reply": "核实无误"}, format="json"
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "pending"


def test_create_merit_and_role_entries_with_field_errors(world):
    m = f.member(world.branch)
    api = client_for(world.secretary(world.branch))
    r = api.post(f"{BASE}/entries/", {"kind": "merit", "member": m.pk}, format="json")
    assert r.status_code == 400 and {"occurred_on", "title", "merit"} <= set(r.json())
    r = api.post(
        f"{BASE}/entries/",
        {"kind": "merit", "member": m.pk, "merit": "reward", "title": "表彰", "occurred_on": "2026-06-30"},
        format="json",
    )
    assert r.status_code == 201, r.content
    r = api.post(
        f"{BASE}/entries/",
        {
            "kind": "role",
            "member": m.pk,
            "year": 2025,
            "grade": "qualified",
            "appraised_on": "2026-01-15",
            "details": "带头参加志愿服务",
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["appraisal_grade"] == "qualified"
    r = api.post(f"{BASE}/entries/", {"kind": "org_life", "member": m.pk}, format="json")
    assert r.status_code == 400 and "kind" in r.json()
    other = f.member(world.sibling_branch)
    r = api.post(
        f"{BASE}/entries/",
        {"kind": "merit", "member": other.pk, "merit": "reward", "title": "x", "occurred_on": "2026-06-30"},
        format="json",
    )
    assert r.status_code == 400 and "member" in r.json()


def test_dues_payment_and_arrears_through_the_api(world):
    m = f.member(world.branch, monthly_income="5000.00")
    api = client_for(world.secretary(world.branch))
    r = api.post(
        f"{BASE}/dues-payments/",
        {"member": m.pk, "first_month": "2026-10-01", "months": 2, "paid_on": "2026-11-03"},
        format="json",
    )
    assert r.status_code == 201, r.content
    assert (r.json()["monthly_amount"], r.json()["amount"], r.json()["months_paid"]) == (
        "50.00",
        "100.00",
        ["2026-10", "2026-11"],
    )
    r = api.post(
        f"{BASE}/dues-payments/",
        {"member": m.pk, "first_month": "2026-01-01", "months": 1, "paid_on": "2026-11-03"},
        format="json",
    )
    assert r.status_code == 400 and "first_month" in r.json()
    r = api.get(f"{BASE}/dues-payments/arrears/", {"on": "2026-11-20"})
    assert r.status_code == 200
    assert api.get(f"{BASE}/dues-payments/arrears/", {"on": "nope"}).status_code == 400


def test_points_rules_and_tables_through_the_api(world):
    m = f.member(world.branch)
    f.confirmed(f.merit(m))
    admin = client_for(world.admin(world.committee))
    secretary = client_for(world.secretary(world.branch))
    r = admin.post(
        f"{BASE}/point-rules/set/",
        {"organization": world.committee.pk, "rules": [{"item": "reward", "points": "3.00"}]},
        format="json",
    )
    assert r.status_code == 200, r.content
    r = secretary.post(f"{BASE}/point-tables/", {"branch": world.branch.pk, "year": 2026}, format="json")
    assert r.status_code == 200, r.content
    table_id = r.json()["id"]
    assert r.json()["scores"][0]["points"] == "3.00"
    assert client_for(m.user).get(f"{BASE}/point-tables/{table_id}/").status_code == 404
    assert secretary.post(f"{BASE}/point-tables/{table_id}/publish/").status_code == 200
    assert client_for(m.user).get(f"{BASE}/point-tables/{table_id}/").status_code == 200
    admin.post(
        f"{BASE}/point-rules/set/",
        {"organization": world.committee.pk, "rules": [{"item": "reward", "points": "4.50"}]},
        format="json",
    )
    assert client_for(m.user).get(f"{BASE}/point-tables/{table_id}/").json()["scores"][0]["points"] == "4.50"
    r = secretary.post(
        f"{BASE}/point-rules/set/",
        {"organization": world.committee.pk, "rules": [{"item": "reward", "points": "1"}]},
        format="json",
    )
    assert r.status_code == 403


def test_branch_archive_export_is_an_xlsx_for_the_jurisdiction_only(world):
    m = f.member(world.branch)
    f.confirmed(f.merit(m))
    r = client_for(world.admin(world.county)).get(f"{BASE}/entries/export/", {"branch": world.branch.pk})
    assert r.status_code == 200
    book = load_workbook(BytesIO(r.content))
    assert len(book.sheetnames) == 5
    rows = list(book.worksheets[1].iter_rows(values_only=True))
    assert rows[1][1] == m.name and rows[1][4] == "优秀共产党员"
    r = client_for(world.secretary(world.sibling_branch)).get(f"{BASE}/entries/export/", {"branch": world.branch.pk})
    assert r.status_code == 404


def test_entry_list_query_count_does_not_grow(world, django_assert_max_num_queries):
    m = f.member(world.branch)
    api = client_for(world.secretary(world.branch))
    f.merit(m)
    api.get(f"{BASE}/entries/")
    with django_assert_max_num_queries(8) as one:
        api.get(f"{BASE}/entries/")
    for _ in range(5):
        f.merit(m, occurred_on=date(2026, 5, 1))
    with django_assert_max_num_queries(len(one.captured_queries)):
        api.get(f"{BASE}/entries/")


def test_card_issue_through_the_api(world):
    m = f.member(world.branch)
    api = client_for(world.secretary(world.branch))
    body = {
        "member": m.pk,
        "number": "JN0001",
        "numbered_by": world.county.pk,
        "stamped_by": world.committee.pk,
        "stamped_on": "2026-02-01",
        "issued_on": "2026-02-03",
    }
    r = api.post(f"{BASE}/cards/", body, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["issued_by"]["id"] == world.branch.pk
    assert api.post(f"{BASE}/cards/", body, format="json").status_code == 409


@pytest.mark.parametrize("path", ["dues-payments/", "cards/", "point-tables/", "point-rules/"])
def test_other_list_query_counts_do_not_grow(world, path, django_assert_max_num_queries):
    from records import services

    secretary = world.secretary(world.branch)
    admin = world.admin(world.committee)
    api = client_for(admin)

    def add(i):
        m = f.member(world.branch if i % 2 else world.sibling_branch)
        services.dues_pay(actor=admin, member=m, first_month=date(2026, 10, 1), months=2, paid_on=date(2026, 11, 2))
        services.card_issue(
            actor=admin,
            member=m,
            number=f"Q-{i}",
            numbered_by=world.county,
            stamped_by=world.committee,
            stamped_on=date(2026, 1, 2),
            issued_on=date(2026, 1, 5),
        )

    add(1)
    services.point_rules_set(actor=admin, organization=world.committee, rules=[{"item": "reward", "points": 1}])
    services.point_table_compute(actor=secretary, branch=world.branch, year=2026)
    api.get(f"{BASE}/{path}")
    with django_assert_max_num_queries(10) as one:
        assert api.get(f"{BASE}/{path}").status_code == 200
    for i in range(2, 6):
        add(i)
    services.point_rules_set(
        actor=admin,
        organization=world.committee,
        rules=[{"item": "punishment", "points": -1}, {"item": "dues_month", "points": 1}],
    )
    services.point_table_compute(actor=admin, branch=world.sibling_branch, year=2026)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert api.get(f"{BASE}/{path}").status_code == 200


def test_points_rule_with_blank_points_is_refused_and_the_rule_kept(world):
    """A blank decimal is not null: ``points: ""`` used to remove the rule as ``null`` does."""
    from decimal import Decimal

    from records.models import PointRule

    admin = client_for(world.admin(world.committee))
    url = f"{BASE}/point-rules/set/"
    rules = {"organization": world.committee.pk, "rules": [{"item": "reward", "points": "3.00"}]}
    assert admin.post(url, rules, format="json").status_code == 200

    blank_points = admin.post(
        url, {"organization": world.committee.pk, "rules": [{"item": "reward", "points": ""}]}, format="json"
    )
    blank_cap = admin.post(
        url,
        {"organization": world.committee.pk, "rules": [{"item": "reward", "points": "5", "yearly_cap": " "}]},
        format="json",
    )

    assert (blank_points.status_code, blank_points.json()) == (
        400,
        {"rules": {"0": {"points": ["请填写合法的数字。"]}}},
    )
    assert (blank_cap.status_code, blank_cap.json()) == (400, {"rules": {"0": {"yearly_cap": ["请填写合法的数字。"]}}})
    assert PointRule.objects.get(organization=world.committee, item="reward").points == Decimal("3.00")
