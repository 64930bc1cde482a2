"""What booking tells the pool: the recommender's availability and load, and the instructor's page."""

from datetime import time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from booking import services
from booking.models import Booking
from pool.models import Instructor
from pool.registry import InstructorPanel, instructor_panels, load_around, unavailable_on
from pool.services import instructor_transition
from tests.booking.factories import at, lecturer, request_lecture, span, weekday_after

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(world, pools, secretary):
    """Six instructors, each unavailable on the chosen Monday for a different reason (or not at all)."""
    monday = weekday_after(8)
    while monday.weekday() != 0:
        monday += timedelta(days=1)
    free, blocked, weekly, lecturing, full, suspended = (lecturer(pools.province, monthly_limit=3) for _ in range(6))
    services.blocked_period_add(instructor=blocked, actor=None, first_day=monday, reason="出差")
    services.weekly_availability_set(instructor=weekly, actor=None, windows=[(2, time(9), time(12))])
    services.booking_accept(
        booking=request_lecture(secretary, world.branch, lecturing, **span(monday, (14, 0), (16, 0))), actor=None
    )
    full.monthly_limit = 1
    full.save(update_fields=["monthly_limit"])
    other_day = (
        monday + timedelta(days=1) if (monday + timedelta(days=1)).month == monday.month else monday - timedelta(days=1)
    )
    services.booking_accept(booking=request_lecture(secretary, world.branch, full, **span(other_day)), actor=None)
    instructor_transition(instructor=suspended, actor=None, to_status=Instructor.Status.SUSPENDED, reason="暂停")
    return monday, [free, blocked, weekly, lecturing, full, suspended]


def test_availability_gives_a_reason_for_everyone_who_cannot_lecture(crowd):
    monday, (free, blocked, weekly, lecturing, full, suspended) = crowd

    reasons = unavailable_on([i.pk for i in crowd[1]], monday)

    assert reasons == {
        blocked.pk: "已锁定日期：出差",
        weekly.pk: "星期一不接受讲课",
        lecturing.pk: "当天已有讲课安排",
        full.pk: "本月讲课已达上限（1次）",
        suspended.pk: "不是在聘讲师",
    }
    assert free.pk not in reasons


def test_availability_is_the_same_asked_for_few_or_thousands_of_instructors(crowd):
    monday, people = crowd
    few = [i.pk for i in people]

    assert unavailable_on(few + list(range(10_000, 15_000)), monday) == unavailable_on(few, monday)
    assert len(unavailable_on(few, monday)) == 5


def test_a_lecture_counts_on_its_own_day_only_from_the_first_to_the_last_hour(world, pools, secretary):
    day = weekday_after(9)
    early, late, eve, morrow = (lecturer(pools.province, monthly_limit=10) for _ in range(4))
    for teacher, lecture_day, start, end in (
        (early, day, (0, 0), (1, 0)),
        (late, day, (22, 0), (23, 59)),
        (eve, day - timedelta(days=1), (21, 0), (23, 59)),
        (morrow, day + timedelta(days=1), (0, 0), (2, 0)),
    ):
        services.booking_accept(
            booking=request_lecture(secretary, world.branch, teacher, class_hours=1, **span(lecture_day, start, end)),
            actor=None,
        )

    reasons = unavailable_on([early.pk, late.pk, eve.pk, morrow.pk], day)

    assert reasons == {early.pk: "当天已有讲课安排", late.pk: "当天已有讲课安排"}


def test_availability_takes_one_query_for_any_number_of_instructors(crowd, django_assert_num_queries):
    monday, people = crowd
    ids = [i.pk for i in people] + list(range(10_000, 15_000))

    with django_assert_num_queries(1):
        unavailable_on(ids, monday)
    with django_assert_num_queries(1):
        load_around(ids, monday)


def test_load_counts_confirmed_lectures_within_thirty_days(world, secretary, teacher):
    day = weekday_after(10)
    for offset in (0, 5, 31):
        lecture_day = day + timedelta(days=offset)
        services.booking_accept(
            booking=request_lecture(secretary, world.branch, teacher, **span(lecture_day)), actor=None
        )
    request_lecture(secretary, world.branch, teacher, day=day + timedelta(days=2))

    assert load_around([teacher.pk], day) == {teacher.pk: 2}
    assert load_around([teacher.pk, *range(10_000, 15_000)], day) == {teacher.pk: 2}
    assert load_around([teacher.pk], day + timedelta(days=60)) == {teacher.pk: 1}
    assert load_around([], day) == {}


def test_the_instructors_page_shows_the_schedule_and_the_fees(world, teacher, secretary):
    past = timezone.localdate() - timedelta(days=3)
    done = services.booking_create(
        actor=None,
        branch=world.branch,
        instructor=teacher,
        topic="党课",
        class_hours=3,
        audience_size=30,
        place="会议室",
        starts_at=at(past, 9),
        ends_at=at(past, 11, 30),
    )
    services.booking_accept(booking=done, actor=None)
    services.booking_deliver(booking=done, actor=None)
    upcoming = services.booking_accept(booking=request_lecture(secretary, world.branch, teacher), actor=None)
    request_lecture(secretary, world.branch, teacher, day=weekday_after(14))

    panels = instructor_panels(teacher)
    client = Client()
    client.force_login(teacher.user)
    page = client.get("/pool/me/").content.decode()

    assert [p.title for p in panels[:2]] == ["讲课日程", "讲课费"]  # other apps' panels (evaluation's) follow
    assert dict(panels[0].lines)["待您答复的邀请"] == "1"
    assert dict(panels[0].lines)["即将进行的讲课"] == "1"
    day = upcoming.local_date
    assert dict(panels[0].lines)["下一次讲课"] == f"{day.year}年{day.month}月{day.day}日 09:00"
    assert dict(panels[1].lines) == {"已授课次数": "1", "本年讲课费": "3,000.00 元", "累计讲课费": "3,000.00 元"}
    assert isinstance(panels[0], InstructorPanel)
    assert "3,000.00 元" in page and "讲课日程" in page
    assert Booking.objects.count() == 3


def test_delivered_lectures_give_the_recommender_their_titles(world, teacher, django_capture_on_commit_callbacks):
    from pool.recommender.freshness import read_version
    from pool.registry import lecture_titles

    past = timezone.localdate() - timedelta(days=2)
    lecture = services.booking_create(
        actor=None,
        branch=world.branch,
        instructor=teacher,
        topic="农村人居环境整治",
        class_hours=2,
        audience_size=20,
        place="村委会",
        starts_at=at(past, 9),
        ends_at=at(past, 11),
    )
    services.booking_accept(booking=lecture, actor=None)
    before = read_version()

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_deliver(booking=lecture, actor=None)

    assert lecture_titles([teacher.pk]) == {teacher.pk: ["农村人居环境整治"]}
    assert read_version()[1] == before[1] + 1
