import re
from datetime import date, timedelta

import pytest
from django.test import Client

from members import services
from members.models import Member, MobileMembership, PersonalDataAccess, add_months
from tests.members import factories as f

pytestmark = pytest.mark.django_db

FULL_ID = re.compile(r"(?<![0-9A-Z])\d{17}[\dX](?![0-9A-Z])")


def _page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode() if status == 200 else response


def test_roster_page_is_masked_and_counts_exempt_members(client: Client, world):
    secretary = world.secretary(world.branch)
    m = f.member(world.branch, name="李秀英", phone="13812345678")
    f.member(world.branch, name="王建国")
    services.exemption_approve(
        actor=f.superuser(), exemption=services.exemption_request(actor=secretary, member=m, reason="disabled")
    )
    client.force_login(secretary)

    page = _page(client, "/members/")

    assert "李秀英" in page and "138****5678" in page
    assert not FULL_ID.search(page) and "13812345678" not in page
    assert re.search(r"纳入记实管理</div><div class=\"fs-5\">1<", page)
    assert re.search(r"不纳入记实管理</div><div class=\"fs-5\">1<", page)


def test_plain_member_is_sent_to_own_page(client: Client, world):
    user = world.member(world.branch)
    f.member(world.branch, user=user, name="陈晓明")
    f.member(world.branch, name="同支部的人")
    client.force_login(user)

    response = client.get("/members/")
    page = _page(client, "/members/me/")

    assert response.url == "/members/me/"
    assert ("陈晓明" in page and "东山街道" not in page) or "佳湖社区党支部" in page


def test_reveal_on_the_page_shows_the_value_once_and_audits(client: Client, world):
    secretary = world.secretary(world.branch)
    m = f.member(world.branch, id_number="320102199001011232")
    client.force_login(secretary)

    before = _page(client, f"/members/{m.pk}/")
    response = client.post(f"/members/{m.pk}/reveal/", {"field": "id_number", "reason": "组织关系转接"})

    assert "320102199001011232" not in before
    assert "320102199001011232" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert PersonalDataAccess.objects.count() == 1


def test_member_detail_outside_jurisdiction_is_403(client: Client, world):
    m = f.member(world.branch)
    client.force_login(world.secretary(world.sibling_branch))

    assert client.get(f"/members/{m.pk}/").status_code == 403
    assert client.post(f"/members/{m.pk}/reveal/", {"field": "phone", "reason": "x y"}).status_code == 403


