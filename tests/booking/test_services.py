"""The booking services: who may book whom, the state machine, schedules, notifications."""

from datetime import time, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from booking import services
from booking.dbguard import overlap_guard_installed
from booking.models import Booking, OpenAnswer, TimeProposal
from booking.signals import lecture_delivered
from notifications.models import Notification
from orgs.errors import ConflictError, DomainError, InvalidTransition
from pool.models import Category, Instructor
from pool.services import instructor_transition
from tests.booking.factories import at, lecturer, request_lecture, span, weekday_after
from tests.pool.factories import instructor

pytestmark = pytest.mark.django_db
S = Booking.Status


def kinds() -> list[str]:
    return list(Notification.objects.order_by("id").values_list("kind", flat=True))


def recipients(kind: str) -> list[str]:
    return sorted(
        Notification.objects.get(kind=kind)
        .deliveries.filter(channel="inapp")
        .values_list("recipient__username", flat=True)
    )


def history(booking) -> list[tuple[str, str]]:
    return list(booking.status_changes.order_by("id").values_list("from_status", "to_status"))


def past_lecture(branch, teacher, *, days_ago: int = 3) -> Booking:
    """An accepted lecture that has ended (recorded by the system)."""
    day = timezone.localdate() - timedelta(days=days_ago)
    booking = services.booking_create(
        actor=None,
        branch=branch,
        instructor=teacher,
        topic="党史学习教育",
        class_hours=2,
        audience_size=30,
        place="会议室",
        **span(day),
    )
    return services.booking_accept(booking=booking, actor=None)


# --- who may book whom -----------------------------------------------------------------------------


def test_jiangning_secretary_books_provincial_city_and_county_instructors(world, pools, secretary):
    for pool in (pools.province, pools.city, pools.county):
        teacher = instructor(pool)

        booking = request_lecture(secretary, world.branch, teacher, day=weekday_after(7 + teacher.pk))

        assert (booking.status, booking.instructor_id) == (S.REQUESTED, teacher.pk)


def test_xuzhou_secretary_cannot_book_from_nanjing_pool(world, pools):
    xuzhou_secretary = world.secretary(world.other_city_branch)
    nanjing = instructor(pools.city)

    with pytest.raises(PermissionDenied):
        request_lecture(xuzhou_secretary, world.other_city_branch, nanjing)
    assert Booking.objects.count() == 0


def test_a_neighbouring_county_pool_is_not_bookable(world, pools, secretary):
    with pytest.raises(PermissionDenied):
        request_lecture(secretary, world.branch, instructor(pools.sibling_county))


def test_a_secretary_books_only_for_its_own_branch(world, teacher, secretary):
    with pytest.raises(PermissionDenied):
        request_lecture(secretary, world.sibling_branch, teacher)


def test_an_admin_is_not_the_branch_side(world, teacher):
    with pytest.raises(PermissionDenied):
        request_lecture(world.admin(world.county), world.branch, teacher)


def test_an_inactive_instructor_cannot_be_booked(world, pools, teacher, secretary):
    instructor_transition(instructor=teacher, actor=None, to_status=Instructor.Status.SUSPENDED, reason="休假")

    with pytest.raises(PermissionDenied):
        request_lecture(secretary, world.branch, teacher)


