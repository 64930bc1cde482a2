import re
from datetime import date, timedelta

import pytest
from django.core.management import call_command

from members import services
from members.models import Member, MobileMembership, PersonalDataAccess, add_months
from tests.conftest import client_for
from tests.members import factories as f

pytestmark = pytest.mark.django_db

FULL_ID = re.compile(r"\d{17}[\dXx]")
FULL_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def test_list_shows_masked_values_only(world):
    m = f.member(world.branch, id_number="320102199001011232", phone="13812345678")
    client = client_for(world.secretary(world.branch))

    response = client.get("/api/v1/members/")
    detail = client.get(f"/api/v1/members/{m.pk}/")

    assert response.status_code == 200
    row = response.json()["results"][0]
    assert (row["id_number"], row["phone"]) == ("3201**********1232", "138****5678")
    for body in (response.content.decode(), detail.content.decode()):
        assert not FULL_ID.search(body)
        assert not FULL_PHONE.search(body)


def test_reveal_returns_the_full_value_and_writes_one_audit_row(world):
    secretary = world.secretary(world.branch)
    m = f.member(world.branch, phone="13812345678")

    response = client_for(secretary).post(
        f"/api/v1/members/{m.pk}/reveal/", {"field": "phone", "reason": "通知参加支部大会"}
    )

    assert response.status_code == 200
    assert response.json() == {"field": "phone", "value": "13812345678"}
    assert list(PersonalDataAccess.objects.values_list("actor", "member", "field", "reason")) == [
        (secretary.pk, m.pk, "phone", "通知参加支部大会")
    ]


def test_reveal_without_reason_is_400_and_outside_jurisdiction_404(world):
    m = f.member(world.branch)

    missing = client_for(world.secretary(world.branch)).post(f"/api/v1/members/{m.pk}/reveal/", {"field": "phone"})
    outside = client_for(world.secretary(world.sibling_branch)).post(
        f"/api/v1/members/{m.pk}/reveal/", {"field": "phone", "reason": "查看"}
    )

    assert (missing.status_code, list(missing.json())) == (400, ["reason"])
    assert outside.status_code == 404
    assert PersonalDataAccess.objects.count() == 0


def test_member_sees_only_itself(world):
    user = world.member(world.branch)
    own = f.member(world.branch, user=user)
    other = f.member(world.branch)
    client = client_for(user)

    assert [r["id"] for r in client.get("/api/v1/members/").json()["results"]] == [own.pk]
    assert client.get(f"/api/v1/members/{other.pk}/").status_code == 404


def test_no_credentials_is_401(api, db):
    assert api.get("/api/v1/members/").status_code == 401
    assert api.get("/api/v1/mobile-members/").status_code == 401


def test_create_member_validates_fields_and_conflicts(world):
    client = client_for(world.secretary(world.branch))
    number = f.id_number()
    body = {"branch": world.branch.pk, "name": "赵文杰", "id_number": number, "joined_on": "2010-07-01"}

    created = client.post("/api/v1/members/", body)
    again = client.post("/api/v1/members/", body)
    bad = client.post("/api/v1/members/", {**body, "id_number": "123"})
    elsewhere = client.post("/api/v1/members/", {**body, "branch": world.sibling_branch.pk, "id_number": f.id_number()})

    assert created.status_code == 201
    assert created.json()["id_number"] == f"{number[:4]}**********{number[-4:]}"
    assert again.status_code == 409
    assert (bad.status_code, list(bad.json())) == (400, ["id_number"])
    assert elsewhere.status_code == 403


def test_blank_monthly_income_is_refused_in_json_and_means_none_in_a_form(world):
    client = client_for(world.secretary(world.branch))
    body = {"branch": world.branch.pk, "name": "钱立新", "joined_on": "2012-07-01"}

    as_json = client.post("/api/v1/members/", {**body, "id_number": f.id_number(), "monthly_income": ""}, format="json")
    as_form = client.post(
        "/api/v1/members/", {**body, "id_number": f.id_number(), "monthly_income": ""}, format="multipart"
    )

    assert (as_json.status_code, as_json.json()) == (400, {"monthly_income": ["请填写合法的数字。"]})
    assert as_form.status_code == 201, as_form.content


