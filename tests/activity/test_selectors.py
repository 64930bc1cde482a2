from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activity import selectors, services
from orgs.models import Organization
from orgs.services import org_create
from tests.activity import factories as af
from tests.members import factories as mf

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 28)


@pytest.fixture
def october(world):
    """October 2026 in 南京市: 佳湖 held its day (one absent), 上坊 did not, 新华 (玄武区) held it in full."""
    af.rule(world.county, day=1)
    af.rule(world.sibling_county, day=10)
    home = [mf.member(world.branch, name=n) for n in ("王建华", "李秀英", "张志强")]
    mf.member(world.sibling_branch, name="刘德胜")
    xuanwu = [mf.member(world.sibling_county_branch, name=n) for n in ("赵丽娟", "孙海燕")]
    held = af.record(
        af.plan(world.branch, date(2026, 10, 8), is_activity_day=True), home, overrides={home[2].pk: ("absent", "")}
    )
    af.record(af.plan(world.sibling_county_branch, date(2026, 10, 10), is_activity_day=True), xuanwu)
    services.monthly_report_submit(
        actor=mf.superuser(),
        branch=world.branch,
        month=date(2026, 10, 1),
        text="十月报告",
        now=timezone.make_aware(datetime(2026, 11, 3, 10)),
    )
    services.question_ask(
        actor=mf.superuser(),
        branch=world.branch,
        asked_by=home[0],
        text="逾期问题",
        due_on=date(2026, 11, 1),
        today=date(2026, 10, 8),
    )
    return world, held


def test_city_supervision_for_a_month_counts_branches_attendance_reports_and_questions(october):
    world, _held = october

    report = selectors.supervision_report(org=world.city, year=2026, month=date(2026, 10, 1), today=TODAY)

    t = report.totals
    assert (t.units, t.branch_months, t.held, t.not_held) == (3, 3, 2, 1)
    assert (t.expected, t.present, t.absent, t.attendance_rate) == (5, 4, 1, 0.8)
    assert (t.reports_due, t.reports_on_time, t.reports_late, t.reports_missing) == (3, 1, 0, 2)
    assert (t.open_questions, t.overdue_questions) == (1, 1)
    assert [(c.org.name, c.figures.units, c.figures.held) for c in report.children] == [
        ("江宁区", 2, 1),
        ("玄武区", 1, 1),
    ]
    assert [b["name"] for b in report.not_held] == ["上坊村党支部"]
    assert [q.text for q in report.overdue] == ["逾期问题"]


def test_drilling_down_reaches_the_branches_and_their_activities(october):
    world, held = october

    county = selectors.supervision_report(org=world.county, year=2026, month=date(2026, 10, 1), today=TODAY)
    committee = selectors.supervision_report(org=world.committee, year=2026, month=date(2026, 10, 1), today=TODAY)
    branch = selectors.supervision_report(org=world.branch, year=2026, month=date(2026, 10, 1), today=TODAY)

    assert [c.org.name for c in county.children] == ["东山街道党工委"]
    assert [(c.org.name, c.figures.held, c.figures.not_held) for c in committee.children] == [
        ("佳湖社区党支部", 1, 0),
        ("上坊村党支部", 0, 1),
    ]
    assert (branch.children, [a.pk for a in branch.activities]) == ([], [held.pk])


def test_a_year_counts_the_months_begun_and_charts_each_month(october):
    world, _held = october

    report = selectors.supervision_report(org=world.city, year=2026, today=TODAY)

    assert (report.totals.units, report.totals.branch_months, report.totals.held) == (3, 33, 2)
    by_month = {m.month: (f.held, f.attendance_rate) for m, f in report.by_month}
    assert len(by_month) == 11
    assert by_month[10] == (2, 0.8)
    assert by_month[9] == (0, None)
    assert sorted(b["missed"] for b in report.not_held) == [10, 10, 11]


