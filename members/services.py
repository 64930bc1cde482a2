"""Every write to members, probation, activists and mobile members.

Each service is keyword-only, runs in one transaction, checks permission, moves state through the
model's transition table (which writes the history row) and queues notifications in the outbox.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notification_queue
from orgs.errors import ConflictError, DomainError
from orgs.models import Organization, Role, User
from orgs.selectors import admins_above, jurisdiction_of, users_with_role

from . import permissions as perm
from . import roster
from .identity import clean_phone, parse_id_number
from .models import (
    EXTENSION_MAX_MONTHS,
    EXTENSION_MIN_MONTHS,
    PROBATION_MONTHS,
    Activist,
    CertificateSequence,
    DuesCategory,
    Gender,
    Member,
    MemberStatusChange,
    MobileCensus,
    MobileCensusEntry,
    MobileContact,
    MobileMembership,
    MobileNotice,
    MobileParticipation,
    Partnership,
    PartnershipReview,
    PersonalDataAccess,
    Probation,
    ProbationDecision,
    ProbationFeedback,
    RecordExemption,
    ReminderSent,
    add_months,
    lookup_hash,
)
from .selectors import (
    PROBATION_WARNING_DAYS,
    contacts_due,
    contacts_overdue,
    quarter_label,
    quarter_start,
    whereabouts_unknown,
)
from .signals import send_members_imported

# --- helpers ----------------------------------------------------------------------------------------


def _ensure(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _secretaries(branch: Organization | None) -> list[User]:
    if branch is None:
        return []
    return list(users_with_role(role=Role.SECRETARY, organization=branch))


def _check_branch(branch: Organization | None, field: str = "branch") -> Organization:
    if branch is None or not branch.is_branch:
        raise DomainError(_("Choose a party branch or general branch."), field=field)
    return branch


def _check_group(group: Organization | None, branch: Organization, field: str = "group") -> Organization | None:
    if group is None:
        return None
    if group.kind != Organization.Kind.GROUP or group.parent_id != branch.pk:
        raise DomainError(_("The party group must belong to the branch."), field=field)
    return group


def _not_future(day: date | None, field: str, *, today: date | None = None) -> None:
    if day is not None and day > (today or timezone.localdate()):
        raise DomainError(_("The date cannot lie in the future."), field=field)


def _mark_once(key: str) -> bool:
    """True the first time ``key`` is seen: keeps a periodic reminder to one sending."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(key=key[:120])
    except IntegrityError:
        return False
    return True


def _member_url(member: Member) -> str:
    return reverse("members:detail", args=[member.pk])


def _mobile_url(membership: MobileMembership) -> str:
    return reverse("members:mobile-detail", args=[membership.pk])


# --- members ----------------------------------------------------------------------------------------

MEMBER_EDITABLE = {
    "name",
    "gender",
    "birth_date",
    "group",
    "phone",
    "id_number",
    "is_leading_cadre",
    "dues_category",
    "monthly_income",
    "user",
}


def _clean_member_fields(fields: dict, *, branch: Organization) -> dict:
    """Validate member fields; ``id_number`` and ``phone`` come back normalized."""
    out = dict(fields)
    if "name" in out:
        out["name"] = (out["name"] or "").strip()
        if not out["name"]:
            raise DomainError(_("The name is required."), field="name")
        if len(out["name"]) > 50:
            raise DomainError(_("The name is too long."), field="name")
    if out.get("gender") and out["gender"] not in Gender.values:
        raise DomainError(_("Choose a gender."), field="gender")
    if "group" in out:
        _check_group(out["group"], branch)
    if "dues_category" in out and out["dues_category"] not in DuesCategory.values:
        raise DomainError(_("Choose a dues category."), field="dues_category")
    if out.get("monthly_income") is not None:
        income = Decimal(out["monthly_income"])
        if income < 0:
            raise DomainError(_("The income cannot be negative."), field="monthly_income")
        out["monthly_income"] = income
    if "phone" in out:
        out["phone"] = clean_phone(out["phone"] or "")
    if "id_number" in out:
        parsed = parse_id_number(out["id_number"])
        out["id_number"] = parsed.value
        if not out.get("birth_date"):
            out["birth_date"] = parsed.birth_date
        if out.get("gender") and out["gender"] != parsed.gender:
            raise DomainError(_("The gender does not match the ID number."), field="gender")
        out["gender"] = out.get("gender") or parsed.gender
    return out


def _ensure_id_free(id_number: str, *, exclude_pk: int | None = None) -> None:
    clash = Member.objects.filter(id_number_hash=lookup_hash(id_number))
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ConflictError(_("A member with this ID number is already registered."), field="id_number")


@transaction.atomic
def member_create(
    *,
    actor: User,
    branch: Organization,
    name: str,
    id_number: str,
    joined_on: date,
    gender: str = "",
    status: str = Member.Status.FULL,
    phone: str = "",
    birth_date: date | None = None,
    group: Organization | None = None,
    user: User | None = None,
    is_leading_cadre: bool = False,
    dues_category: str = DuesCategory.EMPLOYED,
    monthly_income: Decimal | None = None,
    full_since: date | None = None,
) -> Member:
    """Register a member of ``branch``. A probationary member's probation starts at ``joined_on`` (the
    branch meeting's vote) and lasts a year.

    Side effects: the Member row, its probation when probationary, a history row.
    """
    _check_branch(branch)
    _ensure(perm.can_manage_branch_members(actor, branch))
    if status not in Member.Status.values:
        raise DomainError(_("Choose full or probationary."), field="status")
    if joined_on is None:
        raise DomainError(_("The date of joining is required."), field="joined_on")
    _not_future(joined_on, "joined_on")
    data = _clean_member_fields(
        {
            "name": name,
            "gender": gender or None,
            "id_number": id_number,
            "phone": phone,
            "birth_date": birth_date,
            "group": group,
            "dues_category": dues_category,
            "monthly_income": monthly_income,
        },
        branch=branch,
    )
    if data["birth_date"] and data["birth_date"] >= joined_on:
        raise DomainError(_("The date of joining must come after the birth date."), field="joined_on")
    _ensure_id_free(data["id_number"])
    if user is not None and Member.objects.filter(user=user).exists():
        raise ConflictError(_("This login already belongs to another member."), field="user")
    member = Member(
        branch=branch,
        group=data["group"],
        user=user,
        name=data["name"],
        gender=data["gender"],
        birth_date=data["birth_date"],
        joined_on=joined_on,
        status=status,
        full_since=(full_since or add_months(joined_on, PROBATION_MONTHS)) if status == Member.Status.FULL else None,
        is_leading_cadre=is_leading_cadre,
        dues_category=data["dues_category"],
        monthly_income=data["monthly_income"],
    )
    member.set_personal_data(id_number=data["id_number"], phone=data["phone"])
    member.save()
    member.history.create(from_status="", to_status=status, actor=actor, reason=_("Registered"))
    if status == Member.Status.PROBATIONARY:
        Probation.objects.create(member=member, starts_on=joined_on, ends_on=add_months(joined_on, PROBATION_MONTHS))
    return member


