"""The evaluation API: POST bookings/{id}/ratings/ (SPEC section 9) and the rest of /api/v1/ it adds."""

import pytest
from rest_framework.test import APIClient

from evaluation import services
from evaluation.models import EvaluationRun, Rating
from tests.conftest import client_for
from tests.evaluation.factories import attendee, close, delivered, rate
from tests.members.factories import member as member_factory

pytestmark = pytest.mark.django_db

SCORES = {"content": 5, "delivery": 4, "practical": 4, "comment": "案例丰富"}


def url(booking) -> str:
    return f"/api/v1/bookings/{booking.pk}/ratings/"


def test_a_member_who_attended_rates_201_then_409(lecture, alice):
    client = client_for(alice[0])

    created = client.post(url(lecture), SCORES)
    again = client.post(url(lecture), SCORES)

    assert created.status_code == 201
    body = created.json()
    assert (body["booking"], body["source"], body["score"], body["comment"], body["rater"]) == (
        lecture.pk,
        "member",
        "4.33",
        "案例丰富",
        None,
    )
    assert (again.status_code, again.json()["code"]) == (409, "already_rated")


def test_bad_scores_are_400_with_field_errors(lecture, alice):
    response = client_for(alice[0]).post(url(lecture), {"content": 6, "delivery": "x"})

    assert response.status_code == 400
    assert sorted(response.json()) == ["content", "delivery", "practical"]
    assert Rating.objects.count() == 0


def test_without_credentials_or_link_401(lecture):
    assert APIClient().post(url(lecture), SCORES).status_code == 401


def test_outside_the_branch_403_with_the_reason(lecture, outsider):
    response = client_for(outsider[0]).post(url(lecture), SCORES)

    assert response.status_code == 403
    assert "佳湖社区党支部" in response.json()["detail"]


def test_the_instructor_403(lecture, teacher):
    assert client_for(teacher.user).post(url(lecture), SCORES).status_code == 403


def test_after_the_window_409(lecture, alice):
    close(lecture)

    response = client_for(alice[0]).post(url(lecture), SCORES)

    assert (response.status_code, response.json()["code"]) == (409, "rating_closed")


def test_an_unknown_lecture_404_and_one_not_delivered_409(world, teacher, secretary, alice):
    from tests.booking.factories import request_lecture

    booking = request_lecture(secretary, world.branch, teacher)
    client = client_for(alice[0])

    assert client.post("/api/v1/bookings/999999/ratings/", SCORES).status_code == 404
    assert client.post(url(booking), SCORES).json()["code"] == "not_delivered"


def test_a_link_rates_without_an_account(lecture, secretary):
    link = services.rating_links_create(booking=lecture, actor=secretary, count=1)[0]

    first = APIClient().post(url(lecture), {**SCORES, "token": link.token})
    second = APIClient().post(url(lecture), {**SCORES, "token": link.token})
    forged = APIClient().post(url(lecture), {**SCORES, "token": "not-a-token"})

    assert (first.status_code, first.json()["source"]) == (201, "link")
    assert (second.status_code, second.json()["code"]) == (409, "link_used")
    assert (forged.status_code, list(forged.json())) == (400, ["token"])


def test_the_branch_rates_with_as_branch(lecture, secretary):
    response = client_for(secretary).post(url(lecture), {**SCORES, "as_branch": True})

    assert (response.status_code, response.json()["source"]) == (201, "branch")


def test_ratings_list_hides_raters_from_the_instructor_shows_them_to_the_pools_admin(world, lecture, alice, teacher):
    rate(lecture, alice[0], (5, 5, 5), comment="好")
    admin = world.admin(world.province)

    as_teacher = client_for(teacher.user).get(url(lecture)).json()
    as_admin = client_for(admin).get(url(lecture)).json()

    assert [(r["comment"], r["rater"]) for r in as_teacher["results"]] == [("好", None)]
    assert [(r["comment"], r["rater"]) for r in as_admin["results"]] == [("好", alice[1].name)]


def test_ratings_list_is_404_for_a_member_of_another_branch(lecture, outsider):
    assert client_for(outsider[0]).get(url(lecture)).status_code == 404


