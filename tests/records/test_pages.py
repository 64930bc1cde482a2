from datetime import date
from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook

from records import services
from records.models import ActivityCard, DuesPayment, PointRule, RecordEntry
from tests.records import factories as f

pytestmark = pytest.mark.django_db


def _page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode() if status == 200 else response


def test_member_sees_entries_to_confirm_and_confirms_one(client: Client, world):
    m = f.member(world.branch)
    entry = f.merit(m, title="社区优秀志愿者")
    client.force_login(m.user)

    page = _page(client, "/records/me/")
    assert "社区优秀志愿者" in page and f"/records/entries/{entry.pk}/confirm/" in page

    response = client.post(f"/records/entries/{entry.pk}/confirm/", {"next": "/records/me/"})
    assert response.status_code == 302
    assert RecordEntry.objects.get(pk=entry.pk).status == "confirmed"


def test_member_disputes_with_a_reason_and_the_secretary_resolves(client: Client, world):
    m = f.member(world.branch)
    secretary = world.secretary(world.branch)
    entry = f.merit(m, actor=secretary)
    client.force_login(m.user)
    client.post(f"/records/entries/{entry.pk}/dispute/", {"reason": ""})
    assert RecordEntry.objects.get(pk=entry.pk).status == "pending"
    client.post(f"/records/entries/{entry.pk}/dispute/", {"reason": "日期有误"})
    assert RecordEntry.objects.get(pk=entry.pk).status == "disputed"

    client.force_login(secretary)
    assert "日期有误" in _page(client, "/records/disputes/")
    response = client.post(
        f"/records/entries/{entry.pk}/resolve/",
        {"reply": "已改", "title": entry.title, "occurred_on": "2026-06-30", "merit": "reward", "details": ""},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.occurred_on) == ("pending", date(2026, 6, 30))


def test_other_members_and_other_branches_cannot_open_a_record(client: Client, world):
    m = f.member(world.branch)
    entry = f.merit(m)
    client.force_login(f.member(world.branch).user)
    _page(client, f"/records/members/{m.pk}/", 403)
    _page(client, f"/records/entries/{entry.pk}/", 403)
    client.post(f"/records/entries/{entry.pk}/confirm/")
    assert RecordEntry.objects.get(pk=entry.pk).status == "pending"
    client.force_login(world.secretary(world.sibling_branch))
    _page(client, f"/records/members/{m.pk}/", 403)
    _page(client, f"/records/members/{m.pk}/dues/", 403)


