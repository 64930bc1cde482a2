"""Every write of the records app: activity cards, entries and their confirmation, dues, points.

A confirmed entry is never changed (the model refuses too); ``entry_correct`` adds a new entry that
references it. Each change writes a ``RecordEntryChange`` row with who, when and what.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from activity.models import Activity, Attendance
from members.models import Member, ReminderSent
from notifications.services import notification_queue
from orgs.errors import ConflictError, DomainError
from orgs.models import Organization, Role, User
from orgs.selectors import users_with_role

from . import dues as dues_rules
from . import permissions as perm
from .models import (
    ActivityCard,
    Appraisal,
    AppraisalGrade,
    ArrearsReason,
    ConfirmedEntryImmutable,
    DuesMonth,
    DuesPayment,
    PointItem,
    PointRule,
    PointScore,
    PointTable,
    QuarterlyDuesApproval,
    RecordEntry,
)
from .selectors import mobile_dues_months

CARD_NUMBERING_KINDS = (
    Organization.Kind.PROVINCE,
    Organization.Kind.CITY,
    Organization.Kind.COUNTY,
    Organization.Kind.UNIT,
)
# What a secretary may change on an open entry or carry into a correction.
AMENDABLE = {
    RecordEntry.Kind.ORG_LIFE: ("title", "details", "occurred_on", "attendance_status"),
    RecordEntry.Kind.DUES: ("title", "details", "occurred_on", "dues_amount", "dues_months"),
    RecordEntry.Kind.MERIT: ("title", "details", "occurred_on", "merit"),
    RecordEntry.Kind.ROLE: ("title", "details", "occurred_on", "appraisal_grade"),
}


def _ensure(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _secretaries(branch: Organization) -> list[User]:
    return list(users_with_role(role=Role.SECRETARY, organization=branch))


def _member_url(member: Member) -> str:
    return reverse("records:member", args=[member.pk])


def _text(value, field: str, *, required: bool = True, limit: int | None = None) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("This field is required."), field=field)
    if limit and len(value) > limit:
        raise DomainError(_("Keep it within %(n)d characters.") % {"n": limit}, field=field)
    return value


def _record_kept(member: Member) -> None:
    if member.records_exempt:
        raise DomainError(_("This member is exempt from record keeping."), field="member")
    if not member.is_active:
        raise DomainError(_("This member has left the branch."), field="member")


def _history(entry: RecordEntry, *, actor, from_status: str, reason: str = "", changes: dict | None = None):
    return entry.history_model().objects.create(
        entry=entry,
        from_status=from_status,
        to_status=entry.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason,
        changes=changes or {},
    )


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


# --- activity cards ------------------------------------------------------------------------------------


@transaction.atomic
def card_issue(
    *,
    actor: User,
    member: Member,
    number: str,
    numbered_by: Organization,
    stamped_by: Organization,
    stamped_on: date,
    issued_on: date,
) -> ActivityCard:
    """Register the 党员活动证 the branch hands to a member: the number from a county-level (or higher)
    organization department above the branch, the seal of a party committee above the branch.

    Side effects: the card row; a notification to the member.
    """
    member = Member.objects.select_for_update(of=("self",)).select_related("branch").get(pk=member.pk)
    _ensure(perm.can_keep_records(actor, member.branch))
    _record_kept(member)
    number = _text(number, "number", limit=40)
    branch = member.branch
    if numbered_by.kind not in CARD_NUMBERING_KINDS or not branch.is_within(numbered_by):
        raise DomainError(
            _("The number comes from the organization department of a county or higher above the branch."),
            field="numbered_by",
        )
    if stamped_by.pk == branch.pk or stamped_by.is_branch or not branch.is_within(stamped_by):
        raise DomainError(_("The seal is that of a party committee above the branch."), field="stamped_by")
    if issued_on < stamped_on:
        raise DomainError(_("A card is issued after it is stamped."), field="issued_on")
    if issued_on > timezone.localdate():
        raise DomainError(_("The date cannot be in the future."), field="issued_on")
    if ActivityCard.objects.filter(member=member).exists():
        raise ConflictError(_("This member already holds an activity card."), field="member")
    if ActivityCard.objects.filter(number=number).exists():
        raise ConflictError(_("This card number is already in use."), field="number")
    card = ActivityCard.objects.create(
        member=member,
        number=number,
        numbered_by=numbered_by,
        stamped_by=stamped_by,
        stamped_on=stamped_on,
        issued_by=branch,
        issued_on=issued_on,
        registered_by=actor,
    )
    if member.user_id:
        notification_queue(
            recipients=[member.user],
            kind="records_card_issued",
            title=_("Your party member activity card No. %(n)s is registered") % {"n": number},
            url=_member_url(member),
        )
    return card


# --- entries -------------------------------------------------------------------------------------------


def _new_entry(*, actor, member: Member, kind: str, reason: str = "", notify: bool = True, **fields) -> RecordEntry:
    entry = RecordEntry.objects.create(
        member=member,
        branch=fields.pop("branch", None) or member.branch,
        kind=kind,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
    )
    _history(entry, actor=actor, from_status="", reason=reason)
    if notify and member.user_id:
        notification_queue(
            recipients=[member.user],
            kind="records_entry_to_confirm",
            title=_("Please confirm a new entry in your record: %(t)s") % {"t": entry.title},
            url=reverse("records:me"),
            payload={"entry_id": entry.pk},
        )
    return entry


@transaction.atomic
def merit_entry_create(
    *, actor: User, member: Member, merit: str, occurred_on: date, title: str, details: str = ""
) -> RecordEntry:
    """Record a reward or punishment (党内奖励、惩处) as soon as it is decided.

    Side effects: the entry with its history row; a notification asking the member to confirm.
    """
    member = Member.objects.select_related("branch", "user").get(pk=member.pk)
    _ensure(perm.can_keep_records(actor, member.branch))
    _record_kept(member)
    if merit not in RecordEntry.Merit.values:
        raise DomainError(_("Choose reward or punishment."), field="merit")
    _not_future(occurred_on)
    return _new_entry(
        actor=actor,
        member=member,
        kind=RecordEntry.Kind.MERIT,
        merit=merit,
        occurred_on=occurred_on,
        title=_text(title, "title", limit=200),
        details=_text(details, "details", required=False),
    )


def _not_future(day: date, field: str = "occurred_on") -> None:
    if day > timezone.localdate():
        raise DomainError(_("The date cannot be in the future."), field=field)


@transaction.atomic
def role_entry_create(
    *,
    actor: User,
    member: Member,
    year: int,
    grade: str,
    appraised_on: date,
    details: str,
    title: str = "",
) -> RecordEntry:
    """Record the role a member played in a year together with the year's 民主评议 grade (at least once a
    year). The appraisal is kept once per member and year; a second one is a correction of the entry.

    Side effects: the appraisal row; the entry with its history row; a notification to the member.
    """
    member = Member.objects.select_related("branch", "user").get(pk=member.pk)
    _ensure(perm.can_keep_records(actor, member.branch))
    _record_kept(member)
    if grade not in AppraisalGrade.values:
        raise DomainError(_("Choose a grade."), field="grade")
    _not_future(appraised_on, "appraised_on")
    if not 1990 <= int(year) <= appraised_on.year:
        raise DomainError(_("Choose the year appraised (not after the appraisal)."), field="year")
    if Appraisal.objects.filter(member=member, year=year).exists():
        raise ConflictError(
            _("This member's appraisal for %(y)d is already recorded; correct that entry instead.") % {"y": year},
            field="year",
        )
    appraisal = Appraisal.objects.create(
        member=member, branch=member.branch, year=year, grade=grade, appraised_on=appraised_on, recorded_by=actor
    )
    return _new_entry(
        actor=actor,
        member=member,
        kind=RecordEntry.Kind.ROLE,
        occurred_on=appraised_on,
        title=_text(title, "title", required=False, limit=200)
        or _("Role played in %(y)d (democratic appraisal: %(g)s)") % {"y": year, "g": AppraisalGrade(grade).label},
        details=_text(details, "details"),
        appraisal=appraisal,
        appraisal_grade=grade,
    )


def _clean_changes(entry: RecordEntry, changes: dict) -> dict:
    allowed = AMENDABLE[entry.kind]
    out = {}
    for key, value in changes.items():
        if key not in allowed:
            raise DomainError(_("This field cannot be changed on this kind of entry."), field=key)
        if key in ("title", "details"):
            value = _text(value, key, required=key == "title", limit=200 if key == "title" else None)
        elif key == "occurred_on":
            if not isinstance(value, date):
                raise DomainError(_("Enter a valid date."), field=key)
            _not_future(value)
        elif key == "attendance_status" and value not in Attendance.Status.values:
            raise DomainError(_("Choose an attendance status."), field=key)
        elif key == "merit" and value not in RecordEntry.Merit.values:
            raise DomainError(_("Choose reward or punishment."), field=key)
        elif key == "appraisal_grade" and value not in AppraisalGrade.values:
            raise DomainError(_("Choose a grade."), field=key)
        elif key == "dues_amount":
            try:
                value = Decimal(str(value)).quantize(dues_rules.CENT)
            except (InvalidOperation, ValueError):
                raise DomainError(_("Enter an amount in yuan."), field=key) from None
            if value < 0:
                raise DomainError(_("The amount cannot be negative."), field=key)
        elif key == "dues_months" and (not isinstance(value, int) or not 0 <= value <= 12):
            raise DomainError(_("Enter between 0 and 12 months."), field=key)
        out[key] = value
    return out


def _apply(entry: RecordEntry, changes: dict) -> dict:
    diff = {}
    for key, value in changes.items():
        old = getattr(entry, key)
        if old != value:
            diff[key] = [_jsonable(old), _jsonable(value)]
            setattr(entry, key, value)
    return diff


def _open_entry_for_update(entry: RecordEntry, actor: User | None = None) -> RecordEntry:
    """The entry locked for a change by the branch (``actor`` None: another app on its behalf); a
    confirmed entry refuses."""
    entry = RecordEntry.objects.select_for_update(of=("self",)).select_related("member", "branch").get(pk=entry.pk)
    if actor is not None:
        _ensure(perm.can_keep_records(actor, entry.branch))
    if entry.status == RecordEntry.Status.CONFIRMED:
        raise ConfirmedEntryImmutable()
    return entry


@transaction.atomic
def entry_amend(*, actor: User, entry: RecordEntry, changes: dict, reason: str = "") -> RecordEntry:
    """Change an entry the member has not confirmed yet (what changed is kept in the history).

    Side effects: the entry saved; a history row with the old and new values.
    """
    entry = _open_entry_for_update(entry, actor)
    if entry.status == RecordEntry.Status.WITHDRAWN:
        raise ConflictError(_("A withdrawn entry cannot be changed."))
    diff = _apply(entry, _clean_changes(entry, changes))
    if diff:
        entry.save()
        _history(entry, actor=actor, from_status=entry.status, reason=reason, changes=diff)
    return entry


@transaction.atomic
def entry_confirm(*, actor: User, entry: RecordEntry) -> RecordEntry:
    """The member confirms an entry of their record; from now on it never changes.

    Side effects: the status confirmed with a history row; the branch's points table of the year
    recomputed when one exists.
    """
    entry = RecordEntry.objects.select_for_update(of=("self",)).select_related("member", "branch").get(pk=entry.pk)
    _ensure(perm.can_answer_entry(actor, entry))
    entry.confirmed_at = timezone.now()
    entry.transition_to(RecordEntry.Status.CONFIRMED, actor=actor, save_fields=["confirmed_at"])
    if entry.corrects_id and entry.appraisal_id and entry.appraisal_grade:
        # The year's appraisal follows the confirmed correction of its entry.
        Appraisal.objects.filter(pk=entry.appraisal_id).update(grade=entry.appraisal_grade)
    _recompute_member_year(entry.member, entry.occurred_on.year)
    return entry


@transaction.atomic
def entry_dispute(*, actor: User, entry: RecordEntry, reason: str) -> RecordEntry:
    """The member disputes an entry with a reason; the secretary resolves it.

    Side effects: the status disputed with the reason and a history row; a notification to the secretaries.
    """
    entry = RecordEntry.objects.select_for_update(of=("self",)).select_related("member", "branch").get(pk=entry.pk)
    _ensure(perm.can_answer_entry(actor, entry))
    reason = _text(reason, "reason", limit=1000)
    entry.dispute_reason = reason
    entry.transition_to(RecordEntry.Status.DISPUTED, actor=actor, reason=reason, save_fields=["dispute_reason"])
    notification_queue(
        recipients=_secretaries(entry.branch),
        kind="records_entry_disputed",
        title=_("%(name)s disputes a record entry: %(t)s") % {"name": entry.member.name, "t": entry.title},
        body=reason,
        url=reverse("records:disputes"),
        payload={"entry_id": entry.pk},
    )
    return entry


@transaction.atomic
def entry_resolve(*, actor: User, entry: RecordEntry, reply: str, changes: dict | None = None) -> RecordEntry:
    """The secretary answers a dispute: amends the entry (or keeps it, explaining why) and asks the
    member to confirm again.

    Side effects: the changes saved with a history row; the status back to awaiting confirmation with
    the reply; a notification to the member.
    """
    entry = _open_entry_for_update(entry, actor)
    if entry.status != RecordEntry.Status.DISPUTED:
        raise ConflictError(_("Only a disputed entry can be resolved."))
    reply = _text(reply, "reply", limit=1000)
    diff = _apply(entry, _clean_changes(entry, changes or {}))
    entry.dispute_reason = ""
    entry.transition_to(
        RecordEntry.Status.PENDING, actor=actor, reason=reply, save_fields=[*diff, "dispute_reason"], changes=diff
    )
    if entry.member.user_id:
        notification_queue(
            recipients=[entry.member.user],
            kind="records_dispute_resolved",
            title=_("Your dispute was answered; please confirm the entry again: %(t)s") % {"t": entry.title},
            body=reply,
            url=reverse("records:me"),
            payload={"entry_id": entry.pk},
        )
    return entry


@transaction.atomic
def entry_withdraw(*, actor: User | None, entry: RecordEntry, reason: str) -> RecordEntry:
    """Withdraw an entry that was never confirmed (entered by mistake). It stays in the history.

    Side effects: the status withdrawn with the reason and a history row.
    """
    entry = _open_entry_for_update(entry, actor)
    reason = _text(reason, "reason", limit=1000)
    entry.transition_to(RecordEntry.Status.WITHDRAWN, actor=actor, reason=reason)
    return entry


@transaction.atomic
def entry_correct(
    *, actor: User | None, entry: RecordEntry, reason: str, changes: dict | None = None, voids: bool = False
) -> RecordEntry:
    """Correct a confirmed entry: a new entry, referencing it, that the member confirms in turn. The
    confirmed entry itself stays as it was. ``voids`` says the corrected entry should not stand at all.

    Side effects: the correction entry with its history row (the reason and the changed values); a
    notification asking the member to confirm.
    """
    entry = (
        RecordEntry.objects.select_for_update(of=("self",))
        .select_related("member", "branch", "member__user")
        .get(pk=entry.pk)
    )
    if actor is not None:
        _ensure(perm.can_keep_records(actor, entry.branch))
    if entry.status != RecordEntry.Status.CONFIRMED:
        raise ConflictError(_("Only a confirmed entry is corrected; change or withdraw this one instead."))
    if entry.corrections.filter(status__in=RecordEntry.OPEN).exists():
        raise ConflictError(_("A correction of this entry is already awaiting confirmation."))
    if entry.corrections.filter(status=RecordEntry.Status.CONFIRMED).exists():
        raise ConflictError(_("This entry was already corrected; correct the latest correction instead."))
    reason = _text(reason, "reason", limit=1000)
    cleaned = _clean_changes(entry, changes or {})
    if not cleaned and not voids and not entry.voids:
        raise DomainError(_("Say what the correction changes."), field="changes")
    fields = {
        name: getattr(entry, name)
        for name in (
            "occurred_on",
            "title",
            "details",
            "activity",
            "attendance_status",
            "dues_payment",
            "dues_amount",
            "dues_months",
            "merit",
            "appraisal",
            "appraisal_grade",
        )
    }
    fields.update(cleaned)
    correction = RecordEntry(
        member=entry.member,
        branch=entry.branch,
        kind=entry.kind,
        corrects=entry,
        voids=voids,
        created_by=actor,
        **fields,
    )
    correction.save()
    diff = {k: [_jsonable(getattr(entry, k)), _jsonable(v)] for k, v in cleaned.items() if getattr(entry, k) != v}
    if voids:
        diff["voids"] = [False, True]
    _history(correction, actor=actor, from_status="", reason=reason, changes=diff)
    if entry.member.user_id:
        notification_queue(
            recipients=[entry.member.user],
            kind="records_entry_to_confirm",
            title=_("Please confirm a correction of your record: %(t)s") % {"t": correction.title},
            body=reason,
            url=reverse("records:me"),
            payload={"entry_id": correction.pk},
        )
    return correction


def latest_version(entry: RecordEntry) -> RecordEntry:
    """The entry that now stands for ``entry``: its newest correction not withdrawn, or itself."""
    current = entry
    while True:
        nxt = current.corrections.exclude(status=RecordEntry.Status.WITHDRAWN).order_by("-id").first()
        if nxt is None:
            return current
        current = nxt


# --- org-life entries from activity attendance ---------------------------------------------------------


ATTENDANCE_TITLES = {
    Attendance.Status.PRESENT: "present",
    Attendance.Status.EXCUSED: "excused",
    Attendance.Status.ABSENT: "absent",
}


def _attendance_details(row: Attendance) -> str:
    return row.reason or ""


@transaction.atomic
def attendance_entries_sync(*, activity_id: int) -> dict:
    """Bring the org-life entries of one activity in line with its attendance: one entry per member whose
    record is kept, never two however often the activity is saved.

    A new attendance row makes a new entry; a changed row amends the entry while it is unconfirmed and
    adds a correction once it is confirmed; a removed row withdraws the unconfirmed entry or voids the
    confirmed one by a correction; one notification asks the members with new entries to confirm them.
    Returns the counts of each.
    """
    activity = Activity.objects.select_related("branch").get(pk=activity_id)
    rows = {
        a.member_id: a
        for a in Attendance.objects.filter(activity=activity).select_related("member", "member__user", "member__branch")
    }
    originals = {
        e.member_id: e
        for e in RecordEntry.objects.select_for_update().filter(
            activity=activity, kind=RecordEntry.Kind.ORG_LIFE, corrects__isnull=True
        )
    }
    counts = defaultdict(int)
    to_tell: list[User] = []
    title = f"{activity.held_on.isoformat()} {activity.theme}"[:200]
    for member_id, row in rows.items():
        member = row.member
        if member.records_exempt:
            continue
        original = originals.get(member_id)
        if original is None:
            try:
                with transaction.atomic():
                    _new_entry(
                        actor=None,
                        member=member,
                        notify=False,
                        kind=RecordEntry.Kind.ORG_LIFE,
                        branch=activity.branch if row.is_mobile_guest else member.branch,
                        occurred_on=activity.held_on,
                        title=title,
                        details=_attendance_details(row),
                        activity=activity,
                        attendance_status=row.status,
                        reason=_("Taken from the activity's attendance."),
                    )
            except IntegrityError:  # a concurrent sync of the same activity wrote it first
                continue
            counts["created"] += 1
            if member.user_id:
                to_tell.append(member.user)
            continue
        head = latest_version(original)
        if head.voids and head.is_open:
            entry_withdraw(actor=None, entry=head, reason=_("The member is back in the activity's attendance."))
            head = latest_version(original)
        wanted = {
            "attendance_status": row.status,
            "occurred_on": activity.held_on,
            "details": _attendance_details(row),
            "title": title,
        }
        diff = {k: v for k, v in wanted.items() if getattr(head, k) != v}
        if not diff and not head.voids:
            continue
        reason = _("The activity's attendance was changed.")
        if head.status == RecordEntry.Status.CONFIRMED:
            entry_correct(actor=None, entry=head, reason=reason, changes=diff)
            counts["corrected"] += 1
        elif head.is_open:
            head = _open_entry_for_update(head)
            changed = _apply(head, diff)
            head.save()
            _history(head, actor=None, from_status=head.status, reason=reason, changes=changed)
            counts["amended"] += 1
    for member_id, original in originals.items():
        if member_id in rows:
            continue
        head = latest_version(original)
        reason = _("The member was removed from the activity's attendance.")
        if head.is_open and not head.voids:
            entry_withdraw(actor=None, entry=head, reason=reason)
            counts["withdrawn"] += 1
        elif head.status == RecordEntry.Status.CONFIRMED and not head.voids:
            entry_correct(actor=None, entry=head, reason=reason, voids=True)
            counts["voided"] += 1
    notification_queue(
        recipients=to_tell,
        kind="records_entry_to_confirm",
        title=_("Please confirm a new entry in your record: %(t)s") % {"t": title},
        url=reverse("records:me"),
        payload={"activity_id": activity.pk},
    )
    return dict(counts)


# --- dues ----------------------------------------------------------------------------------------------


@transaction.atomic
def quarterly_dues_approve(*, actor: User, member: Member, reason: str, approved_on: date) -> QuarterlyDuesApproval:
    """The branch approves that a member pays dues by the quarter. Side effects: the approval row."""
    member = Member.objects.select_related("branch").get(pk=member.pk)
    _ensure(perm.can_keep_records(actor, member.branch))
    _not_future(approved_on, "approved_on")
    approval, _created = QuarterlyDuesApproval.objects.update_or_create(
        member=member,
        defaults={"reason": _text(reason, "reason", limit=200), "approved_by": actor, "approved_on": approved_on},
    )
    return approval


@transaction.atomic
def arrears_reason_record(*, actor: User, member: Member, until_month: date, reason: str) -> ArrearsReason:
    """The branch notes why a member has not paid, so the months up to ``until_month`` raise no flag.
    Side effects: the reason row."""
    member = Member.objects.select_related("branch").get(pk=member.pk)
    _ensure(perm.can_keep_records(actor, member.branch))
    return ArrearsReason.objects.create(
        member=member,
        until_month=dues_rules.month_start(until_month),
        reason=_text(reason, "reason", limit=300),
        recorded_by=actor,
    )


def _quarter_last_month(month: date) -> date:
    return date(month.year, (month.month - 1) // 3 * 3 + 3, 1)


@transaction.atomic
def dues_pay(
    *,
    actor: User,
    member: Member,
    first_month: date,
    months: int = 1,
    paid_on: date,
    amount: Decimal | None = None,
    note: str = "",
) -> DuesPayment:
    """Record a dues payment for ``months`` consecutive months from ``first_month``.

    Months are paid monthly; paying ahead up to the end of the quarter needs the branch's approval to
    pay quarterly; back-payment reaches at most six months before the month of payment. The amount is the
    monthly dues by the 2008 rules times the months (more may be paid, never less).

    Side effects: the payment row and one row per month; the dues entry (awaiting the member's
    confirmation) with its history row; a notification to the member.
    """
    member = Member.objects.select_for_update(of=("self",)).select_related("branch", "user").get(pk=member.pk)
    _ensure(perm.can_keep_records(actor, member.branch))
    if not member.is_active:
        raise DomainError(_("This member has left the branch."), field="member")
    if not isinstance(months, int) or not 1 <= months <= 12:
        raise DomainError(_("Enter between 1 and 12 months."), field="months")
    _not_future(paid_on, "paid_on")
    first = dues_rules.month_start(first_month)
    current = dues_rules.month_start(paid_on)
    if first > _quarter_last_month(current):
        raise DomainError(_("Dues are paid up to the end of the current quarter at most."), field="first_month")
    last = dues_rules.add_months(first, months - 1)
    if first < dues_rules.month_start(member.joined_on):
        raise DomainError(_("The member joined after this month."), field="first_month")
    if first < dues_rules.add_months(current, -dues_rules.BACK_PAYMENT_MONTHS):
        raise DomainError(
            _("Back-payment reaches at most %(n)d months before the month of payment.")
            % {"n": dues_rules.BACK_PAYMENT_MONTHS},
            field="first_month",
        )
    if last > current:
        quarterly = QuarterlyDuesApproval.objects.filter(member=member).exists()
        if not quarterly:
            raise DomainError(
                _("Paying ahead needs the branch's approval to pay quarterly."),
                field="months",
            )
        if last > _quarter_last_month(current):
            raise DomainError(_("Quarterly payment reaches the end of the current quarter at most."), field="months")
    wanted = [dues_rules.add_months(first, i) for i in range(months)]
    taken = set(DuesMonth.objects.filter(member=member, month__in=wanted).values_list("month", flat=True))
    taken |= {month for _m, month in mobile_dues_months([member.pk]) if month in wanted}
    taken = sorted(taken)
    if taken:
        raise ConflictError(
            _("Dues for %(m)s are already paid.") % {"m": "、".join(f"{m:%Y-%m}" for m in taken)},
            field="first_month",
        )
    monthly = dues_rules.monthly_dues(member.dues_category, member.monthly_income)
    expected = monthly * months
    if amount is None:
        amount = expected
    try:
        amount = Decimal(str(amount)).quantize(dues_rules.CENT)
    except (InvalidOperation, ValueError):
        raise DomainError(_("Enter an amount in yuan."), field="amount") from None
    if amount < expected:
        raise DomainError(
            _("The dues for these months are %(e)s yuan; the amount cannot be less.") % {"e": expected},
            field="amount",
        )
    payment = DuesPayment.objects.create(
        member=member,
        branch=member.branch,
        first_month=first,
        months=months,
        monthly_amount=monthly,
        amount=amount,
        paid_on=paid_on,
        note=_text(note, "note", required=False, limit=200),
        recorded_by=actor,
    )
    share = (amount / months).quantize(dues_rules.CENT)
    rows = [DuesMonth(payment=payment, member=member, month=m, amount=share) for m in wanted]
    rows[-1].amount = amount - share * (months - 1)
    DuesMonth.objects.bulk_create(rows)
    if not member.records_exempt:
        period = f"{first:%Y-%m}" if months == 1 else f"{first:%Y-%m}—{last:%Y-%m}"
        _new_entry(
            actor=actor,
            member=member,
            kind=RecordEntry.Kind.DUES,
            occurred_on=paid_on,
            title=_("Party dues for %(p)s: %(a)s yuan") % {"p": period, "a": amount},
            details=payment.note,
            dues_payment=payment,
            dues_amount=amount,
            dues_months=months,
        )
    return payment


def _mark_once(key: str) -> bool:
    """True the first time ``key`` is seen (``members.ReminderSent``): one sending per flag and month."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(key=key[:120])
    except IntegrityError:
        return False
    return True