def test_absences_three_in_a_row_are_listed_by_member(world):
    af.rule(world.county, day=1)
    members = [mf.member(world.branch, name=n) for n in ("王建华", "李秀英")]
    for month in (8, 9, 10):
        day = selectors.planned_day(world.branch, date(2026, month, 1)).date
        af.record(af.plan(world.branch, day, is_activity_day=True), members, overrides={members[1].pk: ("absent", "")})

    year = selectors.supervision_report(org=world.county, year=2026, today=TODAY)
    september = selectors.supervision_report(org=world.county, year=2026, month=date(2026, 9, 1), today=TODAY)

    assert [(s["member__name"], s["streak"], s["last"]) for s in year.streaks] == [("李秀英", 3, date(2026, 10, 8))]
    assert year.totals.streak_members == 1
    assert september.streaks == []


def test_leading_cadres_who_gave_no_lecture_and_branches_whose_secretary_gave_none(world):
    af.rule(world.county, day=1)
    cadre = mf.member(world.branch, name="赵书记", is_leading_cadre=True)
    lecturer = mf.member(world.sibling_branch, name="钱主任", is_leading_cadre=True)
    plain = mf.member(world.branch, name="王建华")
    activity = af.plan(
        world.branch,
        date(2026, 10, 8),
        is_activity_day=True,
        content_types=["party_lecture"],
        lecturer_kind="leading_cadre",
        lecturer_member=lecturer,
    )
    af.record(activity, [cadre, plain])
    af.record(
        af.plan(
            world.sibling_branch,
            date(2026, 10, 8),
            is_activity_day=True,
            content_types=["party_lecture"],
            lecturer_kind="secretary",
            lecturer_name="孙书记",
        ),
        [lecturer],
    )

    report = selectors.supervision_report(org=world.county, year=2026, today=TODAY)

    assert [c["name"] for c in report.cadres_without_lecture] == ["赵书记"]
    assert {c["name"]: (c["present"], c["expected"], c["gave_lecture"]) for c in report.cadre_attendance} == {
        "赵书记": (1, 1, False),
        "钱主任": (1, 1, True),
    }
    assert [b["name"] for b in report.secretaries_without_lecture] == ["佳湖社区党支部"]


def test_a_general_branch_with_branches_below_leaves_the_day_to_them(world):
    general = org_create(parent=world.committee, name="第二党总支", kind=Organization.Kind.GENERAL_BRANCH)
    org_create(parent=general, name="总支下属第一党支部", kind=Organization.Kind.BRANCH)
    lone = org_create(parent=world.committee, name="独立党总支", kind=Organization.Kind.GENERAL_BRANCH)

    names = sorted(o.name for o in selectors.units_under(world.committee))

    assert names == sorted(["佳湖社区党支部", "上坊村党支部", "总支下属第一党支部", lone.name])


def _add_branches(world, n: int):
    members = []
    for i in range(n):
        branch = org_create(parent=world.committee, name=f"新增第{i}党支部", kind=Organization.Kind.BRANCH)
        member = mf.member(branch)
        members.append(member)
        activity = af.plan(branch, date(2026, 10, 8), is_activity_day=True)
        af.record(activity, [member], overrides={member.pk: ("absent", "")})
        services.question_ask(
            actor=mf.superuser(),
            branch=branch,
            asked_by=member,
            text="问题",
            due_on=date(2026, 10, 20),
            today=date(2026, 10, 8),
        )
    return members


@pytest.mark.parametrize("month", [None, date(2026, 10, 1)])
def test_supervision_query_count_does_not_grow_with_branches(world, month):
    af.rule(world.county, day=1)
    mf.member(world.branch, is_leading_cadre=True)
    _add_branches(world, 1)
    with CaptureQueriesContext(connection) as few:
        selectors.supervision_report(org=world.city, year=2026, month=month, today=TODAY)
    _add_branches(world, 6)
    with CaptureQueriesContext(connection) as many:
        report = selectors.supervision_report(org=world.city, year=2026, month=month, today=TODAY)

    assert report.totals.held == 7
    assert len(many.captured_queries) == len(few.captured_queries)