@transaction.atomic
def member_update(*, actor: User, member: Member, changes: dict) -> Member:
    """Change a member's details (not the branch, status or probation: those have their own procedures)."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    _ensure(perm.can_manage_member(actor, member))
    unknown = set(changes) - MEMBER_EDITABLE
    if unknown:
        raise DomainError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    data = _clean_member_fields(changes, branch=member.branch)
    if "id_number" in data:
        _ensure_id_free(data["id_number"], exclude_pk=member.pk)
        member.set_personal_data(id_number=data.pop("id_number"))
    if "phone" in data:
        member.set_personal_data(phone=data.pop("phone"))
    if data.get("user") is not None and Member.objects.filter(user=data["user"]).exclude(pk=member.pk).exists():
        raise ConflictError(_("This login already belongs to another member."), field="user")
    for key, value in data.items():
        setattr(member, key, value)
    member.save()
    return member


@transaction.atomic
def member_transfer(*, actor: User, member: Member, branch: Organization, group: Organization | None = None) -> Member:
    """Move a member's organizational relationship to another branch the actor manages as well."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    _check_branch(branch)
    _ensure(perm.can_manage_member(actor, member) and perm.can_manage_branch_members(actor, branch))
    if MobileMembership.objects.filter(member=member, status__in=MobileMembership.OPEN).exists():
        raise ConflictError(_("A member away as a mobile member is transferred after returning."))
    member.branch, member.group = branch, _check_group(group, branch)
    member.save(update_fields=["branch", "group", "updated_at"])
    member.history.create(
        from_status=member.status, to_status=member.status, actor=actor, reason=_("Transferred to %s") % branch
    )
    return member


@transaction.atomic
def member_leave(*, actor: User, member: Member, left_on: date, reason: str, note: str = "") -> Member:
    """Record that a member left the branch (transfer out, death, removal)."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    _ensure(perm.can_manage_member(actor, member))
    if reason not in Member.LeftReason.values or reason == Member.LeftReason.PROBATION_CANCELLED:
        raise DomainError(_("Choose why the member left."), field="reason")
    if member.left_on is not None:
        raise ConflictError(_("The member has already left."))
    if left_on < member.joined_on:
        raise DomainError(_("The date must not come before joining."), field="left_on")
    if MobileMembership.objects.filter(member=member, status__in=MobileMembership.OPEN).exists():
        raise ConflictError(_("Close the mobile membership first (record the return)."))
    _close_membership(member, left_on=left_on, reason=reason, actor=actor, note=note)
    return member


def _close_membership(member: Member, *, left_on: date, reason: str, actor: User | None, note: str = "") -> None:
    member.left_on, member.left_reason = left_on, reason
    member.save(update_fields=["left_on", "left_reason", "updated_at"])
    member.history.create(
        from_status=member.status,
        to_status=member.status,
        actor=actor,
        reason=f"{Member.LeftReason(reason).label}{'：' + note if note else ''}",
    )
    RecordExemption.objects.filter(member=member, state=RecordExemption.State.REQUESTED).update(
        state=RecordExemption.State.REJECTED, decided_at=timezone.now(), decision_notes=str(_("Member left"))
    )


@transaction.atomic
def personal_data_reveal(*, actor: User, subject: Member | Activist, field: str, reason: str) -> str:
    """The full ID number or phone of a member or activist, for someone allowed to see it.

    Side effects: exactly one PersonalDataAccess row (who, whose, which, why).
    """
    if field not in (PersonalDataAccess.Field.ID_NUMBER, PersonalDataAccess.Field.PHONE):
        raise DomainError(_("Choose the ID number or the phone."), field="field")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError(_("Say why you need the full value."), field="reason")
    _ensure(perm.can_reveal_personal_data(actor, subject, field))
    PersonalDataAccess.objects.create(
        actor=actor,
        member=subject if isinstance(subject, Member) else None,
        activist=subject if isinstance(subject, Activist) else None,
        organization=subject.branch,
        field=field,
        reason=reason[:200],
    )
    return getattr(subject, field) or ""


def personal_data_export_logged(*, actor: User, organization: Organization, row_count: int, reason: str) -> None:
    """Record an export that carries full ID numbers and phones (one row per export)."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError(_("Say why you need the full values."), field="reason")
    _ensure(perm.can_manage_branch_members(actor, organization) or perm.can_approve_for_branch(actor, organization))
    PersonalDataAccess.objects.create(
        actor=actor,
        organization=organization,
        field=PersonalDataAccess.Field.ROSTER,
        reason=reason[:200],
        row_count=row_count,
    )


# --- probation --------------------------------------------------------------------------------------


@transaction.atomic
def probation_decision_propose(
    *,
    actor: User,
    probation: Probation,
    outcome: str,
    meeting_on: date,
    votes_for: int,
    votes_against: int = 0,
    abstentions: int = 0,
    meeting_notes: str = "",
    extension_months: int | None = None,
) -> ProbationDecision:
    """Record the branch meeting's decision on a probation; it takes effect when the committee above
    approves (``probation_decision_approve``).

    Conversion and extension are discussed when the year (or the extension) ends: from 30 days before.
    A registered mobile member's conversion needs the inflow branch's written feedback first.

    Side effects: the decision row; a notification to the admins above the branch.
    """
    probation = Probation.objects.select_for_update(of=("self",)).select_related("member__branch").get(pk=probation.pk)
    member = probation.member
    _ensure(perm.can_manage_member(actor, member))
    if not probation.is_open:
        raise ConflictError(_("This probation has already been decided."))
    if outcome not in ProbationDecision.Outcome.values:
        raise DomainError(_("Choose a decision."), field="outcome")
    if probation.decisions.filter(state=ProbationDecision.State.PROPOSED).exists():
        raise ConflictError(_("A decision is already waiting for approval."))
    _not_future(meeting_on, "meeting_on")
    if meeting_on < probation.starts_on:
        raise DomainError(_("The meeting must come after the probation started."), field="meeting_on")
    if outcome != ProbationDecision.Outcome.CANCEL and meeting_on < probation.ends_on - timedelta(
        days=PROBATION_WARNING_DAYS
    ):
        raise DomainError(
            _("Conversion or extension is discussed when the probation ends (from %(d)s).")
            % {"d": probation.ends_on - timedelta(days=PROBATION_WARNING_DAYS)},
            field="meeting_on",
        )
    if outcome == ProbationDecision.Outcome.EXTEND:
        if probation.status == Probation.Status.EXTENDED:
            raise ConflictError(_("A probation can be extended only once."), field="outcome")
        if extension_months is None or not EXTENSION_MIN_MONTHS <= int(extension_months) <= EXTENSION_MAX_MONTHS:
            raise DomainError(
                _("An extension lasts from %(min)s to %(max)s months.")
                % {"min": EXTENSION_MIN_MONTHS, "max": EXTENSION_MAX_MONTHS},
                field="extension_months",
            )
    else:
        extension_months = None
    if votes_for is None or votes_for < 0 or votes_against < 0 or abstentions < 0:
        raise DomainError(_("Enter the votes of the branch meeting."), field="votes_for")
    if votes_for <= votes_against + abstentions:
        raise DomainError(_("A branch meeting decides by a majority of the votes."), field="votes_for")
    if outcome == ProbationDecision.Outcome.CONVERT:
        away = MobileMembership.objects.filter(member=member, status=MobileMembership.Status.REGISTERED).first()
        if away is not None and not away.feedback.filter(probation=probation).exists():
            raise ConflictError(
                _("Ask the inflow branch (%(b)s) for its written feedback before converting.")
                % {"b": away.inflow_branch},
                field="outcome",
            )
    decision = ProbationDecision.objects.create(
        probation=probation,
        outcome=outcome,
        extension_months=extension_months,
        meeting_on=meeting_on,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
        meeting_notes=meeting_notes,
        proposed_by=actor,
    )
    notification_queue(
        recipients=admins_above(member.branch).exclude(pk=actor.pk),
        kind="members_probation_decision_proposed",
        title=_("Probation decision to approve: %(name)s") % {"name": member.name},
        body=f"{member.branch} · {decision.get_outcome_display()}",
        url=reverse("members:probations"),
        payload={"decision_id": decision.pk, "member_id": member.pk},
    )
    return decision