def arrears_flags_send(*, today: date | None = None) -> int:
    """Tell each branch's secretaries about members newly flagged for six months of dues unpaid without a
    reason (once per member and month). Nothing is done to the members: 自行脱党 is the branch's decision.

    Side effects: a ``ReminderSent`` row per member and month; one notification per branch.
    Returns how many members were reported.
    """
    from .selectors import dues_standings

    today = today or timezone.localdate()
    members = Member.objects.filter(left_on__isnull=True, records_exempt=False).select_related("branch")
    by_branch: dict[int, list] = defaultdict(list)
    for standing in dues_standings(members, on=today):
        if standing.flagged:
            by_branch[standing.member.branch_id].append(standing)
    sent = 0
    for standings in by_branch.values():
        branch = standings[0].member.branch
        with transaction.atomic():
            new = [s for s in standings if _mark_once(f"records-arrears:{s.member.pk}:{today:%Y%m}")]
            if not new:
                continue
            notification_queue(
                recipients=_secretaries(branch),
                kind="records_dues_arrears",
                title=_("Dues unpaid for six months or more: %(names)s")
                % {"names": "、".join(s.member.name for s in new)},
                body=_(
                    "Talk with them and note any reason; the branch decides what to do, nothing happens automatically."
                ),
                url=reverse("records:arrears") + f"?branch={branch.pk}",
                payload={"member_ids": [s.member.pk for s in new]},
            )
        sent += len(new)
    return sent


