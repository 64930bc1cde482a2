"""Every write to activity days, records, attendance, questions, reports and excellent cases.

Each service is keyword-only, runs in one transaction, checks permission, moves state through the
model's transition table (which writes the history row) and queues notifications in the outbox.
"""

from collections.abc import Iterable
from datetime import date, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.models import Booking
from members.models import Activist, Member, MobileMembership, MobileParticipation
from members.selectors import member_for_user, members_attending
from members.services import mobile_participation_record
from notifications.services import notification_queue
from orgs.errors import ConflictError, DomainError
from orgs.models import Organization, Role, RoleAssignment, User

from . import permissions as perm
from . import selectors, supervision_cache
from .conf import setting
from .files import check_upload
from .models import (
    Activity,
    ActivityContent,
    Attachment,
    Attendance,
    CalendarDay,
    ContentType,
    DayMove,
    DayRule,
    ExcellentCase,
    HolidayCalendar,
    MonthlyReport,
    Question,
    ReminderSent,
)
from .signals import attendance_recorded
from .workdays import Workdays, month_end, month_start

# --- helpers ----------------------------------------------------------------------------------------


def _ensure(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _check_unit(branch: Organization | None, field: str = "branch") -> Organization:
    if branch is None or branch.kind not in Organization.BRANCH_KINDS:
        raise DomainError(_("Choose a party branch or general branch."), field=field)
    return branch


def _month_label(month: date) -> str:
    return _("%(year)s-%(month)02d") % {"year": month.year, "month": month.month}


def _activity_url(activity: Activity) -> str:
    return reverse("activity:detail", args=[activity.pk])


def _mark_once(key: str) -> bool:
    """True the first time ``key`` is seen: keeps a periodic reminder to one sending."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(key=key[:120])
    except IntegrityError:
        return False
    return True


def _secretaries(branch: Organization) -> list[User]:
    return list(selectors.secretaries_of(branch))


def _admins_just_above(branch: Organization) -> list[User]:
    """The org admins of the nearest organization above ``branch`` that has any (the one reported to)."""
    rows = (
        RoleAssignment.objects.filter(
            role=Role.ORG_ADMIN,
            is_active=True,
            user__is_active=True,
            organization__path__in=branch.ancestor_paths(include_self=False),
        )
        .select_related("user", "organization")
        .order_by("-organization__depth")
    )
    users, depth = [], None
    for row in rows:
        if depth is not None and row.organization.depth != depth:
            break
        depth = row.organization.depth
        users.append(row.user)
    return users


# --- holiday calendar -------------------------------------------------------------------------------


@transaction.atomic
def calendar_year_save(
    *,
    actor: User,
    year: int,
    holidays: Iterable[tuple[date, str]],
    workdays: Iterable[tuple[date, str]] = (),
    document: str = "",
) -> HolidayCalendar:
    """Enter (or replace) one year's public holidays and make-up workdays. The entered year takes
    precedence over the ``chinese_calendar`` package from now on."""
    _ensure(perm.can_enter_calendar(actor))
    if not 2000 <= year <= 2100:
        raise DomainError(_("Enter a year between 2000 and 2100."), field="year")
    holidays, workdays = list(holidays), list(workdays)
    if not holidays:
        raise DomainError(_("Enter the public holidays of the year."), field="holidays")
    seen: dict[date, str] = {}
    for field_name, days in (("holidays", holidays), ("workdays", workdays)):
        for day, _name in days:
            if day.year != year:
                raise DomainError(
                    _("%(day)s does not lie in %(year)s.") % {"day": day.isoformat(), "year": year}, field=field_name
                )
            if day in seen:
                raise DomainError(
                    _("%(day)s is entered twice.") % {"day": day.isoformat()},
                    field=field_name,
                )
            seen[day] = field_name
            if field_name == "workdays" and day.weekday() < 5:
                raise DomainError(
                    _("%(day)s is a weekday; a make-up workday falls on a Saturday or Sunday.")
                    % {"day": day.isoformat()},
                    field="workdays",
                )
    calendar, _created = HolidayCalendar.objects.update_or_create(
        year=year, defaults={"document": document.strip()[:200], "entered_by": actor, "updated_at": timezone.now()}
    )
    CalendarDay.objects.filter(calendar=calendar).delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(calendar=calendar, day=d, kind=CalendarDay.Kind.HOLIDAY, name=n[:50]) for d, n in holidays]
        + [CalendarDay(calendar=calendar, day=d, kind=CalendarDay.Kind.WORKDAY, name=n[:50]) for d, n in workdays]
    )
    return calendar


# --- day rules and moves ----------------------------------------------------------------------------


@transaction.atomic
def day_rule_set(
    *,
    actor: User,
    organization: Organization,
    kind: str,
    effective_from: date,
    day: int | None = None,
    week: int | None = None,
    weekday: int | None = None,
    on_tie: str = DayRule.Tie.LATER,
    note: str = "",
    today: date | None = None,
) -> DayRule:
    """Fix the activity day of ``organization``'s branches from the month of ``effective_from`` on.

    Setting a rule again for the same month replaces it; earlier rules stay for the months before.
    """
    if organization.kind not in DayRule.RULE_ORG_KINDS:
        raise DomainError(
            _("A county, a city, a provincial unit or the province fixes the activity day."), field="organization"
        )
    _ensure(perm.can_set_day_rule(actor, organization))
    effective_from = month_start(effective_from)
    if effective_from < month_start(today or timezone.localdate()):
        raise DomainError(_("A rule cannot start in a month that has passed."), field="effective_from")
    if kind == DayRule.Kind.DAY_OF_MONTH:
        if day is None or not 1 <= day <= 31:
            raise DomainError(_("Enter a day of the month from 1 to 31."), field="day")
        week = weekday = None
    elif kind == DayRule.Kind.WEEKDAY:
        if week not in DayRule.Week.values:
            raise DomainError(_("Choose which week of the month."), field="week")
        if weekday not in DayRule.Weekday.values:
            raise DomainError(_("Choose the weekday."), field="weekday")
        day = None
    else:
        raise DomainError(_("Choose a kind of rule."), field="kind")
    if on_tie not in DayRule.Tie.values:
        raise DomainError(_("Choose which way the day moves when two days are equally near."), field="on_tie")
    rule, _created = DayRule.objects.update_or_create(
        organization=organization,
        effective_from=effective_from,
        defaults={
            "kind": kind,
            "day": day,
            "week": week,
            "weekday": weekday,
            "on_tie": on_tie,
            "note": note.strip()[:200],
            "created_by": actor,
            "created_at": timezone.now(),
        },
    )
    return rule


def _check_in_month(month: date, day: date, field: str) -> None:
    if month_start(day) != month:
        raise DomainError(
            _(
                "The activity day of %(month)s must stay within that month (%(first)s to %(last)s): it may be "
                "brought forward or postponed, but is held in the month it belongs to."
            )
            % {
                "month": _month_label(month),
                "first": month.isoformat(),
                "last": month_end(month).isoformat(),
            },
            field=field,
        )


@transaction.atomic
def day_move(
    *, actor: User, branch: Organization, month: date, moved_to: date, reason: str, workdays: Workdays | None = None
) -> DayMove | None:
    """Move the branch's activity day of ``month`` to another day of the same month, with a reason.

    Moving it back to the day of the rule removes the move. Returns the move (None when removed).
    """
    _check_unit(branch)
    _ensure(perm.can_manage_activities(actor, branch))
    month = month_start(month)
    _check_in_month(month, moved_to, "moved_to")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for moving the day."), field="reason")
    planned = selectors.planned_day(branch, month, workdays=workdays)
    recorded = (
        Activity.objects.filter(branch=branch, month=month, is_activity_day=True, status=Activity.Status.RECORDED)
        .exclude(held_on=moved_to)
        .first()
    )
    if recorded is not None:
        raise ConflictError(
            _("The activity day of this month was already recorded on %(day)s.") % {"day": recorded.held_on}
        )
    by_rule = planned.by_rule.date if planned.by_rule else None
    if moved_to == by_rule:
        DayMove.objects.filter(branch=branch, month=month).delete()
        return None
    move, _created = DayMove.objects.update_or_create(
        branch=branch,
        month=month,
        defaults={
            "moved_to": moved_to,
            "original": by_rule,
            "reason": reason[:300],
            "moved_by": actor,
            "moved_at": timezone.now(),
        },
    )
    Activity.objects.filter(branch=branch, month=month, is_activity_day=True, status=Activity.Status.PLANNED).update(
        held_on=moved_to, updated_at=timezone.now()
    )
    supervision_cache.changed_under([branch.path])
    return move


# --- activities -------------------------------------------------------------------------------------

DETAIL_FIELDS = {
    "theme",
    "form",
    "starts_at",
    "ends_at",
    "place",
    "host",
    "summary",
    "report_last_month",
    "plan_next_month",
    "lecturer_kind",
    "lecturer_member",
    "lecturer_name",
    "lecture",
}
# Fields that are None when empty (the others are text and become "").
NULLABLE_FIELDS = {"starts_at", "ends_at", "lecturer_member", "lecture"}


def _clean_details(activity: Activity, changes: dict) -> None:
    """Apply and check the descriptive fields (not the date, the branch or the attendance)."""
    unknown = set(changes) - DETAIL_FIELDS - {"content_types", "invitees"}
    if unknown:
        raise DomainError(_("These fields cannot be changed here: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    for name in DETAIL_FIELDS & set(changes):
        value = changes[name]
        if name in NULLABLE_FIELDS:
            setattr(activity, name, value or None)
        else:
            setattr(activity, name, (value or "").strip())
    if not activity.theme:
        raise DomainError(_("Enter the theme of the activity."), field="theme")
    if len(activity.theme) > 200:
        raise DomainError(_("The theme is too long."), field="theme")
    if activity.form not in Activity.Form.values:
        raise DomainError(_("Choose the form of the activity."), field="form")
    for name, limit in (("place", 200), ("host", 50), ("lecturer_name", 50)):
        if len(getattr(activity, name) or "") > limit:
            raise DomainError(_("The text is too long."), field=name)
    if activity.starts_at and activity.ends_at and activity.ends_at <= activity.starts_at:
        raise DomainError(_("The end must come after the start."), field="ends_at")


def _clean_lecture(activity: Activity) -> None:
    """A booked lecture linked to the activity: the branch's own, accepted or delivered, given that day, and
    linked to no other activity (the database keeps a lecture to one activity as well)."""
    lecture = activity.lecture
    if lecture is None:
        return
    if lecture.branch_id != activity.branch_id:
        raise DomainError(_("The lecture was booked by another branch."), field="lecture")
    if lecture.status not in Booking.CONFIRMED:
        raise DomainError(_("Only an accepted or delivered lecture can be linked."), field="lecture")
    if lecture.local_date != activity.held_on:
        raise DomainError(
            _("The lecture was given on %(day)s, not on the day of the activity.")
            % {"day": lecture.local_date.isoformat()},
            field="lecture",
        )
    other = Activity.objects.filter(lecture=lecture).exclude(pk=activity.pk).first()
    if other is not None:
        raise ConflictError(
            _("The lecture is already linked to the activity “%(theme)s” of %(day)s.")
            % {"theme": other.theme, "day": other.held_on.isoformat()},
            field="lecture",
        )


def _clean_lecturer(activity: Activity, kinds: list[str]) -> None:
    """A party lecture names who gave it; a leading cadre's lecture counts for the cadre's yearly duty, and a
    booked instructor's lecture names the instructor."""
    if ContentType.PARTY_LECTURE not in kinds:
        activity.lecturer_kind, activity.lecturer_member, activity.lecturer_name = "", None, ""
        return
    if activity.lecture is not None and activity.lecturer_kind in ("", Activity.Lecturer.INSTRUCTOR):
        activity.lecturer_kind = Activity.Lecturer.INSTRUCTOR
        activity.lecturer_member = None
        activity.lecturer_name = activity.lecture.instructor.name[:50]
        return
    if activity.lecturer_kind not in Activity.Lecturer.values:
        raise DomainError(_("Say who gave the party lecture."), field="lecturer_kind")
    member = activity.lecturer_member
    if activity.lecturer_kind == Activity.Lecturer.LEADING_CADRE and (
        member is None or not member.is_leading_cadre or not member.is_active
    ):
        raise DomainError(_("Choose the leading cadre who gave the lecture."), field="lecturer_member")
    if member is not None:
        allowed = selectors.lecturer_choices(activity.branch, on=activity.held_on).filter(pk=member.pk).exists()
        if not allowed:
            raise DomainError(
                _("The lecturer must be a member of the branch or a leading cadre of its city."),
                field="lecturer_member",
            )
        activity.lecturer_name = member.name
    if not activity.lecturer_name:
        raise DomainError(_("Enter the lecturer's name."), field="lecturer_name")


def _clean_contents(kinds) -> list[str]:
    kinds = list(dict.fromkeys(kinds or []))
    bad = [k for k in kinds if k not in ContentType.values]
    if bad:
        raise DomainError(_("Unknown content type: %(k)s.") % {"k": ", ".join(bad)}, field="content_types")
    if not kinds:
        raise DomainError(_("Choose at least one content type."), field="content_types")
    return kinds


def _set_contents(activity: Activity, kinds: list[str]) -> None:
    existing = set(activity.contents.values_list("kind", flat=True))
    activity.contents.exclude(kind__in=kinds).delete()
    ActivityContent.objects.bulk_create(
        [ActivityContent(activity=activity, kind=k) for k in kinds if k not in existing]
    )
    if hasattr(activity, "_prefetched_objects_cache"):
        activity._prefetched_objects_cache.pop("contents", None)


def _set_invitees(activity: Activity, invitees) -> None:
    invitees = list(invitees or [])
    allowed = set(
        Activist.objects.filter(
            Organization.subtree_q(activity.branch.path, "branch"), pk__in=[a.pk for a in invitees]
        ).values_list("pk", flat=True)
    )
    stray = [a.name for a in invitees if a.pk not in allowed]
    if stray:
        raise DomainError(
            _("Only the branch's own activists and candidates can be invited: %(names)s.")
            % {"names": "、".join(stray)},
            field="invitees",
        )
    activity.invitees.set(invitees)


def _check_day(
    *, actor: User, activity: Activity, held_on: date, move_reason: str, workdays: Workdays | None = None
) -> None:
    """An activity day is held on the branch's day of the month; another day of the same month needs a
    reason (the day is moved with it), another month is refused."""
    if not activity.is_activity_day:
        return
    if activity.pk is not None:
        # A month's activity day keeps to its month: it never becomes another month's day.
        _check_in_month(activity.month, held_on, "held_on")
    month = month_start(held_on)
    clash = (
        Activity.objects.filter(branch=activity.branch, month=month, is_activity_day=True)
        .exclude(status=Activity.Status.CANCELLED)
        .exclude(pk=activity.pk)
        .first()
    )
    if clash is not None:
        raise ConflictError(
            _("The branch already has its activity day of %(month)s (%(day)s).")
            % {"month": _month_label(month), "day": clash.held_on},
            field="held_on",
        )
    planned = selectors.planned_day(activity.branch, month, workdays=workdays)
    if planned.date is None or planned.date == held_on:
        return
    if not move_reason.strip():
        raise DomainError(
            _(
                "The branch's activity day in %(month)s is %(day)s. To hold it on another day of the month, give "
                "the reason for moving it."
            )
            % {"month": _month_label(month), "day": planned.date.isoformat()},
            field="held_on",
        )
    day_move(actor=actor, branch=activity.branch, month=month, moved_to=held_on, reason=move_reason, workdays=workdays)


def _save(activity: Activity) -> None:
    """Save, turning a race lost on a database constraint into a conflict that names it."""
    try:
        with transaction.atomic():
            activity.save()
    except IntegrityError as exc:
        if (
            activity.lecture_id is not None
            and Activity.objects.filter(lecture_id=activity.lecture_id).exclude(pk=activity.pk).exists()
        ):
            raise ConflictError(_("The lecture is already linked to another activity."), field="lecture") from exc
        raise ConflictError(_("The branch already has its activity day of this month.")) from exc


@transaction.atomic
def activity_plan(
    *,
    actor: User,
    branch: Organization,
    held_on: date,
    theme: str,
    content_types: list[str],
    is_activity_day: bool = True,
    form: str = Activity.Form.MEETING,
    starts_at: time | None = None,
    ends_at: time | None = None,
    place: str = "",
    host: str = "",
    invitees=(),
    move_reason: str = "",
    **details,
) -> Activity:
    """Plan an activity of ``branch`` (the month's activity day unless ``is_activity_day`` is off).

    Side effects: a move of the branch's day when ``held_on`` differs from it (with ``move_reason``);
    the planned record with its history row.
    """
    _check_unit(branch)
    _ensure(perm.can_manage_activities(actor, branch))
    if held_on is None:
        raise DomainError(_("Enter the date."), field="held_on")
    activity = Activity(branch=branch, held_on=held_on, is_activity_day=is_activity_day, created_by=actor)
    _clean_details(
        activity,
        {"theme": theme, "form": form, "starts_at": starts_at, "ends_at": ends_at, "place": place, "host": host}
        | {k: v for k, v in details.items() if k in DETAIL_FIELDS},
    )
    kinds = _clean_contents(content_types)
    _check_day(actor=actor, activity=activity, held_on=held_on, move_reason=move_reason)
    _clean_lecture(activity)
    _clean_lecturer(activity, kinds)
    _save(activity)
    activity.history_model().objects.create(activity=activity, to_status=activity.status, actor=actor)
    _set_contents(activity, kinds)
    _set_invitees(activity, invitees)
    return activity


@transaction.atomic
def activity_update(
    *, actor: User, activity: Activity, changes: dict, held_on: date | None = None, move_reason: str = ""
) -> Activity:
    """Change what an activity is about (and, while it is planned, its date). A recorded activity keeps its
    date here: it changes together with the attendance in ``activity_record``."""
    activity = Activity.objects.select_for_update().select_related("branch").get(pk=activity.pk)
    _ensure(perm.can_manage_activities(actor, activity.branch))
    if activity.status == Activity.Status.CANCELLED:
        raise ConflictError(_("A cancelled activity cannot be changed."))
    if held_on is not None and held_on != activity.held_on:
        if activity.status == Activity.Status.RECORDED:
            raise ConflictError(_("Change the date of a recorded activity together with its attendance."))
        _check_day(actor=actor, activity=activity, held_on=held_on, move_reason=move_reason)
        activity.held_on = held_on
    changes = dict(changes)
    kinds = _clean_contents(changes.pop("content_types")) if "content_types" in changes else activity.content_kinds
    invitees = changes.pop("invitees", None)
    _clean_details(activity, changes)
    _clean_lecture(activity)
    _clean_lecturer(activity, kinds)
    _save(activity)
    _set_contents(activity, kinds)
    if invitees is not None:
        _set_invitees(activity, invitees)
    return activity


@transaction.atomic
def activity_cancel(*, actor: User, activity: Activity, reason: str) -> Activity:
    activity = Activity.objects.select_for_update().select_related("branch").get(pk=activity.pk)
    _ensure(perm.can_manage_activities(actor, activity.branch))
    if not (reason or "").strip():
        raise DomainError(_("Give the reason for cancelling."), field="reason")
    # A cancelled activity lets go of its lecture, which another record may then link.
    activity.lecture = None
    activity.transition_to(Activity.Status.CANCELLED, actor=actor, reason=reason.strip(), save_fields=["lecture"])
    return activity


def _clean_attendance(activity: Activity, entries: list[dict]) -> dict[int, tuple[str, str, bool]]:
    """Every member expected that day gets exactly one status; an excuse needs its reason."""
    expected = {m.pk: m for m in members_attending(activity.branch, on=activity.held_on)}
    given: dict[int, tuple[str, str, bool]] = {}
    problems = []
    for entry in entries:
        member_id = entry.get("member")
        member_id = getattr(member_id, "pk", member_id)
        status = entry.get("status")
        reason = (entry.get("reason") or "").strip()
        if member_id not in expected:
            problems.append(_("member %(id)s is not expected at this activity") % {"id": member_id})
            continue
        name = expected[member_id].name
        if member_id in given:
            problems.append(_("%(name)s is listed twice") % {"name": name})
        elif status not in Attendance.Status.values:
            problems.append(_("choose present, excused or absent for %(name)s") % {"name": name})
        elif status == Attendance.Status.EXCUSED and not reason:
            problems.append(_("give the reason %(name)s was excused") % {"name": name})
        elif len(reason) > 200:
            problems.append(_("the reason for %(name)s is too long") % {"name": name})
        given[member_id] = (status, reason if status != Attendance.Status.PRESENT else "", expected[member_id])
    missing = [m.name for pk, m in expected.items() if pk not in given]
    if missing:
        problems.append(_("no attendance for %(names)s") % {"names": "、".join(missing)})
    if problems:
        raise DomainError(_("Attendance: %(problems)s.") % {"problems": "; ".join(problems)}, field="attendance")
    return given


def _recompute_streaks(member_ids: Iterable[int]) -> list[Attendance]:
    """Absences without reason in a row, for each attendance row of these members, in date order.

    Returns the rows whose streak has just reached three (for a reminder to the branch)."""
    rows = list(
        Attendance.objects.filter(member_id__in=list(member_ids))
        .only("id", "member_id", "status", "held_on", "activity_id", "absent_streak")
        .order_by("member_id", "held_on", "activity_id")
    )
    changed, reached = [], []
    current_member, streak = None, 0
    for row in rows:
        if row.member_id != current_member:
            current_member, streak = row.member_id, 0
        streak = streak + 1 if row.status == Attendance.Status.ABSENT else 0
        if row.absent_streak != streak:
            if streak == 3:
                reached.append(row)
            row.absent_streak = streak
            changed.append(row)
    Attendance.objects.bulk_update(changed, ["absent_streak"], batch_size=1000)
    # rows of other activities (a guest's at another branch) changed too
    supervision_cache.changed_in(
        Activity.objects.filter(pk__in={row.activity_id for row in changed}).values_list("branch_id", flat=True)
    )
    return reached


def _mobile_participation(*, activity: Activity, guests: list[Member]) -> None:
    """A mobile member present at the inflow branch: the activity goes into their certificate record, once."""
    if not guests:
        return
    source = f"activity:{activity.pk}"
    memberships = MobileMembership.objects.filter(
        Organization.subtree_q(activity.branch.path, "inflow_branch"),
        member__in=guests,
        status=MobileMembership.Status.REGISTERED,
        registered_on__lte=activity.held_on,
    )
    already = set(
        MobileParticipation.objects.filter(membership__in=memberships, source=source).values_list(
            "membership_id", flat=True
        )
    )
    for membership in memberships:
        if membership.pk in already:
            continue
        mobile_participation_record(
            actor=None,
            membership=membership,
            kind=MobileParticipation.Kind.ORG_LIFE,
            occurred_on=activity.held_on,
            description=_("Took part in the activity “%(theme)s” of %(branch)s")
            % {"theme": activity.theme, "branch": activity.branch.name},
            source=source,
        )


@transaction.atomic
def activity_record(
    *,
    actor: User,
    activity: Activity,
    attendance: list[dict],
    held_on: date | None = None,
    move_reason: str = "",
    changes: dict | None = None,
    today: date | None = None,
) -> Activity:
    """Record an activity that took place: its details and the attendance of every member expected.

    Saving again updates the record and the attendance rows in place (one row per member).

    Side effects, in order: the day moved when ``held_on`` leaves the branch's day (with ``move_reason``);
    the attendance rows written (created, updated or removed); the figures on the record; each member's
    absences in a row; a mobile member present here recorded in their mobile participation (once per
    activity); the status recorded with a history row; a notification to the secretaries about members who
    have now missed three activities in a row; after commit, ``signals.attendance_recorded``.
    """
    activity = Activity.objects.select_for_update().select_related("branch").get(pk=activity.pk)
    _ensure(perm.can_manage_activities(actor, activity.branch))
    if activity.status == Activity.Status.CANCELLED:
        raise ConflictError(_("A cancelled activity cannot be recorded."))
    today = today or timezone.localdate()
    if held_on is not None and held_on != activity.held_on:
        _check_day(actor=actor, activity=activity, held_on=held_on, move_reason=move_reason)
        activity.held_on = held_on
    if activity.held_on > today:
        raise DomainError(_("An activity can be recorded once it has taken place."), field="held_on")
    if changes:
        changes = dict(changes)
        kinds = _clean_contents(changes.pop("content_types")) if "content_types" in changes else None
        invitees = changes.pop("invitees", None)
        _clean_details(activity, changes)
    else:
        kinds, invitees = None, None
    _clean_lecture(activity)
    _clean_lecturer(activity, kinds if kinds is not None else activity.content_kinds)
    given = _clean_attendance(activity, attendance)

    now = timezone.now()
    existing = {a.member_id: a for a in Attendance.objects.filter(activity=activity)}
    stale = [pk for member_id, pk in ((m, a.pk) for m, a in existing.items()) if member_id not in given]
    Attendance.objects.filter(pk__in=stale).delete()
    to_create, to_update = [], []
    for member_id, (status, reason, member) in given.items():
        guest = bool(getattr(member, "is_mobile_guest", False))
        row = existing.get(member_id)
        if row is None:
            to_create.append(
                Attendance(
                    activity=activity,
                    member_id=member_id,
                    status=status,
                    reason=reason,
                    is_mobile_guest=guest,
                    held_on=activity.held_on,
                    created_at=now,
                    updated_at=now,
                )
            )
        elif (row.status, row.reason, row.is_mobile_guest, row.held_on) != (status, reason, guest, activity.held_on):
            row.status, row.reason, row.is_mobile_guest, row.held_on, row.updated_at = (
                status,
                reason,
                guest,
                activity.held_on,
                now,
            )
            to_update.append(row)
    Attendance.objects.bulk_create(to_create)
    Attendance.objects.bulk_update(to_update, ["status", "reason", "is_mobile_guest", "held_on", "updated_at"])

    statuses = [status for status, _r, _m in given.values()]
    activity.expected_count = len(statuses)
    activity.present_count = statuses.count(Attendance.Status.PRESENT)
    activity.excused_count = statuses.count(Attendance.Status.EXCUSED)
    activity.absent_count = statuses.count(Attendance.Status.ABSENT)
    activity.recorded_by, activity.recorded_at = actor, now
    _save(activity)
    if kinds is not None:
        _set_contents(activity, kinds)
    if invitees is not None:
        _set_invitees(activity, invitees)

    reached = _recompute_streaks([*given, *(m for m in existing if m not in given)])
    _mobile_participation(
        activity=activity,
        guests=[m for status, _r, m in given.values() if status == Attendance.Status.PRESENT and m.is_mobile_guest],
    )
    activity.transition_to(Activity.Status.RECORDED, actor=actor)

    streak_names = [given[r.member_id][2].name for r in reached if r.activity_id == activity.pk]
    if streak_names:
        notification_queue(
            recipients=_secretaries(activity.branch),
            kind="activity_absent_streak",
            title=_("Absent three times in a row: %(names)s") % {"names": "、".join(streak_names)},
            body=_("These members missed three activities in a row without reason; talk with them and help them."),
            url=_activity_url(activity),
            payload={"activity_id": activity.pk},
        )
    activity_id = activity.pk
    transaction.on_commit(lambda: attendance_recorded.send(sender=Activity, activity_id=activity_id))
    return activity


# --- attachments --------------------------------------------------------------------------------------


@transaction.atomic
def attachment_add(*, actor: User, activity: Activity, upload) -> Attachment:
    """Attach an image or a PDF: the bytes must match the name, and size and count are limited."""
    activity = Activity.objects.select_for_update().select_related("branch").get(pk=activity.pk)
    _ensure(perm.can_manage_activities(actor, activity.branch))
    if activity.status == Activity.Status.CANCELLED:
        raise ConflictError(_("A cancelled activity cannot be changed."))
    if activity.attachments.count() >= setting("ACTIVITY_ATTACHMENTS_PER_ACTIVITY"):
        raise DomainError(
            _("An activity holds at most %(n)s attachments.") % {"n": setting("ACTIVITY_ATTACHMENTS_PER_ACTIVITY")},
            field="file",
        )
    file_type, safe_name = check_upload(upload)
    attachment = Attachment(
        activity=activity,
        kind=file_type.kind,
        content_type=file_type.content_type,
        original_name=str(upload.name)[:200],
        size=upload.size,
        uploaded_by=actor,
    )
    attachment.file.save(safe_name, upload, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def attachment_remove(*, actor: User, attachment: Attachment) -> None:
    attachment = Attachment.objects.select_related("activity__branch").get(pk=attachment.pk)
    _ensure(perm.can_manage_activities(actor, attachment.activity.branch))
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --- questions (质询) --------------------------------------------------------------------------------


@transaction.atomic
def question_ask(
    *,
    actor: User,
    text: str,
    branch: Organization | None = None,
    asked_by: Member | None = None,
    asker_name: str = "",
    activity: Activity | None = None,
    due_on: date | None = None,
    today: date | None = None,
) -> Question:
    """A member asks a question of the branch (质询), or the secretary records one raised at an activity.

    Side effects: the question with its history row; a notification to the branch's secretaries.
    """
    today = today or timezone.localdate()
    own = member_for_user(actor)
    if branch is None:
        if own is None:
            raise DomainError(_("Choose the branch."), field="branch")
        asked_by = own
        branch = selectors.attending_branch(own, on=today)
    _check_unit(branch)
    manager = perm.can_manage_activities(actor, branch)
    if not manager:
        # A member asks only in their own name, of the branch where they take part.
        if own is None or selectors.attending_branch(own, on=today).pk != branch.pk:
            raise PermissionDenied
        asked_by = own
        due_on = None
    if activity is not None and activity.branch_id != branch.pk:
        raise DomainError(_("The activity belongs to another branch."), field="activity")
    if asked_by is not None:
        if not members_attending(branch, on=today).filter(pk=asked_by.pk).exists():
            raise DomainError(_("The asker must be a member of the branch."), field="asked_by")
        asker_name = asked_by.name
    asker_name = (asker_name or "").strip()
    if not asker_name:
        raise DomainError(_("Enter who asked the question."), field="asker_name")
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write the question."), field="text")
    asked_on = activity.held_on if activity is not None else today
    due_on = due_on or asked_on + timedelta(days=setting("ACTIVITY_QUESTION_DAYS"))
    if due_on < asked_on:
        raise DomainError(_("The answer cannot be due before the question was asked."), field="due_on")
    question = Question.objects.create(
        branch=branch,
        activity=activity,
        asked_by=asked_by,
        asker_name=asker_name[:50],
        text=text,
        asked_on=asked_on,
        due_on=due_on,
        recorded_by=actor,
    )
    question.history_model().objects.create(question=question, to_status=question.status, actor=actor)
    notification_queue(
        recipients=[u for u in _secretaries(branch) if u.pk != actor.pk],
        kind="activity_question_asked",
        title=_("A question from %(name)s, due %(due)s") % {"name": asker_name, "due": due_on.isoformat()},
        body=text[:500],
        url=reverse("activity:question", args=[question.pk]),
        payload={"question_id": question.pk},
    )
    return question


def _question_for_update(question: Question) -> Question:
    return Question.objects.select_for_update(of=("self",)).select_related("branch", "asked_by").get(pk=question.pk)


def _tell_asker(question: Question, *, kind: str, title: str) -> None:
    user = question.asked_by.user if question.asked_by_id and question.asked_by.user_id else None
    if user is not None:
        notification_queue(
            recipients=[user],
            kind=kind,
            title=title,
            body=question.answer or question.action,
            url=reverse("activity:question", args=[question.pk]),
            payload={"question_id": question.pk},
        )


@transaction.atomic
def question_act(*, actor: User, question: Question, action: str) -> Question:
    """The branch takes the question in hand: what it is doing about it (办理中)."""
    question = _question_for_update(question)
    _ensure(perm.can_answer_question(actor, question))
    action = (action or "").strip()
    if not action:
        raise DomainError(_("Describe what the branch is doing about it."), field="action")
    question.action = action
    question.transition_to(Question.Status.IN_PROGRESS, actor=actor, reason=action[:500], save_fields=["action"])
    _tell_asker(question, kind="activity_question_in_progress", title=_("Your question is being acted on"))
    return question


@transaction.atomic
def question_answer(*, actor: User, question: Question, answer: str, today: date | None = None) -> Question:
    """The branch answers, or reports what it did. Side effects: history row; a notification to the asker."""
    question = _question_for_update(question)
    _ensure(perm.can_answer_question(actor, question))
    answer = (answer or "").strip()
    if not answer:
        raise DomainError(_("Write the answer."), field="answer")
    question.answer, question.answered_by, question.answered_on = answer, actor, today or timezone.localdate()
    question.transition_to(Question.Status.ANSWERED, actor=actor, save_fields=["answer", "answered_by", "answered_on"])
    _tell_asker(question, kind="activity_question_answered", title=_("Your question has been answered"))
    return question


@transaction.atomic
def question_close(*, actor: User, question: Question, today: date | None = None) -> Question:
    """The asker (or the branch) closes an answered question."""
    question = _question_for_update(question)
    _ensure(perm.can_close_question(actor, question))
    question.closed_on = today or timezone.localdate()
    question.transition_to(Question.Status.CLOSED, actor=actor, save_fields=["closed_on"])
    return question


@transaction.atomic
def question_reopen(*, actor: User, question: Question, reason: str) -> Question:
    """The asker does not accept the answer: the branch acts on it again (the due date stays)."""
    question = _question_for_update(question)
    _ensure(perm.can_close_question(actor, question))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the answer does not settle the question."), field="reason")
    question.transition_to(Question.Status.IN_PROGRESS, actor=actor, reason=reason)
    notification_queue(
        recipients=_secretaries(question.branch),
        kind="activity_question_reopened",
        title=_("A question was reopened: %(text)s") % {"text": question.text[:40]},
        body=reason,
        url=reverse("activity:question", args=[question.pk]),
        payload={"question_id": question.pk},
    )
    return question


# --- monthly reports ----------------------------------------------------------------------------------


def report_figures(branch: Organization, month: date) -> dict:
    """The month's figures that go with the report (a snapshot, kept as submitted)."""
    activities = Activity.objects.filter(branch=branch, month=month, status=Activity.Status.RECORDED)
    day = activities.filter(is_activity_day=True).first()
    return {
        "activities": activities.count(),
        "activity_day": day.held_on.isoformat() if day else None,
        "expected": day.expected_count if day else 0,
        "present": day.present_count if day else 0,
        "excused": day.excused_count if day else 0,
        "absent": day.absent_count if day else 0,
        "questions_asked": Question.objects.filter(
            branch=branch, asked_on__gte=month, asked_on__lte=month_end(month)
        ).count(),
        "questions_overdue": Question.objects.filter(
            branch=branch, status__in=Question.PENDING, due_on__lt=timezone.localdate()
        ).count(),
    }


@transaction.atomic
def monthly_report_submit(*, actor: User, branch: Organization, month: date, text: str, now=None) -> MonthlyReport:
    """Send the month's report upward; sending again amends it (the first sending decides lateness).

    Side effects: the report with a snapshot of the month's figures; a notification to the admins of the
    organization just above the branch.
    """
    _check_unit(branch)
    _ensure(perm.can_manage_activities(actor, branch))
    now = now or timezone.now()
    today = timezone.localdate(now)
    month = month_start(month)
    if month > month_start(today):
        raise DomainError(_("A month can be reported once it has begun."), field="month")
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write the report."), field="text")
    due_on = selectors.report_due_on(month)
    figures = report_figures(branch, month)
    report = MonthlyReport.objects.select_for_update().filter(branch=branch, month=month).first()
    if report is None:
        report = MonthlyReport.objects.create(
            branch=branch,
            month=month,
            text=text,
            figures=figures,
            due_on=due_on,
            submitted_by=actor,
            submitted_at=now,
            is_late=today > due_on,
        )
        title = _("%(branch)s reported on %(month)s") % {"branch": branch.name, "month": _month_label(month)}
    else:
        report.text, report.figures, report.amended_at = text, figures, now
        report.save(update_fields=["text", "figures", "amended_at"])
        title = _("%(branch)s amended its report on %(month)s") % {"branch": branch.name, "month": _month_label(month)}
    notification_queue(
        recipients=_admins_just_above(branch),
        kind="activity_report_submitted",
        title=title,
        body=text[:500],
        url=reverse("activity:reports") + f"?branch={branch.pk}",
        payload={"report_id": report.pk},
    )
    return report


# --- excellent cases ----------------------------------------------------------------------------------


def _marking_org(actor: User, branch: Organization) -> Organization:
    """The deepest organization the actor administers above the branch."""
    from orgs.selectors import orgs_administered_by

    candidates = [o for o in orgs_administered_by(actor) if branch.is_within(o)]
    if not candidates:
        if actor.is_superuser:
            return branch.lineage().first()
        raise PermissionDenied
    return max(candidates, key=lambda o: o.depth)


@transaction.atomic
def case_mark(*, actor: User, activity: Activity, title: str, commendation: str) -> ExcellentCase:
    """A higher organization marks a recorded activity as an excellent case (优秀案例)."""
    activity = Activity.objects.select_related("branch").get(pk=activity.pk)
    _ensure(perm.can_mark_case(actor, activity))
    if activity.status != Activity.Status.RECORDED:
        raise ConflictError(_("Only a recorded activity can be marked as an excellent case."))
    title, commendation = (title or "").strip(), (commendation or "").strip()
    if not title:
        raise DomainError(_("Enter a title."), field="title")
    if not commendation:
        raise DomainError(_("Say what makes it excellent."), field="commendation")
    if ExcellentCase.objects.filter(activity=activity).exists():
        raise ConflictError(_("This activity is already an excellent case."))
    case = ExcellentCase.objects.create(
        activity=activity,
        organization=_marking_org(actor, activity.branch),
        title=title[:200],
        commendation=commendation,
        marked_by=actor,
    )
    case.history_model().objects.create(case=case, to_status=case.status, actor=actor)
    return case


@transaction.atomic
def case_publish(*, actor: User, case: ExcellentCase) -> ExcellentCase:
    """Publish a marked case for every organization to learn from. Side effect: the branch is told."""
    case = (
        ExcellentCase.objects.select_for_update(of=("self",))
        .select_related("activity__branch", "organization")
        .get(pk=case.pk)
    )
    _ensure(perm.can_publish_case(actor, case))
    case.published_at = timezone.now()
    case.transition_to(ExcellentCase.Status.PUBLISHED, actor=actor, save_fields=["published_at"])
    notification_queue(
        recipients=_secretaries(case.activity.branch),
        kind="activity_case_published",
        title=_("Your activity was published as an excellent case: %(title)s") % {"title": case.title},
        body=case.commendation[:500],
        url=reverse("activity:case", args=[case.pk]),
        payload={"case_id": case.pk},
    )
    return case


@transaction.atomic
def case_withdraw(*, actor: User, case: ExcellentCase, reason: str) -> ExcellentCase:
    case = ExcellentCase.objects.select_for_update(of=("self",)).select_related("organization").get(pk=case.pk)
    _ensure(perm.can_publish_case(actor, case))
    if not (reason or "").strip():
        raise DomainError(_("Give the reason for withdrawing."), field="reason")
    case.transition_to(ExcellentCase.Status.WITHDRAWN, actor=actor, reason=reason.strip())
    return case


# --- reminders ----------------------------------------------------------------------------------------


def day_reminders_send(*, today: date | None = None) -> int:
    """A few days before a branch's activity day, remind its secretaries (once per branch and month).

    Branches whose day cannot be worked out because the year's calendar is missing are told so instead.
    Returns the number of branches reminded.
    """
    today = today or timezone.localdate()
    horizon = today + timedelta(days=setting("ACTIVITY_REMIND_DAYS_BEFORE"))
    branches = list(selectors.branches_with_secretaries())
    workdays = Workdays()
    sent = 0
    for month in sorted({month_start(today), month_start(horizon)}):
        days = selectors.planned_days(branches, month, workdays=workdays)
        recorded = set(
            Activity.objects.filter(month=month, is_activity_day=True, status=Activity.Status.RECORDED).values_list(
                "branch_id", flat=True
            )
        )
        for branch in branches:
            planned = days[branch.pk]
            if branch.pk in recorded:
                continue
            if planned.missing_year is not None and month == month_start(today):
                if _mark_once(f"calendar:{branch.pk}:{month:%Y-%m}"):
                    with transaction.atomic():
                        notification_queue(
                            recipients=_secretaries(branch),
                            kind="activity_calendar_missing",
                            title=_("The activity day of %(month)s cannot be worked out")
                            % {"month": _month_label(month)},
                            body=_("The holiday calendar for %(year)s has not been entered yet; set the day yourself.")
                            % {"year": planned.missing_year},
                            url=reverse("activity:home"),
                            payload={"branch_id": branch.pk},
                        )
                    sent += 1
                continue
            if planned.date is None or not today <= planned.date <= horizon:
                continue
            if not _mark_once(f"day:{branch.pk}:{month:%Y-%m}"):
                continue
            with transaction.atomic():
                notification_queue(
                    recipients=_secretaries(branch),
                    kind="activity_day_upcoming",
                    title=_("Activity day on %(day)s") % {"day": planned.date.isoformat()},
                    body=_("%(branch)s holds its party members' activity day on %(day)s.")
                    % {"branch": branch.name, "day": planned.date.isoformat()},
                    url=reverse("activity:home"),
                    payload={"branch_id": branch.pk},
                )
            sent += 1
    return sent


def unrecorded_reminders_send(*, today: date | None = None) -> int:
    """On the 25th, remind the secretaries of branches that have not recorded this month's activity day
    (once per branch and month). Returns the number of branches reminded."""
    today = today or timezone.localdate()
    month = month_start(today)
    recorded = Activity.objects.filter(
        branch=OuterRef("pk"), month=month, is_activity_day=True, status=Activity.Status.RECORDED
    )
    branches = selectors.branches_with_secretaries().exclude(Exists(recorded))
    sent = 0
    for branch in branches:
        if not _mark_once(f"unrecorded:{branch.pk}:{month:%Y-%m}"):
            continue
        with transaction.atomic():
            notification_queue(
                recipients=_secretaries(branch),
                kind="activity_day_unrecorded",
                title=_("This month's activity day is not recorded yet"),
                body=_("%(branch)s has not recorded its activity day of %(month)s; it must be held within the month.")
                % {"branch": branch.name, "month": _month_label(month)},
                url=reverse("activity:home"),
                payload={"branch_id": branch.pk},
            )
        sent += 1
    return sent
