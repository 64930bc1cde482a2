"""Who may do what with ratings and yearly evaluations: ``can_<verb>_<thing>(user, obj)``.

- A lecture is rated by the members who attended it (see ``selectors.eligible_raters``), by holders of
  its one-time links, and once by its branch (the branch side of the booking: its secretary).
- The instructor sees their own summaries and comments, never who rated.
- The pool's admins (and the admins above the pool, who supervise it) see everything, raters included;
  only the pool's own admins run and confirm its yearly evaluation and record discipline incidents.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.models import Booking
from booking.permissions import can_act_for_branch
from booking.selectors import format_day
from members.models import Member
from orgs.errors import ConflictError
from orgs.selectors import jurisdiction_of
from pool.models import Instructor, Pool
from pool.permissions import can_manage_pool, can_view_pool

from .models import EvaluationRun, Rating, RatingLink, RatingWindow
from .selectors import eligible_raters, member_for_user


def _authenticated(user) -> bool:
    return user is not None and user.is_authenticated


def can_rate_as_branch(user, booking: Booking) -> bool:
    """The branch's own rating and its one-time links: the branch side of the booking."""
    return _authenticated(user) and can_act_for_branch(user, booking)


def can_manage_links(user, booking: Booking) -> bool:
    return can_rate_as_branch(user, booking)


def can_see_raters(user, instructor: Instructor) -> bool:
    """Who rated: the admins of the instructor's pool and those above it."""
    return _authenticated(user) and can_view_pool(user, instructor.pool)


def can_view_instructor_ratings(user, instructor: Instructor) -> bool:
    if not _authenticated(user):
        return False
    return instructor.user_id == user.pk or can_see_raters(user, instructor)


def can_view_lecture_ratings(user, booking: Booking) -> bool:
    """A lecture's ratings: its branch side, an admin above the branch, the instructor, the pool's admins."""
    if not _authenticated(user):
        return False
    if can_act_for_branch(user, booking) or jurisdiction_of(user).administers(booking.branch):
        return True
    return booking.instructor is not None and can_view_instructor_ratings(user, booking.instructor)


def can_run_evaluation(user, pool: Pool) -> bool:
    return can_manage_pool(user, pool)


def can_view_run(user, run: EvaluationRun) -> bool:
    return _authenticated(user) and can_view_pool(user, run.pool)


def can_record_incident(user, instructor: Instructor) -> bool:
    return can_manage_pool(user, instructor.pool)


# --- who may rate a lecture ------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """Why a rating is refused: ``conflict`` for the lecture's state (HTTP 409), else the person (403)."""

    message: str
    conflict: bool = False
    code: str = "forbidden"

    def exception(self) -> Exception:
        return ConflictError(self.message, code=self.code) if self.conflict else PermissionDenied(self.message)


@dataclass(frozen=True)
class RaterCheck:
    """The outcome of ``check_rater``: the rating's source and member, or the refusal."""

    source: str
    member: Member | None = None
    refusal: Refusal | None = None


def check_rater(
    window: RatingWindow, user, *, as_branch: bool = False, link: RatingLink | None = None, now=None
) -> RaterCheck:
    """May ``user`` rate the lecture of ``window`` now (as the branch, or with ``link``)? One rule for the
    rating page (which shows the refusal before anyone types) and for ``services.rating_submit``."""
    now = now or timezone.now()
    person = user if _authenticated(user) else None
    source = Rating.Source.LINK if link is not None else Rating.Source.BRANCH if as_branch else Rating.Source.MEMBER

    def refuse(message, *, conflict=False, code="forbidden") -> RaterCheck:
        return RaterCheck(source=source, refusal=Refusal(str(message), conflict=conflict, code=code))

    # Who may rate comes first: someone who may not rate this lecture at all is refused (403) whatever
    # the window, so that a closed window does not show another branch's lecture to everyone.
    check = _check_person(window, person, source=source, as_branch=as_branch, link=link, refuse=refuse)
    if check.refusal is not None and not check.refusal.conflict:
        return check
    if now >= window.closes_at:
        return refuse(
            _("Rating of this lecture closed on %(day)s.") % {"day": format_day(window.closes_at)},
            conflict=True,
            code="rating_closed",
        )
    if now < window.opens_at:
        return refuse(_("Rating of this lecture has not opened yet."), conflict=True, code="rating_not_open")
    return check


def _check_person(window: RatingWindow, person, *, source: str, as_branch: bool, link, refuse) -> RaterCheck:
    if person is not None and window.instructor.user_id == person.pk:
        return refuse(_("You gave this lecture: instructors do not rate their own lectures."))
    if link is not None:
        if link.used_at is not None:
            return refuse(_("This one-time link has already been used."), conflict=True, code="link_used")
        member = member_for_user(person)
        if member is not None and window.ratings.filter(member=member).exists():
            return refuse(_("You have already rated this lecture."), conflict=True, code="already_rated")
        return RaterCheck(source=source, member=member)
    if as_branch:
        if not can_rate_as_branch(person, window.booking):
            return refuse(
                _("Only the secretary of %(branch)s gives the branch's rating.") % {"branch": window.branch.full_name}
            )
        if window.ratings.filter(source=Rating.Source.BRANCH).exists():
            return refuse(
                _("The branch has already given its rating of this lecture."), conflict=True, code="already_rated"
            )
        return RaterCheck(source=source)
    if person is None:
        return refuse(_("Log in to rate, or use a one-time link from your branch."))
    member = member_for_user(person)
    if member is None:
        return refuse(
            _(
                "Your account is not linked to a party member, so it cannot rate lectures. "
                "Ask your branch for a one-time link."
            )
        )
    eligible = eligible_raters(window.booking)
    if not eligible.includes(member):
        return refuse(
            _("Only the members of %(branch)s who attended this lecture may rate it (%(rule)s).")
            % {"branch": window.branch.full_name, "rule": eligible.rule_label}
        )
    if window.ratings.filter(member=member).exists():
        return refuse(_("You have already rated this lecture."), conflict=True, code="already_rated")
    return RaterCheck(source=source, member=member)