@transaction.atomic
def probation_decision_approve(
    *, actor: User, decision: ProbationDecision, approved_on: date, approval_ref: str = "", notes: str = ""
) -> ProbationDecision:
    """The committee above approves a branch's probation decision, which then takes effect.

    Conversion makes the member full from the day the probation ended (转正 on time); extension moves
    the end date; cancellation ends the membership.

    Side effects: the decision approved; probation and member state changes with history rows;
    a notification to the branch's secretaries and the member.
    """
    decision = (
        ProbationDecision.objects.select_for_update(of=("self",))
        .select_related("probation__member__branch")
        .get(pk=decision.pk)
    )
    probation = Probation.objects.select_for_update().get(pk=decision.probation_id)
    member = decision.probation.member
    _ensure(perm.can_approve_for_branch(actor, member.branch))
    if decision.state != ProbationDecision.State.PROPOSED:
        raise ConflictError(_("This decision has already been answered."))
    _not_future(approved_on, "approved_on")
    if approved_on < decision.meeting_on:
        raise DomainError(_("The approval must come after the branch meeting."), field="approved_on")
    decision.state = ProbationDecision.State.APPROVED
    decision.approved_on, decision.approval_ref, decision.approval_notes = approved_on, approval_ref, notes
    decision.decided_by = actor
    decision.approving_org = _approving_org(actor, member.branch)
    decision.save()
    reason = _("Branch meeting %(m)s, approved %(a)s %(ref)s") % {
        "m": decision.meeting_on,
        "a": approved_on,
        "ref": approval_ref,
    }
    Outcome = ProbationDecision.Outcome
    if decision.outcome == Outcome.CONVERT:
        probation.transition_to(Probation.Status.CONVERTED, actor=actor, reason=reason)
        member.full_since = probation.ends_on
        member.transition_to(Member.Status.FULL, actor=actor, reason=reason, save_fields=["full_since"])
    elif decision.outcome == Outcome.EXTEND:
        probation.extension_months = decision.extension_months
        probation.ends_on = add_months(probation.ends_on, decision.extension_months)
        probation.transition_to(
            Probation.Status.EXTENDED, actor=actor, reason=reason, save_fields=["extension_months", "ends_on"]
        )
    else:
        probation.transition_to(Probation.Status.CANCELLED, actor=actor, reason=reason)
        _close_membership(
            member, left_on=approved_on, reason=Member.LeftReason.PROBATION_CANCELLED, actor=actor, note=reason
        )
    recipients = _secretaries(member.branch) + ([member.user] if member.user_id else [])
    notification_queue(
        recipients=recipients,
        kind="members_probation_decided",
        title=_("Probation decision approved: %(name)s, %(outcome)s")
        % {"name": member.name, "outcome": decision.get_outcome_display()},
        url=_member_url(member),
        payload={"decision_id": decision.pk, "member_id": member.pk},
    )
    return decision


def _approving_org(actor: User, branch: Organization) -> Organization | None:
    """The lowest organization above the branch that the actor administers."""
    j = jurisdiction_of(actor)
    for org in reversed(list(branch.lineage(include_self=False))):
        if j.administers(org) and not j.is_superuser:
            return org
    return branch.nearest(Organization.Kind.COMMITTEE, *Organization.DEPARTMENT_KINDS)


@transaction.atomic
def probation_decision_reject(*, actor: User, decision: ProbationDecision, notes: str) -> ProbationDecision:
    """The committee above does not approve; the branch may meet again."""
    decision = (
        ProbationDecision.objects.select_for_update(of=("self",))
        .select_related("probation__member__branch")
        .get(pk=decision.pk)
    )
    member = decision.probation.member
    _ensure(perm.can_approve_for_branch(actor, member.branch))
    if decision.state != ProbationDecision.State.PROPOSED:
        raise ConflictError(_("This decision has already been answered."))
    if not (notes or "").strip():
        raise DomainError(_("Say why the decision is not approved."), field="notes")
    decision.state = ProbationDecision.State.REJECTED
    decision.approval_notes, decision.decided_by = notes.strip(), actor
    decision.save(update_fields=["state", "approval_notes", "decided_by"])
    notification_queue(
        recipients=_secretaries(member.branch),
        kind="members_probation_decision_rejected",
        title=_("Probation decision not approved: %(name)s") % {"name": member.name},
        body=notes,
        url=_member_url(member),
        payload={"decision_id": decision.pk},
    )
    return decision


def probation_warnings_send(*, today: date | None = None) -> int:
    """Warn of probations ending within 30 days: the branch's secretaries, the member, and for a
    registered mobile member the inflow branch (which owes its written feedback). Once per end date.

    Returns how many probations were warned about.
    """
    today = today or timezone.localdate()
    due = Probation.objects.filter(
        status__in=Probation.OPEN,
        member__left_on__isnull=True,
        ends_on__lte=today + timedelta(days=PROBATION_WARNING_DAYS),
        ends_on__gte=today - timedelta(days=PROBATION_WARNING_DAYS),
    ).select_related("member__branch", "member__user")
    sent = 0
    for probation in due:
        with transaction.atomic():
            if not _mark_once(f"probation:{probation.pk}:{probation.ends_on:%Y%m%d}"):
                continue
            member = probation.member
            recipients = _secretaries(member.branch) + ([member.user] if member.user_id else [])
            notification_queue(
                recipients=recipients,
                kind="members_probation_ending",
                title=_("Probation of %(name)s ends on %(date)s") % {"name": member.name, "date": probation.ends_on},
                body=_("Hold the branch meeting on conversion and ask the committee above for approval."),
                url=reverse("members:probations"),
                payload={"probation_id": probation.pk, "member_id": member.pk},
            )
            away = MobileMembership.objects.filter(member=member, status=MobileMembership.Status.REGISTERED).first()
            if away is not None:
                notification_queue(
                    recipients=_secretaries(away.inflow_branch),
                    kind="members_probation_feedback_due",
                    title=_("Written feedback due on probationary member %(name)s") % {"name": member.name},
                    body=_("The probation ends on %(date)s; send the outflow branch your opinion on conversion.")
                    % {"date": probation.ends_on},
                    url=_mobile_url(away),
                    payload={"membership_id": away.pk, "probation_id": probation.pk},
                )
            sent += 1
    return sent


# --- record-keeping exemption -----------------------------------------------------------------------


@transaction.atomic
def exemption_request(*, actor: User, member: Member, reason: str, details: str = "") -> RecordExemption:
    """The branch asks that a member be kept out of record keeping (年老多病、身体残疾).

    Side effects: the request row; a notification to the admins above the branch.
    """
    member = Member.objects.select_for_update(of=("self",)).select_related("branch").get(pk=member.pk)
    _ensure(perm.can_manage_member(actor, member))
    if reason not in RecordExemption.Reason.values:
        raise DomainError(_("Choose old age and illness or physical disability."), field="reason")
    if member.left_on is not None:
        raise ConflictError(_("The member has left."))
    if RecordExemption.objects.filter(
        member=member, state__in=[RecordExemption.State.REQUESTED, RecordExemption.State.APPROVED]
    ).exists():
        raise ConflictError(_("An exemption is already requested or in force."))
    exemption = RecordExemption.objects.create(member=member, reason=reason, details=details, requested_by=actor)
    notification_queue(
        recipients=admins_above(member.branch).exclude(pk=actor.pk),
        kind="members_exemption_requested",
        title=_("Record-keeping exemption to approve: %(name)s") % {"name": member.name},
        body=f"{member.branch} · {exemption.get_reason_display()}",
        url=reverse("members:exemptions"),
        payload={"exemption_id": exemption.pk},
    )
    return exemption