# --- points --------------------------------------------------------------------------------------------


def rules_for_branch(branch: Organization) -> tuple[Organization | None, dict[str, PointRule]]:
    """The points rules of the nearest organization above (or at) the branch that has any."""
    lineage = list(branch.lineage())
    rules = PointRule.objects.filter(organization__in=lineage)
    by_org = defaultdict(dict)
    for rule in rules:
        by_org[rule.organization_id][rule.item] = rule
    for org in reversed(lineage):
        if org.pk in by_org:
            return org, by_org[org.pk]
    return None, {}


def _item_of(entry: RecordEntry) -> str | None:
    if entry.kind == RecordEntry.Kind.ORG_LIFE:
        return {
            Attendance.Status.PRESENT: PointItem.ORG_LIFE_PRESENT,
            Attendance.Status.EXCUSED: PointItem.ORG_LIFE_EXCUSED,
            Attendance.Status.ABSENT: PointItem.ORG_LIFE_ABSENT,
        }.get(entry.attendance_status)
    if entry.kind == RecordEntry.Kind.DUES:
        return PointItem.DUES_MONTH
    if entry.kind == RecordEntry.Kind.MERIT:
        return PointItem.REWARD if entry.merit == RecordEntry.Merit.REWARD else PointItem.PUNISHMENT
    if entry.kind == RecordEntry.Kind.ROLE:
        return {
            AppraisalGrade.EXCELLENT: PointItem.ROLE_EXCELLENT,
            AppraisalGrade.QUALIFIED: PointItem.ROLE_QUALIFIED,
            AppraisalGrade.BASIC: PointItem.ROLE_BASIC,
            AppraisalGrade.UNQUALIFIED: PointItem.ROLE_UNQUALIFIED,
        }.get(entry.appraisal_grade)
    return None