# --- input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"topic": "  "}, "topic"),
        ({"class_hours": 0}, "class_hours"),
        ({"class_hours": 9}, "class_hours"),
        ({"class_hours": 4}, "class_hours"),  # 4 class hours do not fit into 09:00–11:00
        ({"audience_size": 0}, "audience_size"),
        ({"place": ""}, "place"),
        ({"contact_phone": "12345"}, "contact_phone"),
        ({"category": "astrology"}, "category"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(world, teacher, secretary, fields, field):
    with pytest.raises(DomainError) as exc:
        request_lecture(secretary, world.branch, teacher, **fields)

    assert exc.value.field == field
    assert Booking.objects.count() == 0


def test_times_must_be_in_the_future_and_on_one_day(world, teacher, secretary):
    yesterday = timezone.localdate() - timedelta(days=1)
    day = weekday_after(7)

    with pytest.raises(DomainError) as past:
        request_lecture(secretary, world.branch, teacher, **span(yesterday))
    with pytest.raises(DomainError) as backwards:
        request_lecture(secretary, world.branch, teacher, starts_at=at(day, 11), ends_at=at(day, 9))
    with pytest.raises(DomainError) as overnight:
        request_lecture(secretary, world.branch, teacher, starts_at=at(day, 20), ends_at=at(day + timedelta(days=1), 1))

    assert (past.value.field, backwards.value.field, overnight.value.field) == ("starts_at", "ends_at", "ends_at")


def test_an_online_lecture_needs_no_place(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher, mode=Booking.Mode.ONLINE, place="")

    assert (booking.mode, booking.place) == ("online", "")


# --- the direct request ----------------------------------------------------------------------------


def test_a_request_waits_for_the_instructor_who_is_told(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher, day=weekday_after(12))

    assert booking.status == S.REQUESTED
    assert booking.respond_by == booking.created_at + timedelta(days=7)
    assert history(booking) == [("", "requested")]
    assert kinds() == ["booking_requested"]
    assert recipients("booking_requested") == ["teacher"]
    assert Notification.objects.get().title == f"新的讲课邀请：{world.branch.full_name}请讲授“新时代党的建设”"


def test_accepting_confirms_and_tells_the_branch(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher)

    booking = services.booking_accept(booking=booking, actor=teacher.user)

    assert booking.status == S.ACCEPTED
    assert history(booking) == [("", "requested"), ("requested", "accepted")]
    assert recipients("booking_accepted") == ["sec"]


def test_only_the_instructor_answers(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher)

    with pytest.raises(PermissionDenied):
        services.booking_accept(booking=booking, actor=secretary)


def test_pool_admins_answer_for_an_instructor_without_a_log_in(world, pools, secretary):
    no_login = instructor(pools.county)
    county_admin = world.admin(world.county, username="county_admin")
    booking = request_lecture(secretary, world.branch, no_login)

    services.booking_accept(booking=booking, actor=county_admin)

    assert recipients("booking_requested") == ["county_admin"]
    assert Booking.objects.get().status == S.ACCEPTED


def test_declining_needs_a_reason(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher)

    with pytest.raises(DomainError) as exc:
        services.booking_decline(booking=booking, actor=teacher.user, reason=" ")
    booking = services.booking_decline(booking=booking, actor=teacher.user, reason="当天在外地授课")

    assert exc.value.field == "reason"
    assert (booking.status, booking.closing_reason) == (S.DECLINED, "当天在外地授课")
    assert booking.status_changes.last().reason == "当天在外地授课"
    assert recipients("booking_declined") == ["sec"]


def test_a_declined_request_cannot_be_accepted(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher)
    services.booking_decline(booking=booking, actor=teacher.user, reason="无法参加")

    with pytest.raises(ConflictError):
        services.booking_accept(booking=booking, actor=teacher.user)


def test_the_state_machine_refuses_moves_outside_its_table(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher)

    with pytest.raises(InvalidTransition):
        booking.transition_to(S.DELIVERED)


def test_either_side_cancels_with_a_reason_and_the_other_is_told(world, teacher, secretary):
    first = services.booking_accept(booking=request_lecture(secretary, world.branch, teacher), actor=teacher.user)
    second = services.booking_accept(
        booking=request_lecture(secretary, world.branch, teacher, day=weekday_after(10)), actor=teacher.user
    )

    services.booking_cancel(booking=first, actor=secretary, reason="支部活动调整")
    services.booking_cancel(booking=second, actor=teacher.user, reason="临时出差")

    cancelled = Notification.objects.filter(kind="booking_cancelled").order_by("id")
    assert [
        list(n.deliveries.filter(channel="inapp").values_list("recipient__username", flat=True)) for n in cancelled
    ] == [
        ["teacher"],
        ["sec"],
    ]
    assert list(Booking.objects.order_by("id").values_list("status", "closing_reason")) == [
        ("cancelled", "支部活动调整"),
        ("cancelled", "临时出差"),
    ]


def test_an_instructor_declines_rather_than_cancels_a_request(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher)

    with pytest.raises(ConflictError):
        services.booking_cancel(booking=booking, actor=teacher.user, reason="不想去")


# --- another time -----------------------------------------------------------------------------------


def test_the_branch_accepts_a_proposed_time_and_the_lecture_moves_there(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher)
    later = weekday_after(14)

    proposal = services.booking_propose(
        booking=booking, actor=teacher.user, note="那天有课", **span(later, (14, 0), (16, 0))
    )
    booking.refresh_from_db()
    assert (booking.status, recipients("booking_proposed")) == (S.PROPOSED, ["sec"])

    booking = services.booking_proposal_accept(booking=booking, actor=secretary)

    proposal.refresh_from_db()
    assert (booking.status, booking.starts_at, booking.ends_at, booking.sequence) == (
        S.ACCEPTED,
        at(later, 14),
        at(later, 16),
        1,
    )
    assert proposal.status == TimeProposal.Status.ACCEPTED
    assert recipients("booking_proposal_accepted") == ["teacher"]
    assert history(booking)[-2:] == [("requested", "proposed"), ("proposed", "accepted")]


def test_the_branch_refuses_a_proposal_and_the_request_waits_again(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher)
    services.booking_propose(booking=booking, actor=teacher.user, **span(weekday_after(14)))

    booking = services.booking_proposal_refuse(booking=booking, actor=secretary, note="只能这天")

    assert booking.status == S.REQUESTED
    assert booking.proposals.get().status == TimeProposal.Status.REFUSED
    assert recipients("booking_proposal_refused") == ["teacher"]
    assert services.booking_accept(booking=booking, actor=teacher.user).status == S.ACCEPTED


def test_a_proposal_must_be_another_time_that_suits_the_instructor(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher)
    services.weekly_availability_set(instructor=teacher, actor=teacher.user, windows=[(0, time(9), time(12))])

    with pytest.raises(DomainError):
        services.booking_propose(
            booking=booking, actor=teacher.user, starts_at=booking.starts_at, ends_at=booking.ends_at
        )
    tuesday = weekday_after(7)
    while tuesday.weekday() != 1:
        tuesday += timedelta(days=1)
    with pytest.raises(ConflictError):
        services.booking_propose(booking=booking, actor=teacher.user, **span(tuesday))


# --- the schedule -----------------------------------------------------------------------------------


def _monday(days: int = 7):
    day = weekday_after(days)
    while day.weekday() != 0:
        day += timedelta(days=1)
    return day


def test_accepting_outside_the_weekly_availability_is_refused_with_the_reason(world, teacher, secretary):
    monday = _monday()
    booking = request_lecture(secretary, world.branch, teacher, **span(monday, (14, 0), (16, 0)))
    services.weekly_availability_set(instructor=teacher, actor=teacher.user, windows=[(0, time(9), time(12))])

    with pytest.raises(ConflictError) as exc:
        services.booking_accept(booking=booking, actor=teacher.user)

    assert str(exc.value.message) == f"{teacher.name}在星期一只在 09:00–12:00 接受讲课。"
    assert Booking.objects.get().status == S.REQUESTED


def test_no_lectures_on_a_weekday_without_windows(world, teacher, secretary):
    services.weekly_availability_set(instructor=teacher, actor=teacher.user, windows=[(0, time(9), time(12))])
    tuesday = _monday() + timedelta(days=1)

    with pytest.raises(ConflictError) as exc:
        request_lecture(secretary, world.branch, teacher, **span(tuesday))

    assert str(exc.value.message) == f"{teacher.name}星期二不接受讲课。"


def test_accepting_on_a_blocked_date_is_refused(world, teacher, secretary):
    day = weekday_after(7)
    booking = request_lecture(secretary, world.branch, teacher, day=day)
    services.blocked_period_add(instructor=teacher, actor=teacher.user, first_day=day, reason="出国访问")

    with pytest.raises(ConflictError) as exc:
        services.booking_accept(booking=booking, actor=teacher.user)

    assert "出国访问" in str(exc.value.message)


def test_accepting_past_the_monthly_limit_is_refused(world, pools, secretary):
    busy = lecturer(pools.province, monthly_limit=2)
    first_day = weekday_after(7)
    month = first_day.month
    days = [first_day + timedelta(days=i) for i in range(40)]
    days = [d for d in days if d.month == month and d.weekday() < 5][:3]
    if len(days) < 3:  # too close to the end of the month: use the next one
        first_day = (first_day.replace(day=1) + timedelta(days=32)).replace(day=1)
        days = [d for d in (first_day + timedelta(days=i) for i in range(28)) if d.weekday() < 5][:3]
    bookings = [request_lecture(secretary, world.branch, busy, day=d) for d in days]
    services.booking_accept(booking=bookings[0], actor=busy.user)
    services.booking_accept(booking=bookings[1], actor=busy.user)

    with pytest.raises(ConflictError) as exc:
        services.booking_accept(booking=bookings[2], actor=busy.user)

    assert "2" in str(exc.value.message) and f"{days[2].month}月" in str(exc.value.message)


def test_no_two_accepted_lectures_of_an_instructor_overlap(world, teacher, secretary):
    day = weekday_after(7)
    first = request_lecture(secretary, world.branch, teacher, **span(day, (9, 0), (11, 0)))
    other_secretary = world.secretary(world.sibling_branch)
    second = request_lecture(other_secretary, world.sibling_branch, teacher, **span(day, (10, 0), (12, 0)))
    back_to_back = request_lecture(other_secretary, world.sibling_branch, teacher, **span(day, (11, 0), (12, 30)))
    services.booking_accept(booking=first, actor=teacher.user)

    with pytest.raises(ConflictError) as exc:
        services.booking_accept(booking=second, actor=teacher.user)
    services.booking_accept(booking=back_to_back, actor=teacher.user)

    assert "已有确认的讲课" in str(exc.value.message)
    assert sorted(Booking.objects.values_list("status", flat=True)) == ["accepted", "accepted", "requested"]


def test_a_request_for_a_time_already_taken_is_refused_at_once(world, teacher, secretary):
    first = request_lecture(secretary, world.branch, teacher)
    services.booking_accept(booking=first, actor=teacher.user)

    with pytest.raises(ConflictError):
        request_lecture(secretary, world.branch, teacher, starts_at=first.starts_at, ends_at=first.ends_at)


def test_the_database_itself_refuses_overlapping_confirmed_lectures(world, teacher, secretary):
    """Below the services: a raw write of a second overlapping accepted lecture is aborted."""
    first = services.booking_accept(booking=request_lecture(secretary, world.branch, teacher), actor=teacher.user)
    second = request_lecture(secretary, world.branch, teacher, day=first.local_date + timedelta(days=1))
    assert overlap_guard_installed(connection)

    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=second.pk).update(starts_at=first.starts_at, ends_at=first.ends_at, status=S.ACCEPTED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            branch=world.branch,
            instructor=teacher,
            topic="插队",
            starts_at=first.starts_at + timedelta(minutes=30),
            ends_at=first.ends_at + timedelta(minutes=30),
            class_hours=1,
            audience_size=1,
            status=S.ACCEPTED,
        )
    # cancelled or requested rows may overlap; so may lectures of different instructors
    Booking.objects.filter(pk=second.pk).update(starts_at=first.starts_at, ends_at=first.ends_at)
    assert Booking.objects.filter(status=S.ACCEPTED).count() == 1