def _decide_exemption(*, actor: User, exemption: RecordExemption, approve: bool, notes: str) -> RecordExemption:
    exemption = (
        RecordExemption.objects.select_for_update(of=("self",)).select_related("member__branch").get(pk=exemption.pk)
    )
    member = exemption.member
    _ensure(perm.can_approve_for_branch(actor, member.branch))
    if exemption.state != RecordExemption.State.REQUESTED:
        raise ConflictError(_("This request has already been answered."))
    if not approve and not (notes or "").strip():
        raise DomainError(_("Say why the request is not approved."), field="notes")
    exemption.state = RecordExemption.State.APPROVED if approve else RecordExemption.State.REJECTED
    exemption.decided_by, exemption.decided_at, exemption.decision_notes = actor, timezone.now(), notes or ""
    exemption.save()
    if approve:
        Member.objects.filter(pk=member.pk).update(records_exempt=True, updated_at=timezone.now())
    notification_queue(
        recipients=_secretaries(member.branch),
        kind="members_exemption_decided",
        title=_("Record-keeping exemption of %(name)s: %(state)s")
        % {"name": member.name, "state": exemption.get_state_display()},
        url=_member_url(member),
        payload={"exemption_id": exemption.pk},
    )
    return exemption


@transaction.atomic
def exemption_approve(*, actor: User, exemption: RecordExemption, notes: str = "") -> RecordExemption:
    """Approve: the member is no longer counted in record keeping."""
    return _decide_exemption(actor=actor, exemption=exemption, approve=True, notes=notes)


@transaction.atomic
def exemption_reject(*, actor: User, exemption: RecordExemption, notes: str) -> RecordExemption:
    return _decide_exemption(actor=actor, exemption=exemption, approve=False, notes=notes)


@transaction.atomic
def exemption_revoke(*, actor: User, exemption: RecordExemption, notes: str = "") -> RecordExemption:
    """End an approved exemption (the member can take part again); the branch or the approver may."""
    exemption = (
        RecordExemption.objects.select_for_update(of=("self",)).select_related("member__branch").get(pk=exemption.pk)
    )
    _ensure(perm.can_manage_member(actor, exemption.member))
    if exemption.state != RecordExemption.State.APPROVED:
        raise ConflictError(_("Only an exemption in force can be revoked."))
    exemption.state, exemption.revoked_at = RecordExemption.State.REVOKED, timezone.now()
    exemption.decision_notes = "\n".join(filter(None, [exemption.decision_notes, notes]))
    exemption.save()
    Member.objects.filter(pk=exemption.member_id).update(records_exempt=False, updated_at=timezone.now())
    return exemption


# --- activists and candidates -----------------------------------------------------------------------


@transaction.atomic
def activist_create(
    *,
    actor: User,
    branch: Organization,
    name: str,
    id_number: str,
    applied_on: date,
    activist_since: date,
    gender: str = "",
    phone: str = "",
    mentors: str = "",
    user: User | None = None,
) -> Activist:
    """Put an applicant on the branch's list of 入党积极分子."""
    _check_branch(branch)
    _ensure(perm.can_manage_branch_members(actor, branch))
    data = _clean_member_fields(
        {"name": name, "gender": gender or None, "id_number": id_number, "phone": phone}, branch=branch
    )
    _not_future(applied_on, "applied_on")
    _not_future(activist_since, "activist_since")
    if activist_since < applied_on:
        raise DomainError(_("An activist is chosen after applying."), field="activist_since")
    if Activist.objects.filter(id_number_hash=lookup_hash(data["id_number"])).exists():
        raise ConflictError(_("This person is already on an activists list."), field="id_number")
    if Member.objects.filter(id_number_hash=lookup_hash(data["id_number"]), left_on__isnull=True).exists():
        raise ConflictError(_("This person is already a party member."), field="id_number")
    activist = Activist(
        branch=branch,
        user=user,
        name=data["name"],
        gender=data["gender"],
        birth_date=data["birth_date"],
        applied_on=applied_on,
        activist_since=activist_since,
        mentors=mentors.strip(),
    )
    activist.set_personal_data(id_number=data["id_number"], phone=data["phone"])
    activist.save()
    activist.history.create(from_status="", to_status=activist.status, actor=actor, reason=_("Registered"))
    return activist


@transaction.atomic
def activist_promote(*, actor: User, activist: Activist, candidate_since: date, reason: str = "") -> Activist:
    """An activist becomes a 发展对象 (candidate for admission)."""
    activist = Activist.objects.select_for_update().get(pk=activist.pk)
    _ensure(perm.can_manage_branch_members(actor, activist.branch))
    _not_future(candidate_since, "candidate_since")
    if candidate_since < activist.activist_since:
        raise DomainError(_("A candidate is chosen after being an activist."), field="candidate_since")
    activist.candidate_since = candidate_since
    activist.transition_to(Activist.Stage.CANDIDATE, actor=actor, reason=reason, save_fields=["candidate_since"])
    return activist


@transaction.atomic
def activist_drop(*, actor: User, activist: Activist, reason: str) -> Activist:
    activist = Activist.objects.select_for_update().get(pk=activist.pk)
    _ensure(perm.can_manage_branch_members(actor, activist.branch))
    if not (reason or "").strip():
        raise DomainError(_("Say why."), field="reason")
    activist.transition_to(Activist.Stage.DROPPED, actor=actor, reason=reason.strip())
    return activist


@transaction.atomic
def activist_admit(*, actor: User, activist: Activist, joined_on: date, reason: str = "") -> Member:
    """A candidate admitted by the branch meeting becomes a probationary member (probation from ``joined_on``).

    Side effects: the Member row with its probation; the activist's stage and history.
    """
    activist = Activist.objects.select_for_update().get(pk=activist.pk)
    _ensure(perm.can_manage_branch_members(actor, activist.branch))
    if activist.status != Activist.Stage.CANDIDATE:
        raise ConflictError(_("Only a candidate for admission can be admitted."))
    if activist.candidate_since and joined_on < activist.candidate_since:
        raise DomainError(_("Admission comes after becoming a candidate."), field="joined_on")
    member = member_create(
        actor=actor,
        branch=activist.branch,
        name=activist.name,
        gender=activist.gender,
        id_number=activist.id_number,
        phone=activist.phone,
        joined_on=joined_on,
        status=Member.Status.PROBATIONARY,
        user=activist.user,
    )
    activist.member = member
    activist.user = None
    activist.transition_to(Activist.Stage.ADMITTED, actor=actor, reason=reason, save_fields=["member", "user"])
    return member


# --- mobile members ---------------------------------------------------------------------------------


def _certificate_issuer(branch: Organization) -> Organization:
    issuer = branch.nearest(Organization.Kind.COUNTY, Organization.Kind.UNIT, Organization.Kind.CITY)
    if issuer is None:
        raise DomainError(_("The branch lies under no county organization department."), field="certificate_number")
    return issuer


def certificate_number_next(*, issuer: Organization, year: int) -> str:
    """The next 《流动党员活动证》 number of a county organization department: ``<code>-<year>-<nnnnn>``."""
    seq, _created = CertificateSequence.objects.select_for_update().get_or_create(issuer=issuer, year=year)
    while True:
        seq.last_number += 1
        number = f"{issuer.code or f'Z{issuer.pk}'}-{year}-{seq.last_number:05d}"
        if not MobileMembership.objects.filter(certificate_number=number).exists():
            break
    seq.save(update_fields=["last_number"])
    return number