def standing_entries(year: int):
    """Confirmed entries of ``year`` that stand: not superseded by a confirmed correction, not voiding."""
    superseded = RecordEntry.objects.filter(corrects=OuterRef("pk"), status=RecordEntry.Status.CONFIRMED)
    return RecordEntry.objects.filter(status=RecordEntry.Status.CONFIRMED, occurred_on__year=year, voids=False).exclude(
        Exists(superseded)
    )


def score_entries(entries, rules: dict[str, PointRule]) -> tuple[Decimal, dict[str, str]]:
    """The points of one member's standing entries by the rules (yearly caps applied per item)."""
    per_item: dict[str, Decimal] = defaultdict(Decimal)
    for entry in entries:
        item = _item_of(entry)
        rule = rules.get(item)
        if rule is None:
            continue
        times = entry.dues_months if entry.kind == RecordEntry.Kind.DUES else 1
        per_item[item] += rule.points * times
    total = Decimal("0.00")
    breakdown = {}
    for item, value in per_item.items():
        cap = rules[item].yearly_cap
        if cap is not None:
            value = max(min(value, abs(cap)), -abs(cap))
        breakdown[item] = str(value.quantize(dues_rules.CENT))
        total += value
    return total.quantize(dues_rules.CENT), breakdown


def _compute(table: PointTable) -> PointTable:
    from members.selectors import record_keeping_members

    rules_org, rules = rules_for_branch(table.branch)
    members = list(record_keeping_members(table.branch).filter(branch=table.branch))
    entries = defaultdict(list)
    for entry in standing_entries(table.year).filter(member__in=members):
        entries[entry.member_id].append(entry)
    scores = []
    for member in members:
        points, breakdown = score_entries(entries[member.pk], rules)
        scores.append(PointScore(table=table, member=member, points=points, breakdown=breakdown))
    scores.sort(key=lambda s: (-s.points, s.member.name, s.member.pk))
    rank, previous = 0, None
    for i, score in enumerate(scores, start=1):
        if score.points != previous:
            rank, previous = i, score.points
        score.rank = rank
    PointScore.objects.filter(table=table).delete()
    PointScore.objects.bulk_create(scores)
    table.rules_from = rules_org
    table.computed_at = timezone.now()
    table.save(update_fields=["rules_from", "computed_at"])
    return table