def test_the_sqlite_triggers_come_back_after_a_table_rebuild(db):
    """SQLite drops triggers when a migration rebuilds the table; every migrate puts them back."""
    from booking.dbguard import drop_sqlite_triggers, ensure_overlap_guard

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps its exclusion constraint through table changes")
    drop_sqlite_triggers(connection)
    assert not overlap_guard_installed(connection)

    ensure_overlap_guard(using="default")

    assert overlap_guard_installed(connection)


def test_weekly_windows_on_one_day_must_not_overlap(teacher):
    with pytest.raises(DomainError) as exc:
        services.weekly_availability_set(
            instructor=teacher, actor=teacher.user, windows=[(2, time(9), time(12)), (2, time(11), time(15))]
        )

    assert exc.value.field == "windows"


def test_blocking_days_with_a_confirmed_lecture_is_refused(world, teacher, secretary):
    booking = services.booking_accept(booking=request_lecture(secretary, world.branch, teacher), actor=teacher.user)

    with pytest.raises(ConflictError):
        services.blocked_period_add(
            instructor=teacher,
            actor=teacher.user,
            first_day=booking.local_date - timedelta(days=1),
            last_day=booking.local_date + timedelta(days=1),
        )


def test_only_the_instructor_and_its_pool_admins_keep_the_schedule(world, pools, teacher, secretary):
    with pytest.raises(PermissionDenied):
        services.weekly_availability_set(instructor=teacher, actor=secretary, windows=[])
    services.weekly_availability_set(
        instructor=teacher, actor=world.admin(world.province), windows=[(4, time(8), time(12))]
    )

    assert list(teacher.weekly_availability.values_list("weekday", flat=True)) == [4]