def test_probation_decision_flow_over_the_api(world):
    m = f.member(world.branch, status=Member.Status.PROBATIONARY, joined_on=add_months(date.today(), -12))
    secretary = client_for(world.secretary(world.branch))
    admin = client_for(world.admin(world.county))

    proposed = secretary.post(
        f"/api/v1/probations/{m.probation.pk}/decide/",
        {"outcome": "convert", "meeting_on": str(date.today()), "votes_for": 10},
    )
    listed = admin.get("/api/v1/probation-decisions/").json()["results"]
    by_secretary = secretary.post(f"/api/v1/probation-decisions/{proposed.json()['id']}/approve/", {})
    approved = admin.post(
        f"/api/v1/probation-decisions/{proposed.json()['id']}/approve/", {"approved_on": str(date.today())}
    )
    twice = admin.post(
        f"/api/v1/probation-decisions/{proposed.json()['id']}/approve/", {"approved_on": str(date.today())}
    )

    assert proposed.status_code == 201
    assert [d["member_name"] for d in listed] == [m.name]
    assert by_secretary.status_code == 404  # not in the secretary's approval list
    assert approved.json()["state"] == "approved"
    assert twice.status_code == 404
    m.refresh_from_db()
    assert m.status == Member.Status.FULL


def test_probations_ending_within_filters_and_rejects_bad_values(world):
    soon = f.member(
        world.branch, status=Member.Status.PROBATIONARY, joined_on=add_months(date.today(), -12) + timedelta(days=10)
    )
    f.member(world.branch, status=Member.Status.PROBATIONARY, joined_on=date.today() - timedelta(days=30))
    client = client_for(world.secretary(world.branch))

    ending = client.get("/api/v1/probations/", {"ending_within": 30}).json()["results"]

    assert [p["member"] for p in ending] == [soon.pk]
    assert client.get("/api/v1/probations/", {"ending_within": "soon"}).status_code == 400


def test_inflow_secretary_registers_over_the_api_and_then_sees_the_member(world):
    m = f.member(world.branch, name="吴俊峰")
    membership = f.mobile(m, certificate_number="320115-2026-00077", inflow_branch=world.other_city_branch)
    client = client_for(world.secretary(world.other_city_branch))

    before = client.get(f"/api/v1/mobile-members/{membership.pk}/")
    wrong = client.post("/api/v1/mobile-members/lookup/", {"certificate_number": "320115-2026-00077", "name": "吴"})
    card = client.post("/api/v1/mobile-members/lookup/", {"certificate_number": "320115-2026-00077", "name": "吴俊峰"})
    registered = client.post(
        "/api/v1/mobile-members/register/",
        {
            "certificate_number": "320115-2026-00077",
            "name": "吴俊峰",
            "branch": world.other_city_branch.pk,
            "registered_on": "2025-02-01",
            "certificate_verified": True,
        },
    )
    after = client.get(f"/api/v1/mobile-members/{membership.pk}/")
    twice = client.post(
        "/api/v1/mobile-members/register/",
        {
            "certificate_number": "320115-2026-00077",
            "name": "吴俊峰",
            "branch": world.other_city_branch.pk,
            "registered_on": "2025-02-01",
            "certificate_verified": True,
        },
    )

    assert before.status_code == 200  # the expected inflow branch already sees it
    assert wrong.status_code == 400
    assert card.json()["outflow_branch"] == world.branch.full_name
    assert registered.json()["status"] == "registered"
    assert after.json()["inflow_branch"]["id"] == world.other_city_branch.pk
    assert twice.status_code == 409


def test_mobile_sub_resources_by_side(world):
    membership = f.mobile(
        f.member(world.branch), left_on=date(2025, 1, 10), inflow_branch=world.other_city_branch, register=True
    )
    outflow = client_for(world.secretary(world.branch))
    inflow = client_for(world.secretary(world.other_city_branch))
    url = f"/api/v1/mobile-members/{membership.pk}"

    contact = outflow.post(
        f"{url}/contacts/", {"contacted_on": "2025-04-02", "method": "phone", "situation": "在昆山务工"}
    )
    contact_by_inflow = inflow.post(
        f"{url}/contacts/", {"contacted_on": "2025-04-02", "method": "phone", "situation": "x"}
    )
    notice = inflow.post(f"{url}/notices/", {"kind": "situation", "subject": "季度情况", "body": "按时参加活动"})
    dues = inflow.post(
        f"{url}/participations/",
        {
            "kind": "dues",
            "occurred_on": "2025-04-03",
            "description": "党费",
            "dues_amount": "20.00",
            "dues_month": "2025-04-01",
        },
    )
    dues_by_outflow = outflow.post(
        f"{url}/participations/", {"kind": "org_life", "occurred_on": "2025-04-03", "description": "活动"}
    )

    assert (contact.status_code, contact_by_inflow.status_code) == (201, 403)
    assert (notice.status_code, notice.json()["from_side"]) == (201, "inflow")
    assert (dues.status_code, dues_by_outflow.status_code) == (201, 403)
    assert [c["situation"] for c in outflow.get(f"{url}/contacts/").json()] == ["在昆山务工"]
    assert [n["subject"] for n in outflow.get(f"{url}/notices/").json()] == ["季度情况"]


