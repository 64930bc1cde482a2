"""Supervision figures from the shared cache: a repeat costs no query, a write under an organization
shows in its report and in every report above it at once, and leaves the reports beside it cached."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activity import selectors, services
from members.services import member_transfer
from tests.activity import factories as af
from tests.conftest import client_for
from tests.members import factories as mf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("response_cache")]

TODAY = date(2026, 11, 28)
OCTOBER = date(2026, 10, 1)


def held(org) -> int:
    return selectors.supervision_report(org=org, year=2026, month=OCTOBER, today=TODAY).totals.held


def queries_for(org) -> int:
    with CaptureQueriesContext(connection) as queries:
        selectors.supervision_report(org=org, year=2026, month=OCTOBER, today=TODAY)
    return len(queries)


def test_a_recorded_day_shows_at_once_in_every_report_above_it(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        af.rule(world.county, day=1)
        af.rule(world.sibling_county, day=10)
        members = [mf.member(world.branch, name=n) for n in ("王建华", "李秀英")]
        mf.member(world.sibling_county_branch, name="赵丽娟")
    above = [world.branch, world.committee, world.county, world.city]
    assert [held(org) for org in above] == [0, 0, 0, 0]
    assert held(world.sibling_county) == 0
    assert queries_for(world.city) == 0  # answered from the cache

    with django_capture_on_commit_callbacks(execute=True):
        af.record(af.plan(world.branch, date(2026, 10, 8), is_activity_day=True), members)

    assert [held(org) for org in above] == [1, 1, 1, 1]
    assert queries_for(world.sibling_county) == 0  # beside the write: still cached
    assert held(world.sibling_county) == 0
    # another day, another key
    november = selectors.supervision_report(org=world.city, year=2026, month=OCTOBER, today=date(2026, 11, 29))
    assert november.totals.held == 1


def test_a_transfer_changes_both_branches_reports(world, django_capture_on_commit_callbacks):
    cadre = mf.member(world.branch, name="钱书记", is_leading_cadre=True)

    def cadres(org) -> list[str]:
        report = selectors.supervision_report(org=org, year=2026, today=TODAY)
        return [row["name"] for row in report.cadres_without_lecture]

    assert cadres(world.branch) == ["钱书记"]
    assert cadres(world.sibling_branch) == []
    with django_capture_on_commit_callbacks(execute=True):
        member_transfer(actor=mf.superuser(), member=cadre, branch=world.sibling_branch)
    assert cadres(world.branch) == []
    assert cadres(world.sibling_branch) == ["钱书记"]


def test_a_question_shows_in_the_open_questions(world, django_capture_on_commit_callbacks):
    def open_questions() -> int:
        return selectors.supervision_report(org=world.county, year=2026, today=TODAY).totals.open_questions

    assert open_questions() == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.question_ask(
            actor=mf.superuser(), branch=world.branch, text="活动室漏雨，请帮助维修", asker_name="李秀英", today=TODAY
        )
    assert open_questions() == 1


def test_the_api_answer_follows_a_recorded_day(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        af.rule(world.county, day=1)
        members = [mf.member(world.branch, name="周建国")]
    admin = client_for(world.admin(world.city))

    def held_now() -> int:
        response = admin.get("/api/v1/activity-supervision/", {"month": "2026-10"})
        assert response.status_code == 200, response.content
        return response.json()["totals"]["held"]

    assert held_now() == 0
    with CaptureQueriesContext(connection) as queries:
        assert held_now() == 0
    assert len(queries) <= 3  # who asks (token or session, roles); the figures come from the cache
    with django_capture_on_commit_callbacks(execute=True):
        af.record(af.plan(world.branch, date(2026, 10, 8), is_activity_day=True), members)
    assert held_now() == 1