# --- open requests ----------------------------------------------------------------------------------


def test_an_open_request_goes_to_fitting_instructors_who_answer_and_the_branch_picks_one(world, pools, secretary):
    economist = lecturer(pools.county, username="economist", category=Category.ECONOMY)
    other_economist = lecturer(pools.city, username="other_economist", category=Category.ECONOMY)
    lecturer(pools.city, username="theorist", category=Category.THEORY)
    lecturer(pools.other_city, username="far_away", category=Category.ECONOMY)
    booking = request_lecture(secretary, world.branch, None, category=Category.ECONOMY, topic="乡村振兴")
    assert (booking.status, booking.kind) == (S.OPEN, Booking.Kind.OPEN)
    assert recipients("booking_open_posted") == ["economist", "other_economist"]

    first = services.open_answer_submit(booking=booking, actor=economist.user, instructor=economist, note="熟悉江宁")
    services.open_answer_submit(booking=booking, actor=other_economist.user, instructor=other_economist)
    booking = services.booking_pick(booking=booking, answer=first, actor=secretary)

    assert (booking.status, booking.instructor_id) == (S.ACCEPTED, economist.pk)
    assert booking.fee_amount is not None
    assert list(booking.answers.order_by("id").values_list("status", flat=True)) == ["picked", "not_picked"]
    assert recipients("booking_picked") == ["economist"]
    assert recipients("booking_not_picked") == ["other_economist"]
    assert history(booking) == [("", "open"), ("open", "accepted")]


