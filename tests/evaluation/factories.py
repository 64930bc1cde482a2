"""Evaluation test data, built through the booking's, members' and evaluation's services."""

from datetime import date, timedelta

from django.utils import timezone

from booking.models import Booking
from booking.services import booking_accept, booking_create, booking_deliver
from evaluation import services
from evaluation.models import RatingWindow
from members.models import Member
from orgs.models import Organization, Role, User
from orgs.services import role_grant
from tests.booking.factories import at
from tests.factories import UserFactory
from tests.members.factories import member as member_factory


def lecture_on(branch: Organization, teacher, day: date, *, hour: int = 9, topic: str = "新时代党的建设") -> Booking:
    """A lecture that took place on ``day``: requested, accepted and delivered by the system."""
    booking = booking_create(
        actor=None,
        branch=branch,
        instructor=teacher,
        topic=topic,
        starts_at=at(day, hour),
        ends_at=at(day, hour + 2),
        class_hours=2,
        audience_size=30,
        place="党群服务中心",
    )
    booking_accept(booking=booking, actor=None)
    return booking_deliver(booking=booking, actor=None)


def delivered(branch: Organization, teacher, *, days_ago: int = 2, hour: int = 9, **kwargs) -> Booking:
    """A lecture delivered ``days_ago`` days ago with its rating window open (the signal's work, which
    needs a commit, is done here directly: ``rating_window_open`` is idempotent)."""
    booking = lecture_on(branch, teacher, timezone.localdate() - timedelta(days=days_ago), hour=hour, **kwargs)
    services.rating_window_open(booking_id=booking.pk)
    return booking


def window(booking: Booking) -> RatingWindow:
    return RatingWindow.objects.get(booking=booking)


def attendee(branch: Organization, *, username: str | None = None, **kwargs) -> tuple[User, Member]:
    """A member of ``branch`` with a log-in of its own (and the member role)."""
    user = UserFactory(**({"username": username} if username else {}))
    role_grant(user=user, role=Role.MEMBER, organization=branch)
    return user, member_factory(branch, user=user, name=user.full_name, **kwargs)


def rate(booking: Booking, user, scores=(4, 4, 4), comment: str = "", **kwargs):
    content, delivery, practical = scores
    return services.rating_submit(
        booking=booking, actor=user, content=content, delivery=delivery, practical=practical, comment=comment, **kwargs
    )


def close(booking: Booking) -> None:
    """Let the lecture's rating window have closed a minute ago."""
    now = timezone.now()
    RatingWindow.objects.filter(booking=booking).update(
        opens_at=now - timedelta(days=15), closes_at=now - timedelta(minutes=1)
    )