def test_overdue_endpoint_takes_a_date(world):
    membership = f.mobile(f.member(world.branch), left_on=date(2025, 11, 20))
    client = client_for(world.secretary(world.branch))

    at_end = client.get("/api/v1/mobile-members/overdue/", {"on": "2026-03-31"}).json()["results"]
    next_day = client.get("/api/v1/mobile-members/overdue/", {"on": "2026-04-01"}).json()["results"]

    assert (at_end, [r["id"] for r in next_day]) == ([], [membership.pk])
    assert client.get("/api/v1/mobile-members/overdue/", {"on": "April"}).status_code == 400


def test_census_run_by_admin_and_refused_to_secretary(world):
    f.mobile(f.member(world.branch))
    admin = client_for(world.admin(world.county))

    run = admin.post("/api/v1/mobile-censuses/", {"organization": world.committee.pk, "year": 2026})
    entries = admin.get(f"/api/v1/mobile-censuses/{run.json()['id']}/entries/", {"flagged": "true"}).json()
    refused = client_for(world.secretary(world.branch)).post(
        "/api/v1/mobile-censuses/", {"organization": world.committee.pk}
    )

    assert (run.status_code, run.json()["outflow_count"]) == (201, 1)
    assert [e["not_registered"] for e in entries["results"]] == [True]
    assert refused.status_code == 403


def test_partnerships_api(world):
    admin = client_for(world.admin(world.county))
    created = admin.post(
        "/api/v1/partnerships/",
        {
            "kind": "agreement",
            "outflow_org": world.committee.pk,
            "inflow_org": world.other_city_branch.parent_id,
            "title": "双向共管协议",
            "signed_on": "2025-03-01",
            "review_interval_months": 6,
        },
    )
    review = admin.post(
        f"/api/v1/partnerships/{created.json()['id']}/reviews/", {"held_on": "2025-09-10", "summary": "会商"}
    )
    secretary_view = client_for(world.secretary(world.branch)).get("/api/v1/partnerships/").json()["results"]
    outsider_view = client_for(world.secretary(world.sibling_county_branch)).get("/api/v1/partnerships/").json()

    assert (created.status_code, created.json()["next_review_on"]) == (201, "2025-09-01")
    assert review.status_code == 201
    assert [p["title"] for p in secretary_view] == ["双向共管协议"]
    assert outsider_view["count"] == 0


def test_activists_api(world):
    client = client_for(world.secretary(world.branch))
    created = client.post(
        "/api/v1/activists/",
        {
            "branch": world.branch.pk,
            "name": "曹子涵",
            "id_number": f.id_number(male=False),
            "applied_on": "2024-03-01",
            "activist_since": "2024-06-01",
        },
    )
    pk = created.json()["id"]
    promoted = client.post(f"/api/v1/activists/{pk}/promote/", {"candidate_since": "2025-03-01"})
    admitted = client.post(f"/api/v1/activists/{pk}/admit/", {"joined_on": "2025-07-01"})

    assert created.status_code == 201 and "*" in created.json()["id_number"]
    assert promoted.json()["status"] == "candidate"
    assert (admitted.status_code, admitted.json()["status"]) == (201, "probationary")
    assert client.get("/api/v1/activists/").json()["count"] == 0  # admitted ones leave the open list
    assert client.get("/api/v1/activists/", {"stage": "admitted"}).json()["count"] == 1


# --- query counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 12])
def test_member_list_query_count_does_not_grow(world, django_assert_num_queries, rows):
    for _ in range(rows):
        f.member(world.branch)
    client = client_for(world.secretary(world.branch))
    client.get("/api/v1/members/")

    # token, roles, count, page
    with django_assert_num_queries(4):
        response = client.get("/api/v1/members/")

    assert response.json()["count"] == rows