def test_instructors_outside_the_branchs_pools_or_category_cannot_answer(world, pools, secretary):
    far_away = lecturer(pools.other_city, category=Category.ECONOMY)
    theorist = lecturer(pools.city, category=Category.THEORY)
    booking = request_lecture(secretary, world.branch, None, category=Category.ECONOMY)

    for outsider in (far_away, theorist):
        with pytest.raises(PermissionDenied):
            services.open_answer_submit(booking=booking, actor=outsider.user, instructor=outsider)


def test_an_instructor_answers_once_and_may_withdraw(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, None)
    answer = services.open_answer_submit(booking=booking, actor=teacher.user, instructor=teacher)

    with pytest.raises(ConflictError):
        services.open_answer_submit(booking=booking, actor=teacher.user, instructor=teacher)
    services.open_answer_withdraw(answer=answer, actor=teacher.user)
    with pytest.raises(ConflictError):
        services.booking_pick(booking=booking, answer=answer, actor=secretary)
    again = services.open_answer_submit(booking=booking, actor=teacher.user, instructor=teacher)

    assert again.pk == answer.pk and again.status == OpenAnswer.Status.OFFERED


def test_picking_an_instructor_who_got_busy_meanwhile_is_a_conflict(world, teacher, secretary):
    open_request = request_lecture(secretary, world.branch, None)
    answer = services.open_answer_submit(booking=open_request, actor=teacher.user, instructor=teacher)
    direct = request_lecture(
        world.secretary(world.sibling_branch),
        world.sibling_branch,
        teacher,
        starts_at=open_request.starts_at,
        ends_at=open_request.ends_at,
    )
    services.booking_accept(booking=direct, actor=teacher.user)

    with pytest.raises(ConflictError):
        services.booking_pick(booking=open_request, answer=answer, actor=secretary)
    assert Booking.objects.get(pk=open_request.pk).status == S.OPEN


def test_cancelling_an_open_request_tells_the_instructors_who_answered(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, None)
    services.open_answer_submit(booking=booking, actor=teacher.user, instructor=teacher)

    services.booking_cancel(booking=booking, actor=secretary, reason="改为线上学习")

    assert recipients("booking_cancelled") == ["teacher"]
    assert booking.answers.get().status == OpenAnswer.Status.NOT_PICKED


# --- delivery ---------------------------------------------------------------------------------------