@transaction.atomic
def mobile_outflow_register(
    *,
    actor: User,
    member: Member,
    destination: str,
    left_on: date,
    certificate_issued_on: date,
    certificate_valid_until: date,
    certificate_number: str = "",
    inflow_branch: Organization | None = None,
    reason: str = "",
    pre_departure_talk: str = "",
) -> MobileMembership:
    """The outflow branch registers a member going out and issues the 《流动党员活动证》 (numbered by the
    county organization department: given, or the next number of its sequence).

    Side effects: the mobile membership and its first history row; when the inflow branch is known,
    a notification to its secretaries to register the member.
    """
    member = Member.objects.select_for_update(of=("self",)).select_related("branch").get(pk=member.pk)
    _ensure(perm.can_manage_member(actor, member))
    if member.left_on is not None:
        raise ConflictError(_("The member has left."))
    if MobileMembership.objects.filter(member=member, status__in=MobileMembership.OPEN).exists():
        raise ConflictError(_("The member is already registered as a mobile member."))
    destination = (destination or "").strip()
    if not destination:
        raise DomainError(_("Say where the member goes."), field="destination")
    if inflow_branch is not None:
        _check_branch(inflow_branch, "inflow_branch")
        if inflow_branch.pk == member.branch_id:
            raise DomainError(_("The inflow branch must differ from the member's own branch."), field="inflow_branch")
    if certificate_valid_until <= certificate_issued_on:
        raise DomainError(_("The certificate must be valid after its issue date."), field="certificate_valid_until")
    _not_future(certificate_issued_on, "certificate_issued_on")
    issuer = _certificate_issuer(member.branch)
    number = (certificate_number or "").strip().upper()
    if number:
        if len(number) > 40:
            raise DomainError(_("The certificate number is too long."), field="certificate_number")
        if MobileMembership.objects.filter(certificate_number=number).exists():
            raise ConflictError(_("This certificate number is already in use."), field="certificate_number")
    else:
        number = certificate_number_next(issuer=issuer, year=certificate_issued_on.year)
    membership = MobileMembership.objects.create(
        member=member,
        outflow_branch=member.branch,
        inflow_branch=inflow_branch,
        destination=destination,
        reason=reason.strip(),
        certificate_number=number,
        certificate_issuer=issuer,
        certificate_issued_on=certificate_issued_on,
        certificate_valid_until=certificate_valid_until,
        left_on=left_on,
        pre_departure_talk=pre_departure_talk.strip(),
        created_by=actor,
    )
    membership.history.create(
        from_status="", to_status=membership.status, actor=actor, reason=destination, inflow_branch=inflow_branch
    )
    if inflow_branch is not None:
        notification_queue(
            recipients=_secretaries(inflow_branch),
            kind="members_mobile_expected",
            title=_("Mobile member %(name)s is coming to your branch") % {"name": member.name},
            body=_("From %(branch)s, certificate %(number)s. Register the member once the certificate is verified.")
            % {"branch": member.branch, "number": number},
            url=reverse("members:mobile-register"),
            payload={"membership_id": membership.pk},
        )
    return membership


def mobile_lookup(*, actor: User, certificate_number: str, name: str) -> MobileMembership:
    """The mobile membership a person presents at an inflow branch: the certificate number and the name on
    it must match (both printed on the certificate), and only secretaries and admins may look."""
    j = jurisdiction_of(actor)
    if not (j.has_role(Role.SECRETARY) or j.has_role(Role.ORG_ADMIN)):
        raise PermissionDenied
    number = (certificate_number or "").strip().upper()
    if not number:
        raise DomainError(_("Enter the certificate number."), field="certificate_number")
    membership = (
        MobileMembership.objects.select_related("member", "outflow_branch", "inflow_branch", "certificate_issuer")
        .filter(certificate_number=number)
        .first()
    )
    if membership is None or membership.member.name != (name or "").strip():
        raise DomainError(
            _("No mobile member certificate with this number and name. Check both against the certificate."),
            field="certificate_number",
        )
    if membership.status == MobileMembership.Status.RETURNED:
        raise ConflictError(_("This certificate was closed when the member returned."), field="certificate_number")
    return membership


@transaction.atomic
def mobile_inflow_register(
    *,
    actor: User,
    membership: MobileMembership,
    branch: Organization,
    registered_on: date,
    certificate_verified: bool,
    group: Organization | None = None,
    note: str = "",
) -> MobileMembership:
    """The inflow branch verifies the certificate and the member's identity, and places the member in
    the branch (and a party group).

    Side effects: status registered-at-inflow with a history row; notifications to the outflow branch's
    secretaries.
    """
    membership = (
        MobileMembership.objects.select_for_update(of=("self",))
        .select_related("member", "outflow_branch")
        .get(pk=membership.pk)
    )
    _check_branch(branch)
    _ensure(perm.can_manage_branch_members(actor, branch))
    if not certificate_verified:
        raise DomainError(_("Verify the certificate and the member's identity first."), field="certificate_verified")
    if branch.pk == membership.outflow_branch_id:
        raise DomainError(_("The inflow branch must differ from the outflow branch."), field="branch")
    if membership.status != MobileMembership.Status.OUTFLOW:
        raise ConflictError(_("The member is already registered at an inflow branch."))
    _not_future(registered_on, "registered_on")
    if registered_on < membership.left_on:
        raise DomainError(_("Registration comes after going out."), field="registered_on")
    if membership.certificate_valid_until < registered_on:
        raise ConflictError(_("The certificate has expired; the outflow branch must renew it."))
    membership.inflow_branch = branch
    membership.inflow_group = _check_group(group, branch)
    membership.registered_on, membership.registered_by = registered_on, actor
    membership.transition_to(
        MobileMembership.Status.REGISTERED,
        actor=actor,
        reason=note,
        save_fields=["inflow_branch", "inflow_group", "registered_on", "registered_by"],
        inflow_branch=branch,
    )
    notification_queue(
        recipients=_secretaries(membership.outflow_branch),
        kind="members_mobile_registered",
        title=_("%(name)s registered at %(branch)s") % {"name": membership.member.name, "branch": branch},
        url=_mobile_url(membership),
        payload={"membership_id": membership.pk},
    )
    return membership


@transaction.atomic
def mobile_contact_record(
    *,
    actor: User,
    membership: MobileMembership,
    contacted_on: date,
    method: str,
    reached: bool = True,
    situation: str = "",
    matters_notified: str = "",
) -> MobileContact:
    """The outflow branch logs a contact with a member away (at least one a quarter)."""
    membership = MobileMembership.objects.select_related("outflow_branch").get(pk=membership.pk)
    _ensure(perm.can_manage_outflow(actor, membership))
    if not membership.is_open:
        raise ConflictError(_("The member has returned."))
    if method not in MobileContact.Method.values:
        raise DomainError(_("Choose the way of contact."), field="method")
    _not_future(contacted_on, "contacted_on")
    if contacted_on < membership.left_on:
        raise DomainError(_("The contact must come after the member went out."), field="contacted_on")
    if reached and not situation.strip():
        raise DomainError(_("Note the member's thinking, work and life."), field="situation")
    return MobileContact.objects.create(
        membership=membership,
        contacted_on=contacted_on,
        method=method,
        reached=reached,
        situation=situation.strip(),
        matters_notified=matters_notified.strip(),
        recorded_by=actor,
    )


def _side_of(actor: User, membership: MobileMembership, from_side: str | None) -> str:
    sides = []
    if perm.can_manage_outflow(actor, membership):
        sides.append(MobileNotice.Side.OUTFLOW)
    if perm.can_manage_inflow(actor, membership):
        sides.append(MobileNotice.Side.INFLOW)
    if not sides:
        raise PermissionDenied
    if from_side:
        if from_side not in sides:
            raise PermissionDenied
        return from_side
    if len(sides) > 1:
        raise DomainError(_("Say for which side you write."), field="from_side")
    return sides[0]