@pytest.mark.parametrize("rows", [1, 8])
def test_mobile_list_query_count_does_not_grow(world, django_assert_num_queries, rows):
    for _ in range(rows):
        membership = f.mobile(f.member(world.branch), inflow_branch=world.other_city_branch, register=True)
        f.contact(membership, date(2025, 6, 1))
    client = client_for(world.secretary(world.other_city_branch))
    client.get("/api/v1/mobile-members/")

    with django_assert_num_queries(4):
        response = client.get("/api/v1/mobile-members/")

    assert [r["last_contact_on"] for r in response.json()["results"]] == ["2025-06-01"] * rows


@pytest.mark.parametrize("rows", [1, 6])
def test_other_lists_query_count_does_not_grow(world, django_assert_num_queries, rows):
    admin_user = world.admin(world.county)
    for i in range(rows):
        m = f.member(world.branch, status=Member.Status.PROBATIONARY, joined_on=add_months(date.today(), -12))
        f.mobile(m, left_on=date(2025, 1, 1))
        services.exemption_request(actor=f.superuser(), member=m, reason="disabled")
        services.probation_decision_propose(
            actor=f.superuser(), probation=m.probation, outcome="cancel", meeting_on=date.today(), votes_for=5
        )
        services.activist_create(
            actor=f.superuser(),
            branch=world.branch,
            name=f"积极分子{i}",
            id_number=f.id_number(),
            applied_on=date(2024, 1, 1),
            activist_since=date(2024, 6, 1),
        )
        services.partnership_create(
            actor=f.superuser(),
            kind="pairing",
            outflow_org=world.branch,
            inflow_org=world.other_city_branch,
            title=f"结对{i}",
            signed_on=date(2025, 1, 1),
        )
    client = client_for(admin_user)
    client.post("/api/v1/mobile-censuses/", {"organization": world.committee.pk})
    census_id = client.get("/api/v1/mobile-censuses/").json()["results"][0]["id"]
    # token, roles, count, page (and the census itself for its entries)
    urls = {
        "/api/v1/probations/": 4,
        "/api/v1/probation-decisions/": 4,
        "/api/v1/record-exemptions/": 4,
        "/api/v1/partnerships/": 4,
        "/api/v1/mobile-censuses/": 4,
        f"/api/v1/mobile-censuses/{census_id}/entries/": 5,
        "/api/v1/mobile-members/overdue/": 4,
        "/api/v1/activists/": 4,
    }
    for url, queries in urls.items():
        client.get(url)
        with django_assert_num_queries(queries):
            response = client.get(url)
        assert response.json()["count"] == (1 if url == "/api/v1/mobile-censuses/" else rows), url


def test_schema_builds_without_warnings_for_members(db, capsys):
    call_command("spectacular", "--fail-on-warn", "--file", "/dev/null")

    err = capsys.readouterr().err
    assert "members" not in err


def test_mobile_members_model_constant_states():
    assert MobileMembership.OPEN == (MobileMembership.Status.OUTFLOW, MobileMembership.Status.REGISTERED)


@pytest.mark.parametrize("verb", ["approve", "reject"])
def test_a_branch_secretary_is_refused_an_exemption_answer_before_the_body_is_read(world, verb):
    secretary = world.secretary(world.branch)
    exemption = services.exemption_request(actor=secretary, member=f.member(world.branch), reason="disabled")
    client = client_for(secretary)

    seen = client.get(f"/api/v1/record-exemptions/{exemption.pk}/")
    answered = client.post(
        f"/api/v1/record-exemptions/{exemption.pk}/{verb}/", {"notes": {"not": "text"}}, format="json"
    )

    assert seen.status_code == 200
    assert answered.status_code == 403
    exemption.refresh_from_db()
    assert exemption.state == "requested"


def test_an_admin_above_answers_an_exemption_and_bad_notes_are_400(world):
    exemption = services.exemption_request(
        actor=world.secretary(world.branch), member=f.member(world.branch), reason="disabled"
    )
    client = client_for(world.admin(world.county))

    bad = client.post(f"/api/v1/record-exemptions/{exemption.pk}/reject/", {"notes": {"not": "text"}}, format="json")
    good = client.post(f"/api/v1/record-exemptions/{exemption.pk}/approve/", {"notes": "同意"}, format="json")

    assert (bad.status_code, list(bad.json())) == (400, ["notes"])
    assert (good.status_code, good.json()["state"]) == (200, "approved")