def test_delivery_counts_the_lecture_invites_a_rating_and_signals_after_commit(
    world, teacher, secretary, django_capture_on_commit_callbacks
):
    booking = past_lecture(world.branch, teacher)
    received = []

    def receiver(sender, booking_id, **kwargs):
        received.append(booking_id)

    lecture_delivered.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.booking_deliver(booking=booking, actor=secretary)
        assert received == []
        for callback in callbacks:
            callback()
    finally:
        lecture_delivered.disconnect(receiver)

    booking.refresh_from_db()
    teacher.refresh_from_db()
    assert received == [booking.pk]
    assert (booking.status, teacher.lecture_count) == (S.DELIVERED, 1)
    assert booking.delivered_at is not None
    assert recipients("booking_rating_invitation") == ["sec"]
    assert recipients("booking_delivered") == ["teacher"]


def test_a_lecture_is_delivered_only_after_it_ended(world, teacher, secretary):
    booking = services.booking_accept(booking=request_lecture(secretary, world.branch, teacher), actor=teacher.user)

    with pytest.raises(ConflictError):
        services.booking_deliver(booking=booking, actor=secretary)


def test_a_rolled_back_delivery_sends_no_signal(world, teacher, secretary, django_capture_on_commit_callbacks):
    booking = past_lecture(world.branch, teacher)
    received = []
    lecture_delivered.connect(
        lambda sender, booking_id, **kw: received.append(booking_id), weak=False, dispatch_uid="t"
    )
    try:
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
            services.booking_deliver(booking=booking, actor=secretary)
            raise RuntimeError
    finally:
        lecture_delivered.disconnect(dispatch_uid="t")

    assert received == []
    assert Booking.objects.get(pk=booking.pk).status == S.ACCEPTED


# --- periodic ---------------------------------------------------------------------------------------


def test_unanswered_requests_expire_and_both_sides_hear_of_it(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher, day=weekday_after(20))
    open_request = request_lecture(secretary, world.branch, None, day=weekday_after(21))
    answered = services.booking_accept(
        booking=request_lecture(secretary, world.branch, teacher, day=weekday_after(22)), actor=teacher.user
    )

    later = timezone.now() + timedelta(days=8)
    assert services.bookings_expire(now=later) == 2
    assert services.bookings_expire(now=later) == 0

    assert list(Booking.objects.order_by("id").values_list("status", flat=True)) == ["expired", "expired", "accepted"]
    assert booking.status_changes.last().reason == "未在期限内答复"
    assert [
        sorted(n.deliveries.filter(channel="inapp").values_list("recipient__username", flat=True))
        for n in Notification.objects.filter(kind="booking_expired").order_by("id")
    ] == [["sec", "teacher"], ["sec"]]
    assert answered.pk and open_request.pk


def test_a_request_expires_at_the_latest_when_the_lecture_would_start(world, teacher, secretary):
    soon = timezone.localdate() + timedelta(days=2)
    booking = request_lecture(secretary, world.branch, teacher, **span(soon))

    assert booking.respond_by == at(soon, 9)


def test_day_before_reminders_go_to_both_sides_once(world, teacher, secretary):
    booking = services.booking_accept(booking=request_lecture(secretary, world.branch, teacher), actor=teacher.user)
    eve = at(booking.local_date - timedelta(days=1), 8, 30)

    assert services.lecture_reminders_send(now=eve - timedelta(days=1)) == 0
    assert services.lecture_reminders_send(now=eve) == 1
    assert services.lecture_reminders_send(now=eve + timedelta(hours=2)) == 0
    assert recipients("booking_reminder") == ["sec", "teacher"]


def test_removing_an_instructor_cancels_its_future_bookings(world, teacher, secretary):
    accepted = services.booking_accept(booking=request_lecture(secretary, world.branch, teacher), actor=teacher.user)
    requested = request_lecture(secretary, world.branch, teacher, day=weekday_after(12))
    done = past_lecture(world.branch, teacher)

    assert services.bookings_cancel_for_instructor(instructor=teacher, reason="调整出师资库") == 2

    statuses = dict(Booking.objects.values_list("pk", "status"))
    assert (statuses[accepted.pk], statuses[requested.pk], statuses[done.pk]) == ("cancelled", "cancelled", "accepted")
