"""Ratings: who may rate, once, within the window; the branch's rating; one-time links; summaries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from booking.models import Booking
from evaluation import services
from evaluation.models import Rating, RatingLink, RatingWindow
from evaluation.selectors import eligible_raters, instructor_summary, open_windows_for_member
from notifications.models import Delivery
from orgs.errors import ConflictError, DomainError
from pool.models import RatingSummary
from tests.evaluation.factories import attendee, close, delivered, lecture_on, rate, window
from tests.members.factories import mobile

pytestmark = pytest.mark.django_db


def test_delivery_opens_the_window_after_commit_and_invites_the_members_who_may_rate(
    world, teacher, secretary, alice, django_capture_on_commit_callbacks, settings
):
    settings.EVALUATION = {"WINDOW_DAYS": 10}
    day = timezone.localdate() - timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        booking = lecture_on(world.branch, teacher, day)

    opened = window(booking)
    assert (opened.instructor, opened.branch, opened.lecture_date, opened.year) == (
        teacher,
        world.branch,
        day,
        day.year,
    )
    assert opened.closes_at - opened.opens_at == timedelta(days=10)
    invited = Delivery.objects.filter(notification__kind="evaluation_rating_open", channel="inapp")
    assert [d.recipient for d in invited] == [alice[0]]


def test_opening_twice_keeps_one_window_and_invites_once(world, teacher, secretary, alice):
    lecture = delivered(world.branch, teacher)
    services.rating_window_open(booking_id=lecture.pk)

    assert RatingWindow.objects.filter(booking=lecture).count() == 1
    assert Delivery.objects.filter(notification__kind="evaluation_rating_open", channel="inapp").count() == 1


def test_a_lecture_not_delivered_has_no_window(world, teacher, secretary):
    from tests.booking.factories import request_lecture

    booking = request_lecture(secretary, world.branch, teacher)

    assert services.rating_window_open(booking_id=booking.pk) is None
    with pytest.raises(ConflictError) as refused:
        rate(booking, secretary)
    assert refused.value.code == "not_delivered"


def test_a_member_who_attended_rates_once(lecture, alice):
    user, member = alice

    rating = rate(lecture, user, (5, 4, 3), comment="联系实际")

    assert (rating.source, rating.member, rating.total, rating.score) == ("member", member, 12, Decimal("4.00"))
    with pytest.raises(ConflictError) as again:
        rate(lecture, user, (1, 1, 1))
    assert again.value.code == "already_rated"
    assert Rating.objects.filter(window__booking=lecture).count() == 1


def test_the_database_refuses_a_second_rating_of_the_same_member(lecture, alice):
    user, member = alice
    first = rate(lecture, user)
    duplicate = Rating(
        window=first.window,
        instructor=first.instructor,
        year=first.year,
        source="member",
        member=member,
        content=1,
        delivery=1,
        practical=1,
        total=3,
    )

    with pytest.raises(Exception) as refused, transaction.atomic():
        duplicate.save()
    assert "unique" in str(refused.value).lower()


def test_rating_after_the_window_is_refused(lecture, alice):
    close(lecture)

    with pytest.raises(ConflictError) as refused:
        rate(lecture, alice[0])

    assert refused.value.code == "rating_closed"
    assert Rating.objects.count() == 0


def test_a_member_of_another_branch_is_refused(lecture, outsider):
    with pytest.raises(PermissionDenied) as refused:
        rate(lecture, outsider[0])

    assert "佳湖社区党支部" in str(refused.value)
    assert Rating.objects.count() == 0


def test_a_member_who_joined_after_the_lecture_is_refused(world, lecture):
    user, _member = attendee(world.branch, username="newcomer", joined_on=timezone.localdate())

    with pytest.raises(PermissionDenied):
        rate(lecture, user)


def test_the_instructor_cannot_rate_their_own_lecture_even_as_a_member_of_the_branch(world, teacher, lecture):
    from tests.members.factories import member

    member(world.branch, user=teacher.user, name=teacher.name)

    with pytest.raises(PermissionDenied) as refused:
        rate(lecture, teacher.user)
    assert Rating.objects.count() == 0
    assert str(refused.value)


def test_an_account_without_a_member_record_is_refused(world, lecture):
    user = world.member(world.branch)

    with pytest.raises(PermissionDenied):
        rate(lecture, user)


def test_a_mobile_member_rates_at_the_inflow_branch_not_at_home(world, teacher, alice):
    from datetime import date

    user, member = alice
    mobile(member, left_on=date(2025, 1, 10), inflow_branch=world.other_city_branch, register=True)
    home = delivered(world.branch, teacher, days_ago=2)
    away = delivered(world.other_city_branch, teacher, days_ago=3, hour=14)

    with pytest.raises(PermissionDenied):
        rate(home, user)
    assert rate(away, user).member == member
    assert [w.booking for w in open_windows_for_member(member)] == []


def test_the_branch_rates_once_through_its_secretary(lecture, secretary, alice):
    rating = rate(lecture, secretary, as_branch=True)

    assert (rating.source, rating.member, rating.submitted_by) == ("branch", None, secretary)
    with pytest.raises(ConflictError):
        rate(lecture, secretary, as_branch=True)
    with pytest.raises(PermissionDenied):
        rate(lecture, alice[0], as_branch=True)


def test_one_time_link_works_once_without_an_account(lecture, secretary):
    link = services.rating_links_create(booking=lecture, actor=secretary, count=3)[0]

    rating = rate(lecture, None, token=link.token)

    assert (rating.source, rating.link, rating.member) == ("link", link, None)
    assert RatingLink.objects.get(pk=link.pk).used_at is not None
    with pytest.raises(ConflictError) as again:
        rate(lecture, None, token=link.token)
    assert again.value.code == "link_used"


def test_a_link_of_another_lecture_is_refused(world, teacher, lecture, secretary):
    other = delivered(world.branch, teacher, days_ago=4, hour=14)
    link = services.rating_links_create(booking=other, actor=secretary, count=1)[0]

    with pytest.raises(DomainError) as refused:
        rate(lecture, None, token=link.token)

    assert refused.value.field == "token"


def test_a_member_using_a_link_rates_as_that_member_once(lecture, secretary, alice):
    user, member = alice
    first, second = services.rating_links_create(booking=lecture, actor=secretary, count=2)

    assert rate(lecture, user, token=first.token).member == member
    with pytest.raises(ConflictError):
        rate(lecture, user, token=second.token)
    with pytest.raises(ConflictError):
        rate(lecture, user)
    assert RatingLink.objects.get(pk=second.pk).used_at is None


def test_links_only_from_the_branch_side_and_within_the_limit(lecture, secretary, alice, settings):
    settings.EVALUATION = {"MAX_LINKS": 5}
    with pytest.raises(PermissionDenied):
        services.rating_links_create(booking=lecture, actor=alice[0], count=1)

    links = services.rating_links_create(booking=lecture, actor=secretary, count=3)
    more = services.rating_links_create(booking=lecture, actor=secretary, count=2)
    with pytest.raises(DomainError) as too_many:
        services.rating_links_create(booking=lecture, actor=secretary, count=1)

    assert [link.serial for link in [*links, *more]] == [1, 2, 3, 4, 5]
    assert len({link.token for link in [*links, *more]}) == 5
    assert too_many.value.field == "count"


@pytest.mark.parametrize(
    ("scores", "field"), [((0, 3, 3), "content"), ((3, 6, 3), "delivery"), ((3, 3, "x"), "practical")]
)
def test_scores_outside_one_to_five_name_the_field(lecture, alice, scores, field):
    with pytest.raises(DomainError) as refused:
        rate(lecture, alice[0], scores)

    assert refused.value.field == field
    assert Rating.objects.count() == 0


def test_a_long_comment_is_refused(lecture, alice):
    with pytest.raises(DomainError) as refused:
        rate(lecture, alice[0], comment="长" * 1001)

    assert refused.value.field == "comment"


def test_each_rating_updates_the_instructors_summary_in_the_pool(world, teacher, lecture, alice, settings):
    settings.EVALUATION = {"PRIOR_WEIGHT": 5}
    bob = attendee(world.branch, username="bob")
    rate(lecture, alice[0], (5, 5, 5))
    rate(lecture, bob[0], (4, 4, 4))

    summary = RatingSummary.objects.get(instructor=teacher, year=window(lecture).year)
    # one instructor in the pool: the pool mean is its own mean, so shrinking changes nothing
    assert (summary.count, summary.mean, summary.shrunk_score) == (2, Decimal("4.50"), Decimal("4.50"))


def test_the_shrunk_score_pulls_toward_the_pool_mean(world, pools, teacher, lecture, alice):
    from tests.booking.factories import lecturer

    other = lecturer(pools.province, username="other")
    crowd = [attendee(world.branch)[0] for _ in range(6)]
    busy = delivered(world.branch, other, days_ago=3, hour=14)
    for user in crowd:
        rate(busy, user, (3, 3, 3))
    rate(lecture, alice[0], (5, 5, 5))

    summary = instructor_summary(teacher, window(lecture).year)
    # pool mean (6·3 + 5)/7 = 3.29; shrunk (1·5 + 5·3.2857…)/6 = 3.57
    assert (summary.count, summary.mean, summary.pool_mean, summary.shrunk_score) == (
        1,
        Decimal("5.00"),
        Decimal("3.29"),
        Decimal("3.57"),
    )


def test_eligibility_without_recorded_attendance_is_the_branchs_members_that_day(world, lecture, alice, outsider):
    _group_user, group_member = attendee(world.branch, username="grouped", group=world.group)

    eligible = eligible_raters(lecture)

    assert eligible.rule == "branch_members"
    assert sorted(m.pk for m in eligible.members) == sorted([alice[1].pk, group_member.pk])


def test_open_windows_for_a_member_leave_out_rated_and_closed_lectures(world, teacher, lecture, alice):
    user, member = alice
    older = delivered(world.branch, teacher, days_ago=5, hour=14)
    closed = delivered(world.branch, teacher, days_ago=6, hour=14)
    close(closed)
    rate(older, user)

    assert [w.booking for w in open_windows_for_member(member)] == [lecture]


def test_catch_up_opens_windows_whose_signal_was_lost(world, teacher, secretary):
    booking = lecture_on(world.branch, teacher, timezone.localdate() - timedelta(days=1))
    assert not RatingWindow.objects.filter(booking=booking).exists()

    assert services.rating_windows_catch_up() == 1
    assert services.rating_windows_catch_up() == 0
    assert Booking.objects.get(pk=booking.pk).rating_window.closes_at > timezone.now()


def test_refresh_rewrites_every_summary_of_the_year(world, pools, teacher, lecture, alice):
    rate(lecture, alice[0], (5, 5, 5))
    year = window(lecture).year
    RatingSummary.objects.filter(instructor=teacher).update(shrunk_score=Decimal("1.00"))

    assert services.rating_summaries_refresh(year=year) == 1
    assert RatingSummary.objects.get(instructor=teacher, year=year).shrunk_score == Decimal("5.00")


def test_recorded_attendance_decides_who_may_rate(world, teacher, lecture, alice):
    from activity.models import Attendance
    from tests.activity.factories import plan, record

    absent_user, absent = attendee(world.branch, username="absent")
    day = window(lecture).lecture_date
    activity = plan(world.branch, day, lecture=lecture, theme="专题党课")
    planned = eligible_raters(lecture)
    record(
        activity, [alice[1], absent], today=timezone.localdate(), overrides={absent.pk: (Attendance.Status.ABSENT, "")}
    )

    eligible = eligible_raters(lecture)
    assert planned.rule == "branch_members"  # planned, not recorded: attendance not known yet
    assert (eligible.rule, list(eligible.members)) == ("attendance", [alice[1]])
    with pytest.raises(PermissionDenied):
        rate(lecture, absent_user)
    assert rate(lecture, alice[0]).member == alice[1]
    assert open_windows_for_member(absent) == []


def test_a_member_present_at_the_recorded_activity_sees_the_lecture_open(world, teacher, lecture, alice):
    from tests.activity.factories import plan, record

    activity = plan(world.branch, window(lecture).lecture_date, lecture=lecture)
    record(activity, [alice[1]], today=timezone.localdate())

    assert [w.booking for w in open_windows_for_member(alice[1])] == [lecture]