def test_secretary_keeps_records_through_the_pages(client: Client, world):
    m = f.member(world.branch, monthly_income="3000.00")
    secretary = world.secretary(world.branch)
    client.force_login(secretary)
    page = _page(client, f"/records/?branch={world.branch.pk}")
    assert m.name in page

    r = client.post(
        f"/records/members/{m.pk}/card/",
        {
            "number": "JN-0001",
            "numbered_by": world.county.pk,
            "stamped_by": world.committee.pk,
            "stamped_on": "2026-01-02",
            "issued_on": "2026-01-05",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert ActivityCard.objects.get(member=m).number == "JN-0001"

    page = _page(client, f"/records/members/{m.pk}/dues/")
    assert "15.00" in page
    r = client.post(
        f"/records/members/{m.pk}/dues/", {"first_month": "2026-11-01", "months": 1, "paid_on": "2026-11-03"}
    )
    assert r.status_code == 302
    assert DuesPayment.objects.get(member=m).amount.to_eng_string() == "15.00"
    r = client.post(
        f"/records/members/{m.pk}/dues/", {"first_month": "2026-01-01", "months": 1, "paid_on": "2026-11-03"}
    )
    assert r.status_code == 200 and "field-error" in r.content.decode()

    r = client.post(
        f"/records/members/{m.pk}/merit/",
        {"merit": "reward", "occurred_on": "2026-07-01", "title": "优秀党员", "details": ""},
    )
    assert r.status_code == 302
    r = client.post(
        f"/records/members/{m.pk}/role/",
        {"year": 2025, "grade": "basic", "appraised_on": "2026-01-10", "details": "按时参加活动"},
    )
    assert r.status_code == 302
    page = _page(client, f"/records/members/{m.pk}/")
    assert "JN-0001" in page and "优秀党员" in page
    assert "优秀党员" in _page(client, f"/records/members/{m.pk}/print/")


def test_confirmed_entry_page_offers_only_a_correction(client: Client, world):
    m = f.member(world.branch)
    secretary = world.secretary(world.branch)
    entry = f.confirmed(f.merit(m, actor=secretary))
    client.force_login(secretary)
    page = _page(client, f"/records/entries/{entry.pk}/")
    assert f"/records/entries/{entry.pk}/correct/" in page
    assert f"/records/entries/{entry.pk}/withdraw/" not in page
    r = client.post(f"/records/entries/{entry.pk}/withdraw/", {"reason": "x"})
    assert r.status_code == 200 and RecordEntry.objects.get(pk=entry.pk).status == "confirmed"
    r = client.post(
        f"/records/entries/{entry.pk}/correct/",
        {"reason": "应为处分", "title": entry.title, "occurred_on": "2026-07-01", "merit": "punishment", "details": ""},
    )
    assert r.status_code == 302
    correction = RecordEntry.objects.get(corrects=entry)
    assert correction.merit == "punishment"


def test_admin_refuses_change_and_delete_of_confirmed_entries(client: Client, world):
    from tests.members import factories as mf

    m = f.member(world.branch)
    confirmed = f.confirmed(f.merit(m))
    pending = f.merit(m, title="待确认")
    client.force_login(mf.superuser())
    r = client.post(
        f"/admin/records/recordentry/{confirmed.pk}/change/",
        {"title": "改", "details": "", "occurred_on": "2026-07-01"},
    )
    assert r.status_code == 403
    assert client.get(f"/admin/records/recordentry/{confirmed.pk}/delete/").status_code == 403
    assert client.get(f"/admin/records/recordentry/{pending.pk}/delete/").status_code == 403
    assert client.get(f"/admin/records/recordentry/{pending.pk}/change/").status_code == 200
    r = client.post(
        "/admin/records/recordentry/",
        {"action": "delete_selected", "_selected_action": [confirmed.pk]},
    )
    assert RecordEntry.objects.filter(pk=confirmed.pk).exists()
    assert RecordEntry.objects.get(pk=confirmed.pk).title == "优秀共产党员"


def test_arrears_page_flags_six_months_and_points_pages(client: Client, world):
    m = f.member(world.branch)
    secretary = world.secretary(world.branch)
    services.card_issue(
        actor=secretary,
        member=m,
        number="C9",
        numbered_by=world.county,
        stamped_by=world.committee,
        stamped_on=date(2026, 1, 1),
        issued_on=date(2026, 1, 2),
    )
    client.force_login(secretary)
    page = _page(client, f"/records/arrears/?branch={world.branch.pk}")
    assert "arrears-flagged" in page and m.name in page

    admin = world.admin(world.committee)
    client.force_login(admin)
    r = client.post(f"/records/points/rules/{world.committee.pk}/", {"reward__points": "5", "dues_month__points": ""})
    assert r.status_code == 302
    assert list(PointRule.objects.values_list("item", "points")) == [("reward", 5)]
    client.force_login(secretary)
    f.confirmed(f.merit(m, actor=secretary))
    r = client.post("/records/points/", {"branch": world.branch.pk, "year": 2026})
    assert r.status_code == 302
    page = _page(client, r.url)
    assert "5.00" in page and m.name in page
    client.force_login(m.user)
    _page(client, r.url, 403)
    client.force_login(secretary)
    client.post(r.url)
    client.force_login(m.user)
    assert m.name in _page(client, r.url)


def test_branch_export_page_returns_the_archive(client: Client, world):
    m = f.member(world.branch)
    f.merit(m)
    client.force_login(world.secretary(world.branch))
    r = client.get(f"/records/branches/{world.branch.pk}/export.xlsx")
    assert r.status_code == 200
    book = load_workbook(BytesIO(r.content))
    assert book.worksheets[1].max_row == 2
    client.force_login(world.secretary(world.sibling_branch))
    assert client.get(f"/records/branches/{world.branch.pk}/export.xlsx").status_code == 404


def test_home_todo_shows_entries_to_confirm_and_disputes(client: Client, world):
    m = f.member(world.branch)
    secretary = world.secretary(world.branch)
    entry = f.merit(m, actor=secretary)
    client.force_login(m.user)
    assert "/records/me/" in _page(client, "/")
    services.entry_dispute(actor=m.user, entry=entry, reason="不对")
    client.force_login(secretary)
    assert "/records/disputes/" in _page(client, "/")
