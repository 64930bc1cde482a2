"""Every write to bookings, answers, proposals, schedules and calendar feeds.

Services take keyword arguments, run in one transaction, check permission (``actor=None`` is the
system itself: the periodic tasks, the seed, other apps' services), move bookings only through the
state machine (a history row per move), and queue notifications through the outbox.

Locking: a write that may confirm a lecture locks the instructor's row first and the booking's row
second — the same order everywhere — so concurrent confirmations of one instructor queue up, see each
other's result, and the monthly limit and overlap checks are exact. The database refuses overlaps on
its own as well (an exclusion constraint on PostgreSQL, triggers on SQLite); an ``IntegrityError`` from
it becomes a 409 like the checks' own refusal.
"""

import itertools
import re
import secrets
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notification_queue
from orgs.errors import ConflictError, DomainError
from orgs.models import Organization, Role, User
from orgs.selectors import users_with_role
from pool.models import Category, Instructor
from pool.recommender.freshness import index_touch
from pool.selectors import bookable_instructors
from pool.services import instructor_lecture_count_set

from .fees import format_yuan, lecture_fee
from .models import (
    BlockedPeriod,
    Booking,
    BookingStatusChange,
    CalendarFeed,
    OpenAnswer,
    TimeProposal,
    WeeklyAvailability,
)
from .permissions import (
    can_act_for_branch,
    can_act_for_instructor,
    can_answer_booking,
    can_book_for_branch,
    can_manage_schedule,
)
from .selectors import format_day, format_span, instructor_can_answer_open, schedule_problems
from .signals import send_lecture_delivered

S = Booking.Status

MAX_CLASS_HOURS = 8
MIN_MINUTES_PER_CLASS_HOUR = 40
MAX_AUDIENCE = 100_000
CONTACT_PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{9,11})$")


def answer_days() -> int:
    """Days a request waits for an answer before it expires (``BOOKING_ANSWER_DAYS``, default 7)."""
    return int(getattr(settings, "BOOKING_ANSWER_DAYS", 7))


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You may not do this here."))


def _respond_by(now: datetime, starts_at: datetime) -> datetime:
    return min(now + timedelta(days=answer_days()), starts_at)


def _lock(booking_pk: int, *, instructor_pk: int | None = None) -> Booking:
    """Lock the instructor's row (its schedule), then the booking's, and return the booking fresh."""
    if instructor_pk is None:
        instructor_pk = Booking.objects.filter(pk=booking_pk).values_list("instructor_id", flat=True).first()
    if instructor_pk is not None:
        list(Instructor.objects.select_for_update(no_key=True).filter(pk=instructor_pk).values_list("pk"))
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("branch", "instructor", "instructor__pool", "instructor__pool__organization")
        .get(pk=booking_pk)
    )


def _ensure_free(instructor: Instructor, starts_at: datetime, ends_at: datetime, *, exclude_pk=None) -> None:
    problems = schedule_problems(instructor=instructor, starts_at=starts_at, ends_at=ends_at, exclude_pk=exclude_pk)
    if problems:
        raise ConflictError(problems[0], code="schedule_conflict")


def _ensure_state(booking: Booking, *allowed: str) -> None:
    if booking.status not in allowed:
        raise ConflictError(
            _("This request is “%(status)s”; that cannot be done now.") % {"status": booking.get_status_display()},
            code="invalid_state",
        )


def _ensure_future(starts_at: datetime, now: datetime | None = None) -> None:
    if starts_at <= (now or timezone.now()):
        raise ConflictError(_("The lecture time has passed."), code="lecture_passed")


def _apply_fee(booking: Booking) -> list[str]:
    """Fix the fee from the instructor's grade and the standard in force on the lecture's date."""
    fee = (
        lecture_fee(
            grade=booking.instructor.fee_grade,
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
            class_hours=booking.class_hours,
        )
        if booking.instructor is not None
        else None
    )
    booking.fee_standard = fee.standard if fee else None
    booking.fee_rate = fee.rate if fee else None
    booking.fee_units = fee.units if fee else None
    booking.fee_amount = fee.amount if fee else None
    return ["fee_standard", "fee_rate", "fee_units", "fee_amount"]


def _confirm(booking: Booking, *, actor, reason: str = "", save_fields=()) -> None:
    """Move to accepted; the database's own overlap guard turns a lost race into a 409."""
    try:
        with transaction.atomic():
            booking.transition_to(S.ACCEPTED, actor=actor, reason=reason, save_fields=save_fields)
    except IntegrityError as exc:
        raise ConflictError(
            _("The instructor already holds a confirmed lecture at that time."), code="schedule_conflict"
        ) from exc