@transaction.atomic
def mobile_notice_send(
    *,
    actor: User,
    membership: MobileMembership,
    subject: str,
    body: str,
    kind: str = "situation",
    from_side: str | None = None,
) -> MobileNotice:
    """One branch informs the other about the member (定期联系通报). A change of workplace or residence,
    or a major situation, also goes to the organizations above the outflow branch.

    Side effects: the notice; notifications to the other side's secretaries (and the admins above).
    """
    membership = MobileMembership.objects.select_related("member", "outflow_branch", "inflow_branch").get(
        pk=membership.pk
    )
    side = _side_of(actor, membership, from_side)
    if not membership.is_open:
        raise ConflictError(_("The member has returned."))
    if side == MobileNotice.Side.OUTFLOW and membership.inflow_branch_id is None:
        raise ConflictError(_("No inflow branch to write to yet."))
    if kind not in MobileNotice.Kind.values:
        raise DomainError(_("Choose the kind of notice."), field="kind")
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject:
        raise DomainError(_("The subject is required."), field="subject")
    if not body:
        raise DomainError(_("The content is required."), field="body")
    notice = MobileNotice.objects.create(
        membership=membership, from_side=side, kind=kind, subject=subject[:200], body=body, sent_by=actor
    )
    other = membership.inflow_branch if side == MobileNotice.Side.OUTFLOW else membership.outflow_branch
    recipients = _secretaries(other)
    if side == MobileNotice.Side.INFLOW and kind in (MobileNotice.Kind.RELOCATION, MobileNotice.Kind.MAJOR):
        recipients += list(admins_above(membership.outflow_branch)) + list(admins_above(membership.inflow_branch))
    notification_queue(
        recipients=recipients,
        kind="members_mobile_notice",
        title=_("Notice about %(name)s: %(subject)s") % {"name": membership.member.name, "subject": subject},
        body=body[:500],
        url=_mobile_url(membership),
        payload={"notice_id": notice.pk, "membership_id": membership.pk},
    )
    return notice


@transaction.atomic
def mobile_notice_mark_read(*, actor: User, notice: MobileNotice) -> MobileNotice:
    notice = MobileNotice.objects.select_for_update(of=("self",)).select_related("membership").get(pk=notice.pk)
    receiving = MobileNotice.Side.INFLOW if notice.from_side == MobileNotice.Side.OUTFLOW else MobileNotice.Side.OUTFLOW
    allowed = (
        perm.can_manage_inflow(actor, notice.membership)
        if receiving == MobileNotice.Side.INFLOW
        else perm.can_manage_outflow(actor, notice.membership)
    )
    _ensure(allowed)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return notice


@transaction.atomic
def mobile_participation_record(
    *,
    actor: User | None,
    membership: MobileMembership,
    kind: str,
    occurred_on: date,
    description: str,
    dues_amount: Decimal | None = None,
    dues_month: date | None = None,
    source: str = "",
) -> MobileParticipation:
    """The inflow branch records a mobile member's organizational life, dues or activity (into the
    certificate). ``actor=None`` is another app recording on the branch's behalf (activity attendance)."""
    membership = MobileMembership.objects.select_related("inflow_branch").get(pk=membership.pk)
    if actor is not None:
        _ensure(perm.can_manage_inflow(actor, membership))
    if membership.status != MobileMembership.Status.REGISTERED:
        raise ConflictError(_("Only a member registered at the inflow branch can be recorded there."))
    if kind not in MobileParticipation.Kind.values:
        raise DomainError(_("Choose what is recorded."), field="kind")
    _not_future(occurred_on, "occurred_on")
    if occurred_on < membership.registered_on:
        raise DomainError(_("The date must come after the registration."), field="occurred_on")
    description = (description or "").strip()
    if not description:
        raise DomainError(_("Describe what is recorded."), field="description")
    if kind == MobileParticipation.Kind.DUES:
        if dues_amount is None or Decimal(dues_amount) <= 0:
            raise DomainError(_("Enter the amount paid."), field="dues_amount")
        if dues_month is None:
            raise DomainError(_("Enter the month the dues are for."), field="dues_month")
        dues_month = dues_month.replace(day=1)
    else:
        dues_amount = dues_month = None
    return MobileParticipation.objects.create(
        membership=membership,
        kind=kind,
        occurred_on=occurred_on,
        description=description[:300],
        dues_amount=dues_amount,
        dues_month=dues_month,
        source=source[:60],
        recorded_by=actor,
    )


@transaction.atomic
def mobile_relocate(
    *,
    actor: User,
    membership: MobileMembership,
    destination: str,
    inflow_branch: Organization | None = None,
    reason: str = "",
) -> MobileMembership:
    """The member moved on from the inflow branch: back to registered-outflow, expected at the next branch.

    Side effects: history row; notices to the outflow branch and the next inflow branch.
    """
    membership = (
        MobileMembership.objects.select_for_update(of=("self",))
        .select_related("member", "outflow_branch")
        .get(pk=membership.pk)
    )
    _ensure(perm.can_manage_outflow(actor, membership) or perm.can_manage_inflow(actor, membership))
    destination = (destination or "").strip()
    if not destination:
        raise DomainError(_("Say where the member goes."), field="destination")
    if inflow_branch is not None:
        _check_branch(inflow_branch, "inflow_branch")
    previous = membership.inflow_branch
    membership.destination, membership.inflow_branch, membership.inflow_group = destination, inflow_branch, None
    membership.registered_on = None
    membership.transition_to(
        MobileMembership.Status.OUTFLOW,
        actor=actor,
        reason=reason or destination,
        save_fields=["destination", "inflow_branch", "inflow_group", "registered_on"],
        inflow_branch=inflow_branch,
    )
    notification_queue(
        recipients=_secretaries(membership.outflow_branch) + _secretaries(inflow_branch),
        kind="members_mobile_relocated",
        title=_("%(name)s moved on from %(branch)s") % {"name": membership.member.name, "branch": previous},
        body=destination,
        url=_mobile_url(membership),
        payload={"membership_id": membership.pk},
    )
    return membership


@transaction.atomic
def mobile_return(
    *,
    actor: User,
    membership: MobileMembership,
    returned_on: date,
    certificate_checked: bool,
    conduct: str,
    org_life: str,
) -> MobileMembership:
    """The outflow branch verifies the certificate on the member's return and records, from the member
    and the inflow branch, the conduct and organizational life while away.

    Side effects: status returned with a history row; a notification to the inflow branch.
    """
    membership = (
        MobileMembership.objects.select_for_update(of=("self",))
        .select_related("member", "inflow_branch")
        .get(pk=membership.pk)
    )
    _ensure(perm.can_manage_outflow(actor, membership))
    if not certificate_checked:
        raise DomainError(_("Check the certificate before recording the return."), field="certificate_checked")
    if not (conduct or "").strip():
        raise DomainError(_("Record the member's conduct while away."), field="conduct")
    _not_future(returned_on, "returned_on")
    if returned_on < membership.left_on or (membership.registered_on and returned_on < membership.registered_on):
        raise DomainError(_("The return must come after going out and registering."), field="returned_on")
    inflow = membership.inflow_branch if membership.status == MobileMembership.Status.REGISTERED else None
    membership.returned_on, membership.return_certificate_checked = returned_on, True
    membership.return_conduct, membership.return_org_life = conduct.strip(), (org_life or "").strip()
    membership.transition_to(
        MobileMembership.Status.RETURNED,
        actor=actor,
        save_fields=["returned_on", "return_certificate_checked", "return_conduct", "return_org_life"],
        inflow_branch=inflow,
    )
    notification_queue(
        recipients=_secretaries(inflow),
        kind="members_mobile_returned",
        title=_("%(name)s has returned to the outflow branch") % {"name": membership.member.name},
        url="",
        payload={"membership_id": membership.pk},
    )
    return membership


