"""Random sequences of booking operations never leave overlapping confirmed lectures for one
instructor and never reach a state or a move outside the transition table."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from booking import services
from booking.models import Booking, BookingStatusChange
from orgs.errors import DomainError
from tests.booking.factories import at, lecturer, weekday_after

pytestmark = pytest.mark.django_db

# Overlapping and touching slots on two days (hours, local time): 9–11 overlaps 10–12, touches 11–13.
SLOTS = [((9, 0), (11, 0)), ((10, 0), (12, 0)), ((11, 0), (13, 0)), ((14, 0), (16, 0))]
S = Booking.Status


def _overlaps(a: Booking, b: Booking) -> bool:
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def test_random_booking_sequences_keep_the_schedule_sound(world, pools):
    future_days = [weekday_after(10), weekday_after(10) + timedelta(days=7)]
    past_day = timezone_past_weekday()

    class Bookings(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.teachers = [lecturer(pools.province), lecturer(pools.county)]
            self.bookings: list[int] = []

        def _times(self, day, slot):
            (h1, m1), (h2, m2) = SLOTS[slot]
            return at(day, h1, m1), at(day, h2, m2)

        def _try(self, operation, **kwargs):
            try:
                return operation(**kwargs)
            except DomainError:  # refused with a reason (409/400): allowed, nothing changes
                return None

        @rule(teacher=st.integers(0, 1), day=st.integers(0, 1), slot=st.integers(0, 3))
        def request(self, teacher, day, slot):
            starts_at, ends_at = self._times(future_days[day], slot)
            booking = self._try(
                services.booking_create,
                actor=None,
                branch=world.branch,
                instructor=self.teachers[teacher],
                topic="党史学习教育",
                class_hours=2,
                audience_size=30,
                place="会议室",
                starts_at=starts_at,
                ends_at=ends_at,
            )
            if booking is not None:
                self.bookings.append(booking.pk)

        @rule(teacher=st.integers(0, 1), slot=st.integers(0, 3))
        def record_past_lecture(self, teacher, slot):
            starts_at, ends_at = self._times(past_day, slot)
            booking = self._try(
                services.booking_create,
                actor=None,
                branch=world.branch,
                instructor=self.teachers[teacher],
                topic="红色家风",
                class_hours=2,
                audience_size=30,
                place="会议室",
                starts_at=starts_at,
                ends_at=ends_at,
            )
            if booking is not None:
                self.bookings.append(booking.pk)

        def _pick(self, index):
            return Booking.objects.get(pk=self.bookings[index % len(self.bookings)])

        @precondition(lambda self: self.bookings)
        @rule(index=st.integers(0, 50))
        def accept(self, index):
            self._try(services.booking_accept, booking=self._pick(index), actor=None)

        @precondition(lambda self: self.bookings)
        @rule(index=st.integers(0, 50))
        def decline(self, index):
            self._try(services.booking_decline, booking=self._pick(index), actor=None, reason="时间冲突")

        @precondition(lambda self: self.bookings)
        @rule(index=st.integers(0, 50))
        def cancel(self, index):
            self._try(services.booking_cancel, booking=self._pick(index), actor=None, reason="工作调整")

        @precondition(lambda self: self.bookings)
        @rule(index=st.integers(0, 50))
        def deliver(self, index):
            self._try(services.booking_deliver, booking=self._pick(index), actor=None)

        @precondition(lambda self: self.bookings)
        @rule(index=st.integers(0, 50), day=st.integers(0, 1), slot=st.integers(0, 3))
        def propose(self, index, day, slot):
            starts_at, ends_at = self._times(future_days[day], slot)
            self._try(
                services.booking_propose, booking=self._pick(index), actor=None, starts_at=starts_at, ends_at=ends_at
            )

        @precondition(lambda self: self.bookings)
        @rule(index=st.integers(0, 50), take=st.booleans())
        def answer_proposal(self, index, take):
            operation = services.booking_proposal_accept if take else services.booking_proposal_refuse
            self._try(operation, booking=self._pick(index), actor=None)

        @invariant()
        def no_instructor_holds_overlapping_confirmed_lectures(self):
            confirmed = list(Booking.objects.filter(pk__in=self.bookings, status__in=Booking.CONFIRMED))
            clashes = [
                (a.pk, b.pk)
                for i, a in enumerate(confirmed)
                for b in confirmed[i + 1 :]
                if a.instructor_id == b.instructor_id and _overlaps(a, b)
            ]
            assert clashes == []

        @invariant()
        def every_state_and_move_is_in_the_table(self):
            bookings = {b.pk: b for b in Booking.objects.filter(pk__in=self.bookings)}
            assert all(b.status in S.values for b in bookings.values())
            for booking_pk, changes in _history(self.bookings).items():
                moves = [(c.from_status, c.to_status) for c in changes]
                assert all(new in Booking.TRANSITIONS.get(old, set()) for old, new in moves if old)
                assert moves[-1][1] == bookings[booking_pk].status

    run_state_machine_as_test(
        Bookings,
        settings=settings(
            max_examples=25,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )


def _history(booking_pks) -> dict[int, list[BookingStatusChange]]:
    out: dict[int, list[BookingStatusChange]] = {}
    for change in BookingStatusChange.objects.filter(booking_id__in=booking_pks).order_by("created_at", "id"):
        out.setdefault(change.booking_id, []).append(change)
    return out


def timezone_past_weekday():
    from django.utils import timezone

    day = timezone.localdate() - timedelta(days=3)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day