def _history_created(booking: Booking, actor) -> None:
    BookingStatusChange.objects.create(
        booking=booking,
        from_status="",
        to_status=booking.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


# --- who hears about it ----------------------------------------------------------------------------


def _branch_side(booking: Booking) -> list[User]:
    people = {u.pk: u for u in users_with_role(role=Role.SECRETARY, organization=booking.branch)}
    if booking.requested_by_id and booking.requested_by.is_active:
        people.setdefault(booking.requested_by_id, booking.requested_by)
    return list(people.values())


def _instructor_side(instructor: Instructor | None) -> list[User]:
    """The instructor's log-in, or the admins of its pool who answer for an instructor without one."""
    if instructor is None:
        return []
    if instructor.user_id is not None:
        return [instructor.user] if instructor.user.is_active else []
    return list(users_with_role(role=Role.ORG_ADMIN, organization=instructor.pool.organization))


def _others(people: Iterable[User], actor) -> list[User]:
    """Everyone but the actor (who knows what it just did)."""
    actor_pk = getattr(actor, "pk", None)
    return [p for p in people if p.pk != actor_pk]


def _notify(booking: Booking, recipients, *, kind: str, title: str, body: str = "") -> None:
    notification_queue(
        recipients=recipients,
        kind=kind,
        title=title,
        body=body,
        url=reverse("booking:detail", args=[booking.pk]),
        payload={"booking_id": booking.pk},
    )


def _summary(booking: Booking) -> str:
    """What, when, where, for whom — the body of most notifications."""
    where = booking.place or booking.get_mode_display()
    lines = [
        _("Topic: %(topic)s") % {"topic": booking.topic},
        _("Time: %(span)s, %(hours)s class hours")
        % {"span": format_span(booking.starts_at, booking.ends_at), "hours": booking.class_hours},
        _("Place: %(place)s (%(mode)s)") % {"place": where, "mode": booking.get_mode_display()},
        _("Branch: %(branch)s, about %(n)s attending")
        % {"branch": booking.branch.full_name, "n": booking.audience_size},
    ]
    if booking.fee_amount is not None:
        lines.append(_("Lecture fee: %(fee)s") % {"fee": format_yuan(booking.fee_amount)})
    return "\n".join(lines)


# --- input -----------------------------------------------------------------------------------------


def _aware(value: datetime) -> datetime:
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value.replace(second=0, microsecond=0)


def clean_times(
    *, starts_at: datetime, ends_at: datetime, class_hours, allow_past: bool = False
) -> tuple[datetime, datetime, int]:
    """Validate a lecture's time and class hours; raises DomainError naming the field."""
    if starts_at is None:
        raise DomainError(_("Give the start of the lecture."), field="starts_at")
    if ends_at is None:
        raise DomainError(_("Give the end of the lecture."), field="ends_at")
    starts_at, ends_at = _aware(starts_at), _aware(ends_at)
    if ends_at <= starts_at:
        raise DomainError(_("The lecture must end after it starts."), field="ends_at")
    if timezone.localtime(starts_at).date() != timezone.localtime(ends_at).date():
        raise DomainError(_("A lecture starts and ends on the same day."), field="ends_at")
    if not allow_past and starts_at <= timezone.now():
        raise DomainError(_("The lecture must start in the future."), field="starts_at")
    try:
        hours = int(str(class_hours).strip())
    except ValueError:
        raise DomainError(_("Give the class hours as a whole number."), field="class_hours") from None
    if not 1 <= hours <= MAX_CLASS_HOURS:
        raise DomainError(
            _("Class hours must be a whole number from 1 to %(max)s.") % {"max": MAX_CLASS_HOURS}, field="class_hours"
        )
    minutes = int((ends_at - starts_at).total_seconds() // 60)
    if minutes < hours * MIN_MINUTES_PER_CLASS_HOUR:
        raise DomainError(
            _("%(hours)s class hours need at least %(need)s minutes; the lecture lasts %(minutes)s minutes.")
            % {"hours": hours, "need": hours * MIN_MINUTES_PER_CLASS_HOUR, "minutes": minutes},
            field="class_hours",
        )
    return starts_at, ends_at, hours


def _clean_request(*, topic, category, mode, place, audience_size, description, contact_name, contact_phone) -> dict:
    topic = (topic or "").strip()
    if not topic:
        raise DomainError(_("Say what the lecture should be about."), field="topic")
    if len(topic) > 120:
        raise DomainError(_("Keep the topic under 120 characters."), field="topic")
    category = category or ""
    if category and category not in Category.values:
        raise DomainError(_("Unknown category."), field="category")
    if mode not in Booking.Mode.values:
        raise DomainError(_("Choose on site or online."), field="mode")
    place = (place or "").strip()
    if mode == Booking.Mode.ONSITE and not place:
        raise DomainError(_("Give the place of an on-site lecture."), field="place")
    if len(place) > 200:
        raise DomainError(_("Keep the place under 200 characters."), field="place")
    try:
        audience = int(audience_size)
    except (TypeError, ValueError):
        raise DomainError(_("Give the number of people attending."), field="audience_size") from None
    if not 1 <= audience <= MAX_AUDIENCE:
        raise DomainError(_("Give the number of people attending."), field="audience_size")
    phone = re.sub(r"[\s\-()（）]", "", contact_phone or "")
    if phone and not CONTACT_PHONE_RE.match(phone):
        raise DomainError(
            _("Enter a mobile number (13812345678) or a landline with its area code (02512345678)."),
            field="contact_phone",
        )
    return {
        "topic": topic,
        "category": category,
        "mode": mode,
        "place": place,
        "audience_size": audience,
        "description": (description or "").strip(),
        "contact_name": (contact_name or "").strip()[:50],
        "contact_phone": phone,
    }


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason."), field="reason")
    return reason


# --- requests --------------------------------------------------------------------------------------


@transaction.atomic
def booking_create(
    *,
    actor: User | None,
    branch: Organization,
    topic: str,
    starts_at: datetime,
    ends_at: datetime,
    class_hours: int,
    audience_size: int,
    instructor: Instructor | None = None,
    mode: str = Booking.Mode.ONSITE,
    place: str = "",
    category: str = "",
    description: str = "",
    contact_name: str = "",
    contact_phone: str = "",
) -> Booking:
    """A branch asks for a lecture: addressed to ``instructor``, or (without one) an open request.

    The instructor must be active in a pool the branch may book from (else PermissionDenied) and free
    at that time (else ConflictError with the reason). The system (``actor=None``) may record past
    lectures. Side effects, in order: the booking with its fee and answer deadline; a history row;
    a notification to the instructor (direct) or to the instructors of the request's category in the
    pools the branch may book from (open).
    """
    if actor is not None:
        _require(can_book_for_branch(actor, branch))
    if not branch.is_branch:
        raise DomainError(_("Lectures are requested by a party branch."), field="branch")
    starts_at, ends_at, hours = clean_times(
        starts_at=starts_at, ends_at=ends_at, class_hours=class_hours, allow_past=actor is None
    )
    fields = _clean_request(
        topic=topic,
        category=category,
        mode=mode,
        place=place,
        audience_size=audience_size,
        description=description,
        contact_name=contact_name,
        contact_phone=contact_phone,
    )
    now = timezone.now()
    booking = Booking(
        branch=branch,
        kind=Booking.Kind.DIRECT if instructor is not None else Booking.Kind.OPEN,
        starts_at=starts_at,
        ends_at=ends_at,
        class_hours=hours,
        status=S.REQUESTED if instructor is not None else S.OPEN,
        respond_by=_respond_by(now, starts_at),
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=now,
        **fields,
    )
    if instructor is not None:
        if not bookable_instructors(branch).filter(pk=instructor.pk).exists():
            raise PermissionDenied(
                _("%(name)s is not an active instructor of a pool your branch may book from.")
                % {"name": instructor.name}
            )
        list(Instructor.objects.select_for_update(no_key=True).filter(pk=instructor.pk).values_list("pk"))
        instructor = Instructor.objects.select_related("pool", "pool__organization", "user").get(pk=instructor.pk)
        _ensure_free(instructor, starts_at, ends_at)
        booking.instructor = instructor
        _apply_fee(booking)
    booking.save()
    _history_created(booking, actor)
    if instructor is not None:
        _notify(
            booking,
            _instructor_side(instructor),
            kind="booking_requested",
            title=_("New lecture request from %(branch)s: %(topic)s")
            % {"branch": branch.full_name, "topic": booking.topic},
            body=_summary(booking) + "\n" + _("Please answer by %(day)s.") % {"day": format_day(booking.respond_by)},
        )
    elif booking.category:
        fitting = (
            bookable_instructors(branch)
            .filter(category=booking.category, user__isnull=False, user__is_active=True)
            .select_related("user")
        )
        _notify(
            booking,
            [i.user for i in fitting],
            kind="booking_open_posted",
            title=_("Open lecture request from %(branch)s: %(topic)s")
            % {"branch": branch.full_name, "topic": booking.topic},
            body=_summary(booking),
        )
    return booking


@transaction.atomic
def booking_accept(*, booking: Booking, actor: User | None) -> Booking:
    """The instructor accepts a request at the requested time.

    Refused with 409 when the request is no longer waiting, the time has passed, or the instructor is
    not free then (blocked date, outside the weekly availability, another confirmed lecture, monthly
    limit). Side effects: fee fixed from the standard in force; history row; the branch is told.
    """
    booking = _lock(booking.pk)
    if actor is not None:
        _require(can_answer_booking(actor, booking))
    _ensure_state(booking, S.REQUESTED)
    if actor is not None:  # the system may record a lecture that already took place
        _ensure_future(booking.starts_at)
    _ensure_free(booking.instructor, booking.starts_at, booking.ends_at, exclude_pk=booking.pk)
    fee_fields = _apply_fee(booking)
    _confirm(booking, actor=actor, save_fields=fee_fields)
    _notify(
        booking,
        _others(_branch_side(booking), actor),
        kind="booking_accepted",
        title=_("%(name)s accepted your lecture request: %(topic)s")
        % {"name": booking.instructor.name, "topic": booking.topic},
        body=_summary(booking),
    )
    return booking


def _withdraw_pending_proposal(booking: Booking, *, status=TimeProposal.Status.WITHDRAWN, note: str = "") -> None:
    TimeProposal.objects.filter(booking=booking, status=TimeProposal.Status.PENDING).update(
        status=status, decided_at=timezone.now(), decision_note=note
    )


def _close_answers(booking: Booking) -> list[OpenAnswer]:
    """Mark the still-offered answers of an open request not picked; returns them for notifying."""
    offered = list(
        booking.answers.filter(status=OpenAnswer.Status.OFFERED).select_related("instructor", "instructor__user")
    )
    OpenAnswer.objects.filter(pk__in=[a.pk for a in offered]).update(status=OpenAnswer.Status.NOT_PICKED)
    return offered


@transaction.atomic
def booking_decline(*, booking: Booking, actor: User | None, reason: str) -> Booking:
    """The instructor declines, with a reason (also after proposing another time, withdrawing it).

    Side effects: history row with the reason; a pending proposal withdrawn; the branch is told.
    """
    reason = _reason(reason)
    booking = _lock(booking.pk)
    if actor is not None:
        _require(can_answer_booking(actor, booking))
    _ensure_state(booking, S.REQUESTED, S.PROPOSED)
    _withdraw_pending_proposal(booking)
    booking.closing_reason = reason
    booking.transition_to(S.DECLINED, actor=actor, reason=reason, save_fields=["closing_reason"])
    _notify(
        booking,
        _others(_branch_side(booking), actor),
        kind="booking_declined",
        title=_("%(name)s declined your lecture request: %(topic)s")
        % {"name": booking.instructor.name, "topic": booking.topic},
        body=_("Reason: %(reason)s") % {"reason": reason} + "\n" + _summary(booking),
    )
    return booking


@transaction.atomic
def booking_cancel(*, booking: Booking, actor: User | None, reason: str) -> Booking:
    """Either side cancels, with a reason: the branch any request or lecture not yet delivered, the
    instructor an accepted lecture (a request it declines instead).

    Side effects: history row with the reason; pending proposal withdrawn; offered answers of an open
    request closed; the other side (both sides when the system cancels) and the answering instructors
    are told.
    """
    reason = _reason(reason)
    booking = _lock(booking.pk)
    by_branch = actor is None or can_act_for_branch(actor, booking)
    by_instructor = actor is not None and not by_branch and can_answer_booking(actor, booking)
    _require(by_branch or by_instructor)
    if by_instructor:
        _ensure_state(booking, S.ACCEPTED)
    else:
        _ensure_state(booking, S.OPEN, S.REQUESTED, S.PROPOSED, S.ACCEPTED)
    _withdraw_pending_proposal(booking)
    closed_answers = _close_answers(booking) if booking.status == S.OPEN else []
    booking.closing_reason = reason
    booking.transition_to(S.CANCELLED, actor=actor, reason=reason, save_fields=["closing_reason"])
    title = _("Lecture cancelled: %(topic)s (%(day)s)") % {"topic": booking.topic, "day": format_day(booking.starts_at)}
    body = _("Reason: %(reason)s") % {"reason": reason} + "\n" + _summary(booking)
    recipients = []
    if actor is None or by_branch:
        recipients += _instructor_side(booking.instructor)
    if actor is None or by_instructor:
        recipients += _branch_side(booking)
    recipients += [a.instructor.user for a in closed_answers if a.instructor.user_id]
    _notify(booking, _others(recipients, actor), kind="booking_cancelled", title=title, body=body)
    return booking


@transaction.atomic
def booking_deliver(*, booking: Booking, actor: User | None) -> Booking:
    """Confirm that an accepted lecture took place (the branch, or the instructor), once it has ended.

    Side effects, in order: delivered time; history row; the instructor's lecture count in the pool;
    the recommender told that the instructor's lecture titles changed; the other side told, and the
    branch invited to rate the lecture; after commit the signal ``booking.signals.lecture_delivered``
    with the booking id (evaluation opens the ratings).
    """
    booking = _lock(booking.pk)
    by_branch = actor is None or can_act_for_branch(actor, booking)
    if actor is not None:
        _require(by_branch or can_answer_booking(actor, booking))
    _ensure_state(booking, S.ACCEPTED)
    if booking.ends_at > timezone.now():
        raise ConflictError(_("The lecture has not ended yet."), code="lecture_not_over")
    booking.delivered_at = timezone.now()
    booking.transition_to(S.DELIVERED, actor=actor, save_fields=["delivered_at"])
    instructor_lecture_count_set(
        instructor=booking.instructor,
        count=Booking.objects.filter(instructor=booking.instructor, status=S.DELIVERED).count(),
    )
    index_touch(instructor_ids=[booking.instructor_id])
    if by_branch:
        _notify(
            booking,
            _others(_instructor_side(booking.instructor), actor),
            kind="booking_delivered",
            title=_("Lecture confirmed as given: %(topic)s") % {"topic": booking.topic},
            body=_summary(booking),
        )
    _notify(
        booking,
        _branch_side(booking),
        kind="booking_rating_invitation",
        title=_("Please rate the lecture “%(topic)s” by %(name)s")
        % {"topic": booking.topic, "name": booking.instructor.name},
        body=_("The lecture on %(day)s has been given. Your branch and the members who attended may now rate it.")
        % {"day": format_day(booking.starts_at)},
    )
    send_lecture_delivered(booking.pk)
    return booking


# --- another time ----------------------------------------------------------------------------------


@transaction.atomic
def booking_propose(
    *, booking: Booking, actor: User | None, starts_at: datetime, ends_at: datetime, note: str = ""
) -> TimeProposal:
    """The instructor proposes another time for a request; the branch accepts or refuses it.

    The proposed time must suit the instructor's own schedule (409 otherwise) and hold the requested
    class hours. Side effects: the proposal; history row (→ proposed); a new answer deadline for the
    branch; the branch is told.
    """
    booking = _lock(booking.pk)
    if actor is not None:
        _require(can_answer_booking(actor, booking))
    _ensure_state(booking, S.REQUESTED)
    starts_at, ends_at, _hours = clean_times(starts_at=starts_at, ends_at=ends_at, class_hours=booking.class_hours)
    if (starts_at, ends_at) == (booking.starts_at, booking.ends_at):
        raise DomainError(_("Propose a time other than the one requested."), field="starts_at")
    _ensure_free(booking.instructor, starts_at, ends_at, exclude_pk=booking.pk)
    proposal = TimeProposal.objects.create(
        booking=booking,
        starts_at=starts_at,
        ends_at=ends_at,
        note=(note or "").strip(),
        proposed_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    booking.respond_by = _respond_by(timezone.now(), starts_at)
    booking.transition_to(S.PROPOSED, actor=actor, reason=proposal.note, save_fields=["respond_by"])
    _notify(
        booking,
        _others(_branch_side(booking), actor),
        kind="booking_proposed",
        title=_("%(name)s proposes another time for “%(topic)s”: %(span)s")
        % {"name": booking.instructor.name, "topic": booking.topic, "span": format_span(starts_at, ends_at)},
        body=(proposal.note + "\n" if proposal.note else "")
        + _("Please accept or refuse by %(day)s.") % {"day": format_day(booking.respond_by)},
    )
    return proposal


def _pending_proposal(booking: Booking) -> TimeProposal:
    proposal = booking.proposals.filter(status=TimeProposal.Status.PENDING).first()
    if proposal is None:
        raise ConflictError(_("There is no proposed time to decide."), code="invalid_state")
    return proposal


@transaction.atomic
def booking_proposal_accept(*, booking: Booking, actor: User | None) -> Booking:
    """The branch accepts the instructor's proposed time: the lecture is confirmed at that time.

    Side effects: new time and fee; history row (→ accepted); the instructor is told.
    """
    booking = _lock(booking.pk)
    if actor is not None:
        _require(can_act_for_branch(actor, booking))
    _ensure_state(booking, S.PROPOSED)
    proposal = _pending_proposal(booking)
    _ensure_future(proposal.starts_at)
    _ensure_free(booking.instructor, proposal.starts_at, proposal.ends_at, exclude_pk=booking.pk)
    booking.starts_at, booking.ends_at = proposal.starts_at, proposal.ends_at
    booking.sequence += 1
    fee_fields = _apply_fee(booking)
    _confirm(
        booking,
        actor=actor,
        reason=_("Proposed time accepted"),
        save_fields=["starts_at", "ends_at", "sequence", *fee_fields],
    )
    proposal.status = TimeProposal.Status.ACCEPTED
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_at"])
    _notify(
        booking,
        _others(_instructor_side(booking.instructor), actor),
        kind="booking_proposal_accepted",
        title=_("%(branch)s accepted your proposed time for “%(topic)s”")
        % {"branch": booking.branch.full_name, "topic": booking.topic},
        body=_summary(booking),
    )
    return booking


@transaction.atomic
def booking_proposal_refuse(*, booking: Booking, actor: User | None, note: str = "") -> Booking:
    """The branch keeps its own time: the request waits for the instructor again.

    Side effects: proposal refused; history row (→ requested); a new answer deadline; the instructor
    is told.
    """
    booking = _lock(booking.pk)
    if actor is not None:
        _require(can_act_for_branch(actor, booking))
    _ensure_state(booking, S.PROPOSED)
    _pending_proposal(booking)
    note = (note or "").strip()
    _withdraw_pending_proposal(booking, status=TimeProposal.Status.REFUSED, note=note)
    booking.respond_by = _respond_by(timezone.now(), booking.starts_at)
    booking.transition_to(
        S.REQUESTED, actor=actor, reason=note or _("Proposed time refused"), save_fields=["respond_by"]
    )
    _notify(
        booking,
        _others(_instructor_side(booking.instructor), actor),
        kind="booking_proposal_refused",
        title=_("%(branch)s keeps the requested time for “%(topic)s”")
        % {"branch": booking.branch.full_name, "topic": booking.topic},
        body=(note + "\n" if note else "")
        + _("Please accept or decline the request at %(span)s.")
        % {"span": format_span(booking.starts_at, booking.ends_at)},
    )
    return booking


# --- open requests ---------------------------------------------------------------------------------


@transaction.atomic
def open_answer_submit(*, booking: Booking, actor: User | None, instructor: Instructor, note: str = "") -> OpenAnswer:
    """An instructor offers to give an open request's lecture at the requested time.

    Only active instructors of pools the branch may book from, in the request's category (when it has
    one), answer (else PermissionDenied); the time must suit their schedule (409 otherwise).
    Side effects: the answer; the branch is told.
    """
    if actor is not None:
        _require(can_act_for_instructor(actor, instructor))
    booking = _lock(booking.pk, instructor_pk=instructor.pk)
    instructor = Instructor.objects.select_related("pool", "pool__organization").get(pk=instructor.pk)
    _ensure_state(booking, S.OPEN)
    _ensure_future(booking.starts_at)
    if not instructor_can_answer_open(instructor, booking):
        raise PermissionDenied(_("This open request is not addressed to instructors of your pool or category."))
    answer = OpenAnswer.objects.filter(booking=booking, instructor=instructor).first()
    if answer is not None and answer.status != OpenAnswer.Status.WITHDRAWN:
        raise ConflictError(_("You have already answered this request."), code="already_answered")
    _ensure_free(instructor, booking.starts_at, booking.ends_at)
    answered_by = actor if getattr(actor, "is_authenticated", False) else None
    if answer is None:
        answer = OpenAnswer.objects.create(
            booking=booking, instructor=instructor, note=(note or "").strip(), answered_by=answered_by
        )
    else:
        answer.status, answer.note, answer.answered_by = OpenAnswer.Status.OFFERED, (note or "").strip(), answered_by
        answer.created_at = timezone.now()
        answer.save(update_fields=["status", "note", "answered_by", "created_at"])
    _notify(
        booking,
        _branch_side(booking),
        kind="booking_answered",
        title=_("%(name)s offers to give your open request “%(topic)s”")
        % {"name": instructor.name, "topic": booking.topic},
        body=(answer.note + "\n" if answer.note else "") + _("Pick one of the answers on the request's page."),
    )
    return answer


@transaction.atomic
def open_answer_withdraw(*, answer: OpenAnswer, actor: User | None) -> OpenAnswer:
    """The instructor takes back an answer before the branch picks. Side effect: the branch is told."""
    answer = (
        OpenAnswer.objects.select_for_update(of=("self",))
        .select_related("booking", "booking__branch", "instructor")
        .get(pk=answer.pk)
    )
    if actor is not None:
        _require(can_act_for_instructor(actor, answer.instructor))
    if answer.status != OpenAnswer.Status.OFFERED or answer.booking.status != S.OPEN:
        raise ConflictError(_("This answer can no longer be withdrawn."), code="invalid_state")
    answer.status = OpenAnswer.Status.WITHDRAWN
    answer.save(update_fields=["status"])
    _notify(
        answer.booking,
        _branch_side(answer.booking),
        kind="booking_answer_withdrawn",
        title=_("%(name)s withdrew the answer to “%(topic)s”")
        % {"name": answer.instructor.name, "topic": answer.booking.topic},
    )
    return answer


@transaction.atomic
def booking_pick(*, booking: Booking, answer: OpenAnswer, actor: User | None) -> Booking:
    """双向选择: the branch picks one answer to its open request; the lecture is confirmed with that
    instructor (409 when the instructor is no longer free then).

    Side effects: instructor and fee set; history row (→ accepted); the answer picked and the others
    closed; the picked instructor and the others are told.
    """
    if answer.booking_id != booking.pk:
        raise DomainError(_("That answer belongs to another request."), field="answer")
    booking = _lock(booking.pk, instructor_pk=answer.instructor_id)
    if actor is not None:
        _require(can_act_for_branch(actor, booking))
    _ensure_state(booking, S.OPEN)
    answer = OpenAnswer.objects.select_related("instructor", "instructor__pool", "instructor__user").get(pk=answer.pk)
    if answer.status != OpenAnswer.Status.OFFERED:
        raise ConflictError(_("That answer has been withdrawn."), code="invalid_state")
    _ensure_future(booking.starts_at)
    instructor = answer.instructor
    _ensure_free(instructor, booking.starts_at, booking.ends_at, exclude_pk=booking.pk)
    booking.instructor = instructor
    fee_fields = _apply_fee(booking)
    _confirm(
        booking,
        actor=actor,
        reason=_("Answer of %(name)s picked") % {"name": instructor.name},
        save_fields=["instructor", *fee_fields],
    )
    answer.status = OpenAnswer.Status.PICKED
    answer.save(update_fields=["status"])
    others = _close_answers(booking)
    _notify(
        booking,
        _instructor_side(instructor),
        kind="booking_picked",
        title=_("%(branch)s picked you for “%(topic)s”") % {"branch": booking.branch.full_name, "topic": booking.topic},
        body=_summary(booking),
    )
    _notify(
        booking,
        [a.instructor.user for a in others if a.instructor.user_id],
        kind="booking_not_picked",
        title=_("%(branch)s picked another instructor for “%(topic)s”")
        % {"branch": booking.branch.full_name, "topic": booking.topic},
        body=_("Thank you for your answer."),
    )
    return booking


# --- for other apps --------------------------------------------------------------------------------


def bookings_cancel_for_instructor(*, instructor: Instructor, reason: str, actor: User | None = None) -> int:
    """Cancel an instructor's future requests and lectures and withdraw its open answers (evaluation
    calls it when an instructor is removed from the pool). Returns how many bookings were cancelled."""
    reason = _reason(reason)
    now = timezone.now()
    pending = Booking.objects.filter(
        instructor=instructor, status__in=[S.REQUESTED, S.PROPOSED, S.ACCEPTED], starts_at__gt=now
    ).values_list("pk", flat=True)
    cancelled = 0
    for pk in list(pending):
        booking_cancel(booking=Booking(pk=pk), actor=actor, reason=reason)
        cancelled += 1
    OpenAnswer.objects.filter(instructor=instructor, status=OpenAnswer.Status.OFFERED).update(
        status=OpenAnswer.Status.WITHDRAWN
    )
    return cancelled


# --- periodic --------------------------------------------------------------------------------------


def bookings_expire(*, now: datetime | None = None) -> int:
    """Expire requests, proposals and open requests nobody answered in time (periodic task).

    Each in its own transaction, skipping rows another process holds. Side effects per booking:
    history row (→ expired); pending proposal withdrawn; offered answers closed; the branch told, and
    the instructor of a direct request.
    """
    now = now or timezone.now()
    due = (
        Booking.objects.filter(status__in=Booking.AWAITING, respond_by__lte=now)
        .order_by("respond_by", "pk")
        .values_list("pk", flat=True)
    )
    expired = 0
    for pk in list(due):
        with transaction.atomic():
            booking = (
                Booking.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("branch", "instructor", "instructor__pool", "instructor__user")
                .filter(pk=pk, status__in=Booking.AWAITING, respond_by__lte=now)
                .first()
            )
            if booking is None:
                continue
            _withdraw_pending_proposal(booking)
            closed = _close_answers(booking) if booking.status == S.OPEN else []
            booking.transition_to(S.EXPIRED, actor=None, reason=_("No answer in time"))
            _notify(
                booking,
                _branch_side(booking)
                + _instructor_side(booking.instructor)
                + [a.instructor.user for a in closed if a.instructor.user_id],
                kind="booking_expired",
                title=_("Lecture request expired without an answer: %(topic)s") % {"topic": booking.topic},
                body=_summary(booking),
            )
            expired += 1
    return expired


def lecture_reminders_send(*, now: datetime | None = None) -> int:
    """Remind both sides of tomorrow's lectures, once per lecture (periodic task, daily).

    A run that was missed is caught up: every accepted lecture not yet reminded that starts before
    the end of tomorrow and has not started yet gets its reminder.
    """
    now = now or timezone.now()
    tomorrow = timezone.localtime(now).date() + timedelta(days=1)
    until = datetime.combine(tomorrow + timedelta(days=1), time(0), timezone.get_current_timezone())
    due = (
        Booking.objects.filter(status=S.ACCEPTED, reminded_at__isnull=True, starts_at__gt=now, starts_at__lt=until)
        .order_by("starts_at", "pk")
        .values_list("pk", flat=True)
    )
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            booking = (
                Booking.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("branch", "instructor", "instructor__pool", "instructor__user")
                .filter(pk=pk, status=S.ACCEPTED, reminded_at__isnull=True)
                .first()
            )
            if booking is None:
                continue
            booking.reminded_at = now
            booking.save(update_fields=["reminded_at"])
            _notify(
                booking,
                _branch_side(booking) + _instructor_side(booking.instructor),
                kind="booking_reminder",
                title=_("Reminder: lecture “%(topic)s” on %(span)s")
                % {"topic": booking.topic, "span": format_span(booking.starts_at, booking.ends_at)},
                body=_summary(booking),
            )
            sent += 1
    return sent


# --- schedules -------------------------------------------------------------------------------------


def _schedule_owner(instructor: Instructor, actor) -> Instructor:
    if actor is not None:
        _require(can_manage_schedule(actor, instructor))
    list(Instructor.objects.select_for_update(no_key=True).filter(pk=instructor.pk).values_list("pk"))
    return instructor


@transaction.atomic
def weekly_availability_set(
    *, instructor: Instructor, actor: User | None, windows: Iterable[tuple[int, time, time]]
) -> list[WeeklyAvailability]:
    """Replace the instructor's weekly availability. An empty list means "any time" (no restriction).

    Windows on one weekday must not overlap. Confirmed lectures already outside the new windows stay
    (they were agreed); only new confirmations follow the new week.
    """
    _schedule_owner(instructor, actor)
    cleaned: list[tuple[int, time, time]] = []
    for n, (weekday, starts, ends) in enumerate(windows, start=1):
        if weekday not in range(7):
            raise DomainError(_("Window %(n)s: unknown weekday.") % {"n": n}, field="windows")
        if starts is None or ends is None or ends <= starts:
            raise DomainError(_("Window %(n)s: the end must come after the start.") % {"n": n}, field="windows")
        cleaned.append((int(weekday), starts.replace(second=0, microsecond=0), ends.replace(second=0, microsecond=0)))
    cleaned.sort()
    for (day_a, _s, end_a), (day_b, start_b, _e) in itertools.pairwise(cleaned):
        if day_a == day_b and start_b < end_a:
            raise DomainError(_("Two windows on the same weekday overlap."), field="windows")
    WeeklyAvailability.objects.filter(instructor=instructor).delete()
    return WeeklyAvailability.objects.bulk_create(
        WeeklyAvailability(instructor=instructor, weekday=d, starts=s, ends=e) for d, s, e in cleaned
    )


@transaction.atomic
def blocked_period_add(
    *, instructor: Instructor, actor: User | None, first_day: date, last_day: date | None = None, reason: str = ""
) -> BlockedPeriod:
    """Block days on which the instructor takes no lecture.

    Refused (409) while a confirmed lecture falls on those days: cancel it first, so the branch is told.
    """
    _schedule_owner(instructor, actor)
    last_day = last_day or first_day
    if first_day is None:
        raise DomainError(_("Give the first day."), field="first_day")
    if last_day < first_day:
        raise DomainError(_("The last day cannot come before the first."), field="last_day")
    if last_day < timezone.localdate():
        raise DomainError(_("Those days are past."), field="last_day")
    if (last_day - first_day).days > 366:
        raise DomainError(_("Block at most a year at a time."), field="last_day")
    start = datetime.combine(first_day, time(0), timezone.get_current_timezone())
    end = datetime.combine(last_day + timedelta(days=1), time(0), timezone.get_current_timezone())
    clash = (
        Booking.objects.filter(instructor=instructor, status=S.ACCEPTED, starts_at__lt=end, ends_at__gt=start)
        .order_by("starts_at")
        .first()
    )
    if clash is not None:
        raise ConflictError(
            _("A confirmed lecture falls on those days (%(span)s): cancel it first.")
            % {"span": format_span(clash.starts_at, clash.ends_at)},
            code="schedule_conflict",
        )
    return BlockedPeriod.objects.create(
        instructor=instructor, first_day=first_day, last_day=last_day, reason=(reason or "").strip()[:200]
    )


@transaction.atomic
def blocked_period_remove(*, period: BlockedPeriod, actor: User | None) -> None:
    _schedule_owner(period.instructor, actor)
    BlockedPeriod.objects.filter(pk=period.pk).delete()


@transaction.atomic
def calendar_feed_rotate(*, instructor: Instructor, actor: User | None) -> CalendarFeed:
    """Give the instructor's private calendar feed a new secret address (the old one stops working)."""
    _schedule_owner(instructor, actor)
    feed, _created = CalendarFeed.objects.update_or_create(
        instructor=instructor,
        defaults={"token": secrets.token_urlsafe(32), "created_at": timezone.now(), "last_read_at": None},
    )
    return feed


@transaction.atomic
def calendar_feed_revoke(*, instructor: Instructor, actor: User | None) -> None:
    _schedule_owner(instructor, actor)
    CalendarFeed.objects.filter(instructor=instructor).delete()


def calendar_feed_read(*, token: str) -> CalendarFeed | None:
    """The feed of a token, noting when it was last read (at most once an hour: calendar clients poll)."""
    feed = CalendarFeed.objects.select_related("instructor").filter(token=token).first()
    if feed is None:
        return None
    now = timezone.now()
    if feed.last_read_at is None or now - feed.last_read_at > timedelta(hours=1):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=now)
    return feed