def test_every_members_page_renders_for_its_users(client: Client, world):
    secretary = world.secretary(world.branch)
    admin = world.admin(world.county)
    inflow_secretary = world.secretary(world.other_city_branch)
    prob = f.member(world.branch, status=Member.Status.PROBATIONARY, joined_on=add_months(date.today(), -12))
    membership = f.mobile(prob, inflow_branch=world.other_city_branch, register=True)
    f.contact(membership, date.today())
    decision = services.probation_decision_propose(
        actor=secretary, probation=prob.probation, outcome="cancel", meeting_on=date.today(), votes_for=9
    )
    exemption = services.exemption_request(actor=secretary, member=f.member(world.branch), reason="disabled")
    activist = services.activist_create(
        actor=secretary,
        branch=world.branch,
        name="曹子涵",
        id_number=f.id_number(),
        applied_on=date(2024, 1, 1),
        activist_since=date(2024, 5, 1),
    )
    census = services.census_take(organization=world.committee, actor=admin)
    partnership = services.partnership_create(
        actor=admin,
        kind="pairing",
        outflow_org=world.branch,
        inflow_org=world.other_city_branch,
        title="结对共建",
        signed_on=date(2025, 1, 1),
    )
    pages = {
        secretary: [
            "/members/",
            "/members/new/",
            "/members/import/",
            f"/members/{prob.pk}/",
            f"/members/{prob.pk}/edit/",
            f"/members/{prob.pk}/leave/",
            f"/members/{prob.pk}/exemption/",
            "/members/probations/",
            f"/members/probations/{prob.probation.pk}/decide/",
            "/members/exemptions/",
            "/members/activists/",
            "/members/activists/new/",
            f"/members/activists/{activist.pk}/",
            "/members/mobile/",
            f"/members/mobile/{membership.pk}/",
            f"/members/mobile/{membership.pk}/contact/",
            f"/members/mobile/{membership.pk}/notice/",
            f"/members/mobile/{membership.pk}/return/",
            f"/members/mobile/{membership.pk}/relocate/",
            "/members/mobile/overdue/",
            "/members/partnerships/",
            f"/members/partnerships/{partnership.pk}/",
        ],
        inflow_secretary: [
            "/members/mobile/",
            "/members/mobile/register/",
            f"/members/mobile/{membership.pk}/",
            f"/members/mobile/{membership.pk}/participation/",
            f"/members/mobile/{membership.pk}/feedback/",
            f"/members/mobile/{membership.pk}/notice/",
        ],
        admin: [
            "/members/",
            "/members/census/",
            f"/members/census/{census.pk}/",
            f"/members/probation-decisions/{decision.pk}/",
            f"/members/exemptions/{exemption.pk}/",
            "/",
        ],
    }
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            page = _page(client, url)
            assert not FULL_ID.search(page), url
    client.force_login(admin)
    export = client.get(f"/members/census/{census.pk}/export/")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_secretary_cannot_open_the_census_or_inflow_only_screens(client: Client, world):
    membership = f.mobile(f.member(world.branch), inflow_branch=world.other_city_branch, register=True)
    client.force_login(world.secretary(world.branch))

    assert client.get("/members/census/").status_code == 403
    assert client.get(f"/members/mobile/{membership.pk}/participation/").status_code == 403


def test_form_errors_come_back_on_the_field(client: Client, world):
    client.force_login(world.secretary(world.branch))

    response = client.post(
        "/members/new/",
        {
            "branch": world.branch.pk,
            "name": "错号",
            "id_number": "320102199001011234",
            "joined_on": "2010-07-01",
            "status": "full",
            "dues_category": "employed",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "身份证号码的校验位不正确。" in page
    assert Member.objects.count() == 0


def test_home_todo_lists_member_work(client: Client, world):
    secretary = world.secretary(world.branch)
    f.mobile(f.member(world.branch), left_on=date.today() - timedelta(days=400))
    f.member(
        world.branch, status=Member.Status.PROBATIONARY, joined_on=add_months(date.today(), -12) + timedelta(days=5)
    )
    f.mobile(f.member(world.other_city_branch), left_on=date.today() - timedelta(days=2), inflow_branch=world.branch)
    client.force_login(secretary)

    page = _page(client, "/")

    assert "流动党员逾期未联系" in page
    assert "30天内预备期满" in page
    assert "待登记的流入党员" in page


def test_mobile_registration_page_flow(client: Client, world):
    m = f.member(world.branch, name="周海燕")
    f.mobile(m, certificate_number="320115-2026-00042", inflow_branch=world.other_city_branch)
    client.force_login(world.secretary(world.other_city_branch))

    wrong = client.post(
        "/members/mobile/register/", {"stage": "lookup", "certificate_number": "320115-2026-00042", "name": "周"}
    )
    found = client.post(
        "/members/mobile/register/", {"stage": "lookup", "certificate_number": "320115-2026-00042", "name": "周海燕"}
    )
    done = client.post(
        "/members/mobile/register/",
        {
            "stage": "register",
            "certificate_number": "320115-2026-00042",
            "name": "周海燕",
            "branch": world.other_city_branch.pk,
            "registered_on": str(date.today()),
            "certificate_verified": "on",
        },
    )

    assert "没有与此编号和姓名相符" in wrong.content.decode()
    assert "certificate-card" in found.content.decode()
    assert done.status_code == 302
    assert MobileMembership.objects.get().status == "registered"