def test_ratings_list_query_count_does_not_grow(world, lecture, teacher, django_assert_num_queries):
    admin = world.admin(world.province)
    client = client_for(admin)
    rate(lecture, attendee(world.branch)[0])
    with django_assert_num_queries(5) as one:
        assert len(client.get(url(lecture)).json()["results"]) == 1
    for _ in range(4):
        rate(lecture, attendee(world.branch)[0])
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(client.get(url(lecture)).json()["results"]) == 5


def test_open_ratings_for_the_member(world, teacher, lecture, alice, django_assert_num_queries):
    client = client_for(alice[0])
    first = client.get("/api/v1/ratings/open/").json()
    assert [(r["booking"], r["instructor_name"]) for r in first["results"]] == [(lecture.pk, "周立新")]
    with django_assert_num_queries(6) as one:  # token, member, mobile inflows, lectures, activities, eligibility
        client.get("/api/v1/ratings/open/")
    more = [delivered(world.branch, teacher, days_ago=d, hour=14) for d in (3, 4, 5)]
    with django_assert_num_queries(len(one.captured_queries)):
        listed = client.get("/api/v1/ratings/open/").json()
    assert [r["booking"] for r in listed["results"]] == [lecture.pk, *[b.pk for b in more]]  # soonest closing first


def test_summaries_are_scoped_and_do_not_grow_in_queries(
    world, pools, teacher, lecture, alice, django_assert_num_queries
):
    from tests.booking.factories import lecturer

    rate(lecture, alice[0], (4, 4, 4))
    client = client_for(world.admin(world.province))
    with django_assert_num_queries(4) as one:
        body = client.get("/api/v1/rating-summaries/").json()
    assert [(r["instructor_name"], r["count"], r["mean"]) for r in body["results"]] == [("周立新", 1, "4.00")]
    for n in range(3):
        other = lecturer(pools.province, username=f"extra{n}")
        rate(delivered(world.branch, other, days_ago=3, hour=14), attendee(world.branch)[0])
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get("/api/v1/rating-summaries/").json()["count"] == 4
    assert client_for(teacher.user).get("/api/v1/rating-summaries/").json()["count"] == 1
    assert client_for(alice[0]).get("/api/v1/rating-summaries/").json()["count"] == 0
    assert client.get("/api/v1/rating-summaries/?year=abc").status_code == 400


def test_summary_filters_out_of_range_are_400_naming_the_parameter(world):
    client = client_for(world.admin(world.province))

    for param, value in (("pool", "1291437223002264127406080"), ("instructor", str(2**63)), ("year", "10000")):
        response = client.get("/api/v1/rating-summaries/", {param: value})
        assert (response.status_code, list(response.json())) == (400, [param])


def test_links_from_the_branch_side_only(lecture, secretary, alice):
    created = client_for(secretary).post(f"/api/v1/bookings/{lecture.pk}/rating-links/", {"count": 2})
    listed = client_for(secretary).get(f"/api/v1/bookings/{lecture.pk}/rating-links/")
    refused = client_for(alice[0]).post(f"/api/v1/bookings/{lecture.pk}/rating-links/", {"count": 2})
    too_many = client_for(secretary).post(f"/api/v1/bookings/{lecture.pk}/rating-links/", {"count": 10_000})

    assert created.status_code == 201
    assert [link["serial"] for link in created.json()] == [1, 2]
    assert created.json()[0]["url"].startswith("http://testserver/evaluation/r/")
    assert listed.json()["count"] == 2
    assert refused.status_code == 404
    assert (too_many.status_code, list(too_many.json())) == (400, ["count"])


def test_links_of_an_id_beyond_the_database_are_not_found(secretary):
    response = client_for(secretary).get("/api/v1/bookings/168056601298030723072/rating-links/")

    assert response.status_code == 404