@transaction.atomic
def point_table_compute(*, actor: User, branch: Organization, year: int) -> PointTable:
    """Compute (or recompute) a branch's points table of a year from the standing entries.

    Side effects: the table row; its score rows replaced.
    """
    _ensure(perm.can_keep_records(actor, branch))
    if not branch.is_branch:
        raise DomainError(_("Choose a branch."), field="branch")
    if not 1990 <= int(year) <= timezone.localdate().year:
        raise DomainError(_("Choose a year up to this one."), field="year")
    table, _created = PointTable.objects.select_for_update().get_or_create(branch=branch, year=year)
    return _compute(table)


@transaction.atomic
def point_table_publish(*, actor: User, table: PointTable) -> PointTable:
    """Publish the table within the branch (recomputed first).

    Side effects: the table recomputed and marked published; a notification to the branch's members.
    """
    table = PointTable.objects.select_for_update(of=("self",)).select_related("branch").get(pk=table.pk)
    _ensure(perm.can_keep_records(actor, table.branch))
    _compute(table)
    table.published_at, table.published_by = timezone.now(), actor
    table.save(update_fields=["published_at", "published_by"])
    users = [s.member.user for s in table.scores.select_related("member__user") if s.member.user_id]
    notification_queue(
        recipients=users,
        kind="records_points_published",
        title=_("The points table of %(y)d is published") % {"y": table.year},
        url=reverse("records:points-table", args=[table.pk]),
        payload={"table_id": table.pk},
    )
    return table


