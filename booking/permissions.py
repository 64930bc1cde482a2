"""Who may do what with bookings and schedules: ``can_<verb>_<thing>(user, obj)``.

The *branch side* of a booking is the secretary of its branch (or of the general branch above it);
org admins above the branch see its bookings but do not act for it. The *instructor side* is the
instructor's own log-in — or, for an instructor without one, the admins of the instructor's pool, who
then answer on the instructor's behalf (county departments often arrange lectures by telephone).
"""

from orgs.models import Organization
from orgs.selectors import jurisdiction_of
from pool.models import Instructor
from pool.permissions import can_manage_pool

from .models import Booking


def _authenticated(user) -> bool:
    return user is not None and user.is_authenticated


def can_book_for_branch(user, branch: Organization) -> bool:
    if not _authenticated(user) or not branch.is_branch:
        return False
    j = jurisdiction_of(user)
    return j.is_superuser or j.leads(branch)


def can_act_for_branch(user, booking: Booking) -> bool:
    return can_book_for_branch(user, booking.branch)


def can_act_for_instructor(user, instructor: Instructor | None) -> bool:
    if instructor is None or not _authenticated(user):
        return False
    if instructor.user_id is not None:
        return instructor.user_id == user.pk
    return can_manage_pool(user, instructor.pool)


def can_answer_booking(user, booking: Booking) -> bool:
    """Accept, decline or propose another time: the instructor side."""
    return can_act_for_instructor(user, booking.instructor)


def can_manage_schedule(user, instructor: Instructor) -> bool:
    """The instructor, and the admins of the instructor's pool."""
    if not _authenticated(user):
        return False
    return instructor.user_id == user.pk or can_manage_pool(user, instructor.pool)


def can_see_contact(user, booking: Booking) -> bool:
    """The branch's contact phone: the branch side and the instructor side only."""
    return can_act_for_branch(user, booking) or can_answer_booking(user, booking)
