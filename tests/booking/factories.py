"""Booking test data, built through the booking's services."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from booking.models import Booking
from booking.services import booking_create
from pool.services import instructor_link_user
from tests.factories import UserFactory
from tests.pool.factories import instructor


def weekday_after(days: int = 7) -> date:
    """The first Monday–Friday at least ``days`` from today."""
    day = timezone.localdate() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), timezone.get_current_timezone())


def span(day: date, start: tuple[int, int] = (9, 0), end: tuple[int, int] = (11, 0)) -> dict:
    return {"starts_at": at(day, *start), "ends_at": at(day, *end)}


def lecturer(pool, *, username: str | None = None, **fields):
    """An active instructor of ``pool`` with a log-in of its own."""
    person = instructor(pool, **fields)
    user = UserFactory(**({"username": username} if username else {}), full_name=person.name)
    return instructor_link_user(instructor=person, actor=None, user=user)


def request_lecture(secretary, branch, teacher=None, *, day: date | None = None, **fields) -> Booking:
    """A request of ``branch`` (open when ``teacher`` is None), 09:00–11:00 two class hours by default."""
    day = day or weekday_after(7)
    data = {
        "topic": "新时代党的建设",
        "class_hours": 2,
        "audience_size": 40,
        "place": "党群服务中心",
        **span(day),
    }
    data.update(fields)
    return booking_create(actor=secretary, branch=branch, instructor=teacher, **data)