@transaction.atomic
def probation_feedback_submit(
    *, actor: User, membership: MobileMembership, conduct: str, opinion: str, written_on: date
) -> ProbationFeedback:
    """The inflow branch's written feedback when a probationary mobile member's year ends.

    Side effects: the feedback row; a notification to the outflow branch's secretaries.
    """
    membership = MobileMembership.objects.select_related("member", "outflow_branch").get(pk=membership.pk)
    _ensure(perm.can_manage_inflow(actor, membership))
    if membership.status != MobileMembership.Status.REGISTERED:
        raise ConflictError(_("Only the branch where the member is registered writes the feedback."))
    probation = Probation.objects.filter(member=membership.member, status__in=Probation.OPEN).first()
    if probation is None:
        raise ConflictError(_("The member is not in probation."))
    if opinion not in ProbationFeedback.Opinion.values:
        raise DomainError(_("Give an opinion on conversion."), field="opinion")
    if not (conduct or "").strip():
        raise DomainError(_("Describe the member's conduct."), field="conduct")
    _not_future(written_on, "written_on")
    if written_on < probation.ends_on - timedelta(days=PROBATION_WARNING_DAYS):
        raise DomainError(_("The feedback is written when the probation ends."), field="written_on")
    if ProbationFeedback.objects.filter(membership=membership, probation=probation).exists():
        raise ConflictError(_("The feedback for this probation has been sent."))
    feedback = ProbationFeedback.objects.create(
        membership=membership,
        probation=probation,
        conduct=conduct.strip(),
        opinion=opinion,
        written_on=written_on,
        written_by=actor,
    )
    notification_queue(
        recipients=_secretaries(membership.outflow_branch),
        kind="members_probation_feedback",
        title=_("Inflow branch feedback on %(name)s: %(opinion)s")
        % {"name": membership.member.name, "opinion": feedback.get_opinion_display()},
        url=_mobile_url(membership),
        payload={"feedback_id": feedback.pk, "membership_id": membership.pk},
    )
    return feedback


def mobile_contact_reminders_send(*, today: date | None = None) -> int:
    """Remind outflow branches of their quarterly contacts: from the last month of a quarter, of the
    members not yet reached this quarter; and of the overdue ones (missed the whole previous quarter),
    to the secretaries and the admins above. Once per branch and quarter each; returns messages queued.
    """
    today = today or timezone.localdate()
    sent = 0
    quarter = quarter_label(today)
    batches = [("overdue", contacts_overdue(actor=None, on=today))]
    if today.month - quarter_start(today).month == 2:
        batches.append(("due", contacts_due(actor=None, on=today)))
    for label, qs in batches:
        by_branch: dict[int, list[MobileMembership]] = {}
        for membership in qs:
            by_branch.setdefault(membership.outflow_branch_id, []).append(membership)
        for memberships in by_branch.values():
            branch = memberships[0].outflow_branch
            with transaction.atomic():
                if not _mark_once(f"contact:{label}:{branch.pk}:{quarter}"):
                    continue
                names = "、".join(m.member.name for m in memberships[:20])
                recipients = _secretaries(branch)
                if label == "overdue":
                    recipients += list(admins_above(branch))
                    title = _("Quarterly contacts overdue: %(n)s mobile members of %(branch)s")
                else:
                    title = _("Contact these %(n)s mobile members of %(branch)s before the quarter ends")
                notification_queue(
                    recipients=recipients,
                    kind=f"members_contact_{label}",
                    title=title % {"n": len(memberships), "branch": branch},
                    body=names,
                    url=reverse("members:contacts-overdue" if label == "overdue" else "members:mobile"),
                    payload={"branch_id": branch.pk, "quarter": quarter},
                )
                sent += 1
    return sent


# --- census -----------------------------------------------------------------------------------------


@transaction.atomic
def census_take(
    *, organization: Organization, year: int | None = None, on: date | None = None, actor: User | None = None
) -> MobileCensus:
    """排查: snapshot every mobile member flowing out of or into ``organization``'s subtree, with their
    current status, flagging no contact (overdue by the quarterly rule), unknown whereabouts (the latest
    contact attempt failed) and no inflow registration. Taking it again in the same year replaces it.

    Side effects: the census and its entries; a notification to the admins of the organization and above.
    """
    on = on or timezone.localdate()
    year = year or on.year
    if actor is not None:
        _ensure(perm.can_run_census(actor, organization))
    if organization.kind not in (Organization.Kind.COMMITTEE, *Organization.DEPARTMENT_KINDS):
        raise DomainError(_("A census is taken by a party committee or an organization department."))
    MobileCensus.objects.filter(organization=organization, year=year).delete()
    census = MobileCensus.objects.create(organization=organization, year=year, taken_on=on, started_by=actor)
    open_ = MobileMembership.objects.filter(status__in=MobileMembership.OPEN).select_related(
        "member", "outflow_branch", "inflow_branch"
    )
    overdue_ids = set(contacts_overdue(actor=None, on=on).values_list("pk", flat=True))
    lost_ids = set(whereabouts_unknown(open_).values_list("pk", flat=True))
    last_contact = dict(
        MobileContact.objects.filter(membership__status__in=MobileMembership.OPEN, reached=True)
        .values("membership")
        .annotate(last=Max("contacted_on"))
        .values_list("membership", "last")
    )
    rows = []
    sides = [
        (MobileCensusEntry.Direction.OUT, open_.filter(Organization.subtree_q(organization.path, "outflow_branch"))),
        (MobileCensusEntry.Direction.IN, open_.filter(Organization.subtree_q(organization.path, "inflow_branch"))),
    ]
    counts = {}
    for direction, qs in sides:
        counts[direction] = 0
        for m in qs:
            counts[direction] += 1
            rows.append(
                MobileCensusEntry(
                    census=census,
                    membership=m,
                    direction=direction,
                    member_name=m.member.name,
                    member_status=m.member.status,
                    outflow_branch_name=m.outflow_branch.full_name,
                    inflow_branch_name=m.inflow_branch.full_name if m.inflow_branch_id else "",
                    destination=m.destination,
                    status=m.status,
                    certificate_number=m.certificate_number,
                    last_contact_on=last_contact.get(m.pk),
                    no_contact=m.pk in overdue_ids,
                    whereabouts_unknown=m.pk in lost_ids,
                    not_registered=m.status == MobileMembership.Status.OUTFLOW,
                )
            )
    MobileCensusEntry.objects.bulk_create(rows, batch_size=1000)
    census.outflow_count = counts[MobileCensusEntry.Direction.OUT]
    census.inflow_count = counts[MobileCensusEntry.Direction.IN]
    census.flagged_count = sum(1 for r in rows if r.is_flagged)
    census.save(update_fields=["outflow_count", "inflow_count", "flagged_count"])
    notification_queue(
        recipients=admins_above(organization),
        kind="members_census_taken",
        title=_("Mobile member census %(year)s of %(org)s: %(flagged)s need attention")
        % {"year": year, "org": organization, "flagged": census.flagged_count},
        url=reverse("members:census-detail", args=[census.pk]),
        payload={"census_id": census.pk},
    )
    return census


