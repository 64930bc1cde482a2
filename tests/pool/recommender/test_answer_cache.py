"""Recommendations answered from the shared cache: the same answer for the same question, and never a
stale one after a write to the instructors, their schedules or their ratings."""

from datetime import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.services import blocked_period_add, booking_accept, weekly_availability_set
from pool.services import instructor_rating_summary_set, instructor_update
from tests.booking.factories import lecturer, request_lecture, weekday_after
from tests.conftest import client_for
from tests.pool.recommender.factories import FIRST_AID, pools_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("response_cache")]
URL = "/api/v1/instructors/recommend/"


@pytest.fixture
def pools(world):
    return pools_of(world)


@pytest.fixture
def ask(world):
    client = client_for(world.secretary(world.branch))
    day = weekday_after(10)

    def ask(need="心肺复苏", **params):
        response = client.get(URL, {"q": need, "branch": world.branch.pk, "date": day.isoformat(), **params})
        assert response.status_code == 200, response.content
        return response.json()["results"]

    ask.day = day
    return ask


def availability(results, pk):
    return next(r["explanation"]["availability"] for r in results if r["id"] == pk)


def test_the_same_question_is_answered_again_without_ranking(world, pools, ask):
    lecturer(pools.county, **FIRST_AID)
    lecturer(pools.city, **FIRST_AID)

    first = ask()
    with CaptureQueriesContext(connection) as queries:
        again = ask()

    assert again == first and len(first) == 2
    # the caller, the branch and its jurisdiction, the index stamps and the pools; no ranking reads
    assert not any("booking_" in q["sql"] or "pool_ratingsummary" in q["sql"] for q in queries.captured_queries)
    assert ask(k=1) == first[:1]  # another question, its own answer


def test_schedule_writes_show_in_the_next_answer(world, pools, ask, django_capture_on_commit_callbacks):
    blocked = lecturer(pools.county, **FIRST_AID)
    booked = lecturer(pools.county, **FIRST_AID)
    weekly = lecturer(pools.county, **FIRST_AID)
    secretary = world.secretary(world.branch)
    assert all(availability(ask(), pk)["available"] for pk in (blocked.pk, booked.pk, weekly.pk))

    with django_capture_on_commit_callbacks(execute=True):
        blocked_period_add(instructor=blocked, actor=None, first_day=ask.day, reason="外出学习")
    assert availability(ask(), blocked.pk) == {
        "date": ask.day.isoformat(),
        "available": False,
        "reason": "已锁定日期：外出学习",
    }

    with django_capture_on_commit_callbacks(execute=True):
        booking_accept(booking=request_lecture(secretary, world.branch, booked, day=ask.day), actor=None)
    answer = ask()
    assert availability(answer, booked.pk)["reason"] == "当天已有讲课安排"
    assert next(r for r in answer if r["id"] == booked.pk)["explanation"]["load"] == 1

    other_weekday = (ask.day.weekday() + 1) % 7
    with django_capture_on_commit_callbacks(execute=True):
        weekly_availability_set(instructor=weekly, actor=None, windows=[(other_weekday, time(9), time(17))])
    assert availability(ask(), weekly.pk)["available"] is False


def test_ratings_and_profiles_show_in_the_next_answer(world, pools, ask, django_capture_on_commit_callbacks):
    rated = lecturer(pools.county, **FIRST_AID)
    assert next(r for r in ask() if r["id"] == rated.pk)["explanation"]["rating"] is None

    with django_capture_on_commit_callbacks(execute=True):
        instructor_rating_summary_set(
            instructor=rated, year=ask.day.year, count=12, mean=Decimal("4.60"), shrunk_score=Decimal("4.50")
        )
    assert next(r for r in ask() if r["id"] == rated.pk)["explanation"]["rating"]["count"] == 12

    def bio_terms():
        found = [r for r in ask("农村电商直播带货") if r["id"] == rated.pk]
        return found[0]["explanation"]["matched_fields"].get("bio", []) if found else []

    assert bio_terms() == []
    with django_capture_on_commit_callbacks(execute=True):
        instructor_update(instructor=rated, actor=None, bio="农村电商与直播带货实务")
    assert bio_terms() != []


def test_branches_that_book_from_other_pools_get_their_own_answers(world, pools):
    near = lecturer(pools.county, **FIRST_AID)
    far = lecturer(pools.other_city, **FIRST_AID)
    params = {"q": "心肺复苏"}

    here = client_for(world.secretary(world.branch)).get(URL, {**params, "branch": world.branch.pk}).json()
    there = (
        client_for(world.secretary(world.other_city_branch))
        .get(URL, {**params, "branch": world.other_city_branch.pk})
        .json()
    )

    assert [r["id"] for r in here["results"]] == [near.pk]
    assert [r["id"] for r in there["results"]] == [far.pk]