def test_a_yearly_run_through_the_api(world, pools, teacher, lecture, alice, django_capture_on_commit_callbacks):
    rate(lecture, alice[0], (4, 4, 4))
    admin = world.admin(world.province)
    client = client_for(admin)
    year = lecture.starts_at.year

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post("/api/v1/evaluation-runs/", {"pool": pools.province.pk, "year": year})
    run = EvaluationRun.objects.get()
    detail = client.get(f"/api/v1/evaluation-runs/{run.pk}/").json()
    proposals = client.get(f"/api/v1/evaluation-runs/{run.pk}/proposals/").json()["results"]
    decided = client.post(
        f"/api/v1/evaluation-proposals/{proposals[0]['id']}/decide/", {"decision": "warn", "reason": "提醒改进"}
    )
    no_reason = client.post(f"/api/v1/evaluation-proposals/{proposals[0]['id']}/decide/", {"decision": "remove"})
    confirmed = client.post(f"/api/v1/evaluation-runs/{run.pk}/confirm/")
    again = client.post(f"/api/v1/evaluation-runs/{run.pk}/recompute/")

    assert started.status_code == 202
    assert (detail["status"], detail["progress"], detail["counts"]["undecided"]) == ("proposed", 100, 1)
    assert [(p["instructor_name"], p["proposed"]) for p in proposals] == [("周立新", "keep")]
    assert (decided.status_code, decided.json()["decision"]) == (200, "warn")
    assert (no_reason.status_code, list(no_reason.json())) == (400, ["reason"])
    assert (confirmed.status_code, confirmed.json()["status"]) == (200, "confirmed")
    assert (again.status_code, again.json()["code"]) == (409, "run_confirmed")


def test_runs_are_invisible_outside_the_admins_jurisdiction(world, pools, lecture, alice):
    rate(lecture, alice[0])
    run = services.run_start(pool=pools.province, year=lecture.starts_at.year, actor=None)
    other_city_admin = world.admin(world.other_city)

    assert client_for(other_city_admin).get(f"/api/v1/evaluation-runs/{run.pk}/").status_code == 404
    assert client_for(other_city_admin).get("/api/v1/evaluation-runs/").json()["count"] == 0
    assert client_for(world.admin(world.province)).get("/api/v1/evaluation-runs/").json()["count"] == 1
    started = client_for(other_city_admin).post("/api/v1/evaluation-runs/", {"pool": pools.province.pk, "year": 2026})
    assert started.status_code == 403
    # A member never starts a run: refused as a person (403) before the pool they name is looked up; an
    # admin naming a pool that does not exist hears so (400).
    assert client_for(alice[0]).post("/api/v1/evaluation-runs/", {"pool": 999999, "year": 2026}).status_code == 403
    assert (
        client_for(other_city_admin).post("/api/v1/evaluation-runs/", {"pool": 999999, "year": 2026}).status_code == 400
    )


def test_runs_list_query_count_does_not_grow(world, pools, django_assert_num_queries):
    from tests.pool.factories import pool_for

    admin = world.admin(world.province)
    client = client_for(admin)
    services.run_start(pool=pools.province, year=2025, actor=None)
    with django_assert_num_queries(4) as one:
        assert client.get("/api/v1/evaluation-runs/").json()["count"] == 1
    services.run_start(pool=pools.county, year=2025, actor=None)
    services.run_start(pool=pool_for(world.city), year=2024, actor=None)
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get("/api/v1/evaluation-runs/").json()["count"] == 3


def test_incidents_recorded_and_listed_by_the_pools_admin(world, teacher, lecture):
    admin = world.admin(world.province)
    client = client_for(admin)

    created = client.post(
        "/api/v1/discipline-incidents/",
        {
            "instructor": teacher.pk,
            "occurred_on": lecture.starts_at.date().isoformat(),
            "description": "无故迟到",
            "handling": "criticism",
            "booking": lecture.pk,
        },
    )
    future = client.post(
        "/api/v1/discipline-incidents/",
        {"instructor": teacher.pk, "occurred_on": "2999-01-01", "description": "x", "handling": "criticism"},
    )

    body = created.json()
    assert (created.status_code, body["handling"], body["booking"]) == (201, "criticism", lecture.pk)
    assert (future.status_code, list(future.json())) == (400, ["occurred_on"])
    assert client.get("/api/v1/discipline-incidents/").json()["count"] == 1
    assert client_for(world.admin(world.other_city)).get("/api/v1/discipline-incidents/").json()["count"] == 0