@transaction.atomic
def point_rules_set(*, actor: User, organization: Organization, rules: list[dict]) -> list[PointRule]:
    """Set a committee's points rules (``[{"item", "points", "yearly_cap"}]``; ``points`` None removes an
    item) and recompute every points table of the branches below.

    Side effects: the rule rows written or removed; the points tables below recomputed.
    """
    _ensure(perm.can_set_point_rules(actor, organization))
    if organization.is_branch or organization.kind == Organization.Kind.GROUP:
        raise DomainError(
            _("Points rules are set by a party committee or an organization above."), field="organization"
        )
    seen = set()
    for i, rule in enumerate(rules):
        item = rule.get("item")
        if item not in PointItem.values:
            raise DomainError(_("Row %(n)d: choose an item.") % {"n": i + 1}, field="rules")
        if item in seen:
            raise DomainError(_("Row %(n)d: the item is listed twice.") % {"n": i + 1}, field="rules")
        seen.add(item)
        points, cap = rule.get("points"), rule.get("yearly_cap")
        if points is None:
            PointRule.objects.filter(organization=organization, item=item).delete()
            continue
        try:
            points = Decimal(str(points)).quantize(dues_rules.CENT)
            cap = None if cap in (None, "") else Decimal(str(cap)).quantize(dues_rules.CENT)
        except (InvalidOperation, ValueError):
            raise DomainError(_("Row %(n)d: enter numbers.") % {"n": i + 1}, field="rules") from None
        if abs(points) >= 10000 or (cap is not None and not 0 <= cap < 100000):
            raise DomainError(_("Row %(n)d: the number is out of range.") % {"n": i + 1}, field="rules")
        PointRule.objects.update_or_create(
            organization=organization,
            item=item,
            defaults={"points": points, "yearly_cap": cap, "updated_by": actor, "updated_at": timezone.now()},
        )
    point_tables_recompute(organization=organization)
    return list(PointRule.objects.filter(organization=organization))


def point_tables_recompute(*, organization: Organization) -> int:
    """Recompute every points table of the branches in ``organization``'s subtree; returns how many."""
    tables = PointTable.objects.filter(Organization.subtree_q(organization.path, "branch")).select_related("branch")
    count = 0
    for table in tables:
        _compute(table)
        count += 1
    return count


def _recompute_member_year(member: Member, year: int) -> None:
    table = PointTable.objects.filter(branch_id=member.branch_id, year=year).select_related("branch").first()
    if table is not None:
        _compute(table)