def census_take_all(*, on: date | None = None) -> int:
    """The yearly census of every party committee with mobile members flowing out or in, one transaction
    each; a committee already counted this year is left as it is. Returns censuses taken.

    The committees are found from the paths of the branches involved (their ancestors), not by asking
    every committee of the province.
    """
    on = on or timezone.localdate()
    step = Organization.steplen
    branch_paths = set()
    for out_path, in_path in MobileMembership.objects.filter(status__in=MobileMembership.OPEN).values_list(
        "outflow_branch__path", "inflow_branch__path"
    ):
        branch_paths.update(p for p in (out_path, in_path) if p)
    above = {path[:i] for path in branch_paths for i in range(step, len(path), step)}
    done = MobileCensus.objects.filter(year=on.year).values("organization")
    committees = (
        Organization.objects.filter(kind=Organization.Kind.COMMITTEE, is_active=True, path__in=above)
        .exclude(pk__in=done)
        .order_by("path")
    )
    taken = 0
    for committee in committees:
        census_take(organization=committee, year=on.year, on=on)
        taken += 1
    return taken


# --- co-management agreements and pairings ----------------------------------------------------------


@transaction.atomic
def partnership_create(
    *,
    actor: User,
    kind: str,
    outflow_org: Organization,
    inflow_org: Organization,
    title: str,
    signed_on: date,
    duties: str = "",
    targets: str = "",
    safeguards: str = "",
    review_interval_months: int = 6,
    document_number: str = "",
    ends_on: date | None = None,
) -> Partnership:
    """Record a 共管协议 (between committees or departments) or a 结对共建 (between basic-level
    organizations) that the actor's side signed. The first review falls one interval after signing."""
    if kind not in Partnership.Kind.values:
        raise DomainError(_("Choose an agreement or a pairing."), field="kind")
    if outflow_org.pk == inflow_org.pk:
        raise DomainError(_("The two sides must be different organizations."), field="inflow_org")
    if kind == Partnership.Kind.AGREEMENT:
        allowed = (Organization.Kind.COMMITTEE, *Organization.DEPARTMENT_KINDS)
        for field, org in (("outflow_org", outflow_org), ("inflow_org", inflow_org)):
            if org.kind not in allowed:
                raise DomainError(
                    _("A co-management agreement is signed by party committees or organization departments."),
                    field=field,
                )
    draft = Partnership(outflow_org=outflow_org, inflow_org=inflow_org)
    _ensure(perm.can_manage_partnership(actor, draft))
    title = (title or "").strip()
    if not title:
        raise DomainError(_("The title is required."), field="title")
    if not 1 <= int(review_interval_months) <= 24:
        raise DomainError(_("Review at least every 24 months."), field="review_interval_months")
    if ends_on is not None and ends_on <= signed_on:
        raise DomainError(_("The end must come after signing."), field="ends_on")
    partnership = Partnership.objects.create(
        kind=kind,
        outflow_org=outflow_org,
        inflow_org=inflow_org,
        title=title,
        document_number=document_number.strip(),
        signed_on=signed_on,
        duties=duties.strip(),
        targets=targets.strip(),
        safeguards=safeguards.strip(),
        review_interval_months=review_interval_months,
        next_review_on=add_months(signed_on, int(review_interval_months)),
        ends_on=ends_on,
        created_by=actor,
    )
    return partnership


@transaction.atomic
def partnership_review_record(
    *, actor: User, partnership: Partnership, held_on: date, summary: str
) -> PartnershipReview:
    """A review meeting (定期会商): recorded, and the next review falls one interval later."""
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    _ensure(perm.can_manage_partnership(actor, partnership))
    if partnership.state != Partnership.State.ACTIVE:
        raise ConflictError(_("The agreement has ended."))
    if not (summary or "").strip():
        raise DomainError(_("Summarize the review."), field="summary")
    _not_future(held_on, "held_on")
    review = PartnershipReview.objects.create(
        partnership=partnership, held_on=held_on, summary=summary.strip(), recorded_by=actor
    )
    partnership.next_review_on = add_months(held_on, partnership.review_interval_months)
    partnership.save(update_fields=["next_review_on"])
    return review


@transaction.atomic
def partnership_end(*, actor: User, partnership: Partnership, ends_on: date) -> Partnership:
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    _ensure(perm.can_manage_partnership(actor, partnership))
    if partnership.state != Partnership.State.ACTIVE:
        raise ConflictError(_("The agreement has ended."))
    partnership.state, partnership.ends_on = Partnership.State.ENDED, ends_on
    partnership.save(update_fields=["state", "ends_on"])
    return partnership


# --- roster import ----------------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    created: int = 0
    updated: int = 0
    errors: list = field(default_factory=list)  # roster.CellError, at most roster.MAX_REPORTED_ERRORS
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0


def _update_many(members: list[Member], fields: list[str]) -> None:
    """Write ``fields`` of many members in one prepared UPDATE run for every row.

    Django's ``bulk_update`` builds a CASE expression per row and field, which takes several times
    longer in Python than the whole rest of a large import; the values here go through each field's
    own ``get_db_prep_save`` (so the phone is encrypted as on any save).
    """
    if not members:
        return
    quote = connection.ops.quote_name
    model_fields = [Member._meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in model_fields)
    sql = f"UPDATE {quote(Member._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"
    rows = [[f.get_db_prep_save(getattr(m, f.attname), connection) for f in model_fields] + [m.pk] for m in members]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


@transaction.atomic
def member_import(*, actor: User, data: bytes, default_branch: Organization | None = None) -> ImportOutcome:
    """Import a roster (.xlsx): validated whole first; with any bad row nothing is written and every
    error comes back by row and column. A known ID number (by its keyed hash) updates that member;
    a probationary newcomer gets a probation from the date of joining.

    Side effects: members (bulk), their first history rows and probations. Raises RosterFileError when
    the file cannot be read at all.
    """
    if default_branch is not None:
        _check_branch(default_branch)
        _ensure(perm.can_manage_branch_members(actor, default_branch))
    checked = roster.validate(actor=actor, data=data, default_branch=default_branch)
    if not checked.ok:
        return ImportOutcome(errors=checked.errors, error_count=checked.error_count)
    now = timezone.now()
    new, updates = [], []
    for row in checked.rows:
        v = row.values
        member = Member(
            pk=row.existing_pk,
            branch=v["branch"],
            group=v.get("group"),
            name=v["name"],
            gender=v["gender"],
            birth_date=v["birth_date"],
            joined_on=v["joined_on"],
            is_leading_cadre=v["is_leading_cadre"],
            dues_category=v["dues_category"],
            monthly_income=v["monthly_income"],
            updated_at=now,
        )
        member.set_personal_data(phone=v["phone"])
        if row.existing_pk:
            updates.append(member)
            continue
        member.set_personal_data(id_number=v["id_number"])
        member.status = v["status"]
        member.created_at = now
        if v["status"] == Member.Status.FULL:
            member.full_since = add_months(v["joined_on"], PROBATION_MONTHS)
        new.append(member)
    left = Member.objects.filter(pk__in=[m.pk for m in updates]).values_list("branch_id", flat=True)
    send_members_imported([*left, *(m.branch_id for m in new), *(m.branch_id for m in updates)])
    Member.objects.bulk_create(new, batch_size=1000)
    _update_many(updates, roster.UPDATE_FIELDS)
    MemberStatusChange.objects.bulk_create(
        [
            MemberStatusChange(member=m, to_status=m.status, actor=actor, reason=_("Imported from a roster"))
            for m in new
        ],
        batch_size=2000,
    )
    Probation.objects.bulk_create(
        [
            Probation(member=m, starts_on=m.joined_on, ends_on=add_months(m.joined_on, PROBATION_MONTHS))
            for m in new
            if m.status == Member.Status.PROBATIONARY
        ],
        batch_size=2000,
    )
    return ImportOutcome(created=len(new), updated=len(updates))