def test_a_member_record_without_login_cannot_be_used_by_someone_else(world, lecture):
    member_factory(world.branch, name="无账号党员")
    user = world.member(world.branch)

    assert client_for(user).post(url(lecture), SCORES).status_code == 403


def test_the_schema_builds_without_warnings_and_documents_the_ratings_endpoint(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yml"))

    schema = (tmp_path / "schema.yml").read_text()
    assert "/api/v1/bookings/{booking_id}/ratings/:" in schema
    assert "/api/v1/evaluation-runs/{id}/confirm/:" in schema


GARBAGE = [
    {},
    {"content": None, "delivery": [], "practical": {"a": 1}},
    {**SCORES, "content": "5.5"},
    {**SCORES, "comment": ["列表"]},
    {**SCORES, "as_branch": "maybe"},
    {**SCORES, "token": ["x"]},
    {**SCORES, "token": "x" * 500},
    {**SCORES, "content": 10**30},
]


@pytest.mark.parametrize("payload", GARBAGE)
def test_garbage_is_answered_4xx_never_500(world, pools, lecture, alice, payload):
    client = client_for(alice[0])
    client.raise_request_exception = False
    admin = client_for(world.admin(world.province))
    admin.raise_request_exception = False

    assert 400 <= client.post(url(lecture), payload, format="json").status_code < 500
    assert 400 <= admin.post("/api/v1/evaluation-runs/", payload, format="json").status_code < 500
    assert 400 <= admin.post("/api/v1/discipline-incidents/", payload, format="json").status_code < 500
    assert 400 <= admin.post(f"/api/v1/bookings/{lecture.pk}/rating-links/", payload, format="json").status_code < 500


@pytest.mark.parametrize(
    "payload", [{"pool": "abc", "year": 2026}, {"pool": 1, "year": 10**30}, {"pool": None}, {"year": "二〇二六"}]
)
def test_odd_run_requests_are_400(world, pools, payload):
    client = client_for(world.admin(world.province))
    client.raise_request_exception = False

    assert client.post("/api/v1/evaluation-runs/", payload, format="json").status_code == 400


def test_proposals_list_query_count_does_not_grow(
    world, pools, teacher, lecture, alice, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from tests.booking.factories import lecturer

    rate(lecture, alice[0])
    client = client_for(world.admin(world.province))
    year = lecture.starts_at.year
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_start(pool=pools.province, year=year, actor=None)
    with django_assert_num_queries(5) as one:
        assert client.get(f"/api/v1/evaluation-runs/{run.pk}/proposals/").json()["count"] == 1
    for n in range(3):
        lecturer(pools.province, username=f"more{n}")
    with django_capture_on_commit_callbacks(execute=True):
        services.run_start(pool=pools.province, year=year, actor=None)
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(f"/api/v1/evaluation-runs/{run.pk}/proposals/").json()["count"] == 4


def test_incidents_and_links_lists_query_counts_do_not_grow(
    world, teacher, lecture, secretary, django_assert_num_queries
):
    from evaluation.models import DisciplineIncident

    admin = world.admin(world.province)
    admin_client, branch_client = client_for(admin), client_for(secretary)

    def record():
        services.incident_record(
            instructor=teacher,
            actor=admin,
            occurred_on=lecture.starts_at.date(),
            description="迟到",
            handling=DisciplineIncident.Handling.CRITICISM,
        )

    record()
    services.rating_links_create(booking=lecture, actor=secretary, count=1)
    with django_assert_num_queries(4) as incidents_one:
        assert admin_client.get("/api/v1/discipline-incidents/").json()["count"] == 1
    with django_assert_num_queries(5) as links_one:
        assert branch_client.get(f"/api/v1/bookings/{lecture.pk}/rating-links/").json()["count"] == 1
    for _ in range(3):
        record()
    services.rating_links_create(booking=lecture, actor=secretary, count=3)
    with django_assert_num_queries(len(incidents_one.captured_queries)):
        assert admin_client.get("/api/v1/discipline-incidents/").json()["count"] == 4
    with django_assert_num_queries(len(links_one.captured_queries)):
        assert branch_client.get(f"/api/v1/bookings/{lecture.pk}/rating-links/").json()["count"] == 4
