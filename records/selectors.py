"""Reads of the records app, scoped to what the actor may see.

A member sees their own record; a secretary the records of the branch (including the entries the branch
wrote for mobile members attending there); an org admin those of its subtree.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import django_filters
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Member, MobileParticipation
from orgs.errors import DomainError
from orgs.models import Organization, User
from orgs.selectors import IdFilter, YearFilter, jurisdiction_of

from . import dues as dues_rules
from .dues import monthly_dues
from .models import (
    ActivityCard,
    Appraisal,
    ArrearsReason,
    DuesMonth,
    DuesPayment,
    PointRule,
    PointScore,
    PointTable,
    RecordEntry,
    RecordEntryChange,
)


def _entry_scope(actor: User) -> Q:
    j = jurisdiction_of(actor)
    if j.is_superuser:
        return Q()
    return j.q("branch") | j.q("member__branch") | Q(member__user=actor)


class EntryFilter(django_filters.FilterSet):
    member = IdFilter(field_name="member_id", label=_("party member"))
    branch = IdFilter(field_name="branch_id", label=_("branch"))
    kind = django_filters.ChoiceFilter(choices=RecordEntry.Kind.choices, label=_("kind"))
    status = django_filters.ChoiceFilter(choices=RecordEntry.Status.choices, label=_("status"))
    # A year the records reach.
    year = YearFilter(field_name="occurred_on", lookup_expr="year", min_value=1900, max_value=2100, label=_("year"))

    class Meta:
        model = RecordEntry
        fields = ["member", "branch", "kind", "status", "year"]


def entry_list(*, actor: User, filters: dict | None = None) -> QuerySet[RecordEntry]:
    qs = (
        RecordEntry.objects.filter(_entry_scope(actor))
        .select_related("member", "branch", "corrects", "created_by", "activity")
        .annotate(
            is_superseded=Exists(
                RecordEntry.objects.filter(corrects=OuterRef("pk"), status=RecordEntry.Status.CONFIRMED)
            )
        )
        .order_by("-occurred_on", "-id")
    )
    if filters:
        qs = EntryFilter(filters, queryset=qs).qs
    return qs


def entry_history(entry: RecordEntry) -> QuerySet[RecordEntryChange]:
    return RecordEntryChange.objects.filter(entry=entry).select_related("actor").order_by("created_at", "id")


def entries_with_history(qs: QuerySet[RecordEntry]) -> QuerySet[RecordEntry]:
    return qs.prefetch_related(
        Prefetch("history", queryset=RecordEntryChange.objects.select_related("actor").order_by("created_at", "id")),
        "corrections",
    )


def entries_to_confirm(user: User) -> QuerySet[RecordEntry]:
    """The entries of the user's own record that wait for their confirmation."""
    if not user.is_authenticated:
        return RecordEntry.objects.none()
    return RecordEntry.objects.filter(member__user=user, status=RecordEntry.Status.PENDING).order_by(
        "occurred_on", "id"
    )


def disputes_to_resolve(*, actor: User) -> QuerySet[RecordEntry]:
    """Disputed entries of the branches the actor keeps records for (secretaries, and admins above)."""
    j = jurisdiction_of(actor)
    qs = RecordEntry.objects.filter(status=RecordEntry.Status.DISPUTED)
    if not j.is_superuser:
        qs = qs.filter(j.q("branch"))
    return qs.select_related("member", "branch").order_by("created_at", "id")


def member_for_user(user: User) -> Member | None:
    if not user.is_authenticated:
        return None
    return Member.objects.select_related("branch", "user").filter(user=user, left_on__isnull=True).first()


def member_records(*, actor: User) -> QuerySet[Member]:
    """Members whose records the actor may open."""
    j = jurisdiction_of(actor)
    qs = Member.objects.select_related("branch", "activity_card")
    if not j.is_superuser:
        qs = qs.filter(j.q("branch") | Q(user=actor))
    return qs


def card_for(member: Member) -> ActivityCard | None:
    return (
        ActivityCard.objects.select_related("numbered_by", "stamped_by", "issued_by", "registered_by")
        .filter(member=member)
        .first()
    )


def appraisals_of(member: Member) -> QuerySet[Appraisal]:
    return Appraisal.objects.filter(member=member).order_by("-year")


def branches_for(*, actor: User) -> QuerySet[Organization]:
    j = jurisdiction_of(actor)
    qs = Organization.objects.filter(kind__in=Organization.BRANCH_KINDS, is_active=True)
    if not j.is_superuser:
        qs = qs.filter(j.q(""))
    return qs.order_by("path")


# --- dues ----------------------------------------------------------------------------------------------


def payments_of(member: Member) -> QuerySet[DuesPayment]:
    return DuesPayment.objects.filter(member=member).select_related("recorded_by").order_by("-first_month", "-id")


def payment_list(*, actor: User, filters: dict | None = None) -> QuerySet[DuesPayment]:
    j = jurisdiction_of(actor)
    qs = DuesPayment.objects.select_related("member", "branch", "recorded_by")
    if not j.is_superuser:
        qs = qs.filter(j.q("branch") | Q(member__user=actor))
    filters = filters or {}
    if filters.get("member"):
        qs = qs.filter(member_id=filters["member"])
    return qs.order_by("-first_month", "-id")


def mobile_dues_months(member_ids) -> list[tuple[int, date]]:
    """Months a mobile member paid at the inflow branch (``members.MobileParticipation`` of kind dues)."""
    rows = MobileParticipation.objects.filter(
        kind=MobileParticipation.Kind.DUES, membership__member_id__in=member_ids, dues_month__isnull=False
    ).values_list("membership__member_id", "dues_month")
    return [(member_id, dues_rules.month_start(month)) for member_id, month in rows]


@dataclass(frozen=True)
class DuesStanding:
    """Where one member stands with their dues on a day."""

    member: Member
    monthly: Decimal | None
    tracked_from: date
    unpaid_months: list[date]
    unpaid_streak: int
    reason: ArrearsReason | None

    @property
    def owed(self) -> Decimal | None:
        return None if self.monthly is None else self.monthly * len(self.unpaid_months)

    @property
    def flagged(self) -> bool:
        """Six months or more in a row unpaid up to last month, with no reason noted for them."""
        return self.unpaid_streak >= dues_rules.ARREARS_FLAG_MONTHS and self.reason is None


def _tracked_from(member: Member, card_month: date | None, first_paid: date | None) -> date:
    """Dues are owed from when the record starts: the card's issue, else the first payment, else when the
    member was entered here; never before the member joined."""
    joined = dues_rules.month_start(member.joined_on)
    start = card_month or first_paid or dues_rules.month_start(timezone.localtime(member.created_at).date())
    return max(joined, start)


def dues_standings(members, *, on: date | None = None) -> list[DuesStanding]:
    """The dues standing of each member in ``members`` on ``on``: the months from the start of their
    record to last month that are unpaid (the current month is not yet late); months paid at a mobile
    member's inflow branch count as paid. Four queries."""
    on = on or timezone.localdate()
    last_month = dues_rules.add_months(dues_rules.month_start(on), -1)
    members = list(members)
    ids = [m.pk for m in members]
    paid: dict[int, set[date]] = {}
    for member_id, month in DuesMonth.objects.filter(member_id__in=ids).values_list("member_id", "month"):
        paid.setdefault(member_id, set()).add(month)
    for member_id, month in mobile_dues_months(ids):
        paid.setdefault(member_id, set()).add(month)
    cards = dict(ActivityCard.objects.filter(member_id__in=ids).values_list("member_id", "issued_on"))
    reasons: dict[int, ArrearsReason] = {}
    for reason in ArrearsReason.objects.filter(member_id__in=ids, until_month__gte=last_month).order_by("-recorded_at"):
        reasons.setdefault(reason.member_id, reason)
    out = []
    for member in members:
        months = paid.get(member.pk, set())
        card = cards.get(member.pk)
        start = _tracked_from(member, dues_rules.month_start(card) if card else None, min(months) if months else None)
        unpaid = []
        month = start
        while month <= last_month:
            if month not in months:
                unpaid.append(month)
            month = dues_rules.add_months(month, 1)
        streak = 0
        month = last_month
        while month >= start and month not in months:
            streak += 1
            month = dues_rules.add_months(month, -1)
        try:
            monthly = monthly_dues(member.dues_category, member.monthly_income)
        except DomainError:
            monthly = None
        out.append(
            DuesStanding(
                member=member,
                monthly=monthly,
                tracked_from=start,
                unpaid_months=unpaid,
                unpaid_streak=streak,
                reason=reasons.get(member.pk),
            )
        )
    return out


def arrears(*, actor: User, branch: Organization | None = None, on: date | None = None) -> list[DuesStanding]:
    """Members in the actor's jurisdiction (or of one branch) with unpaid months, the longest first."""
    j = jurisdiction_of(actor)
    members = Member.objects.filter(left_on__isnull=True).select_related("branch")
    if branch is not None:
        members = members.filter(Organization.subtree_q(branch.path, "branch"))
    if not j.is_superuser:
        members = members.filter(j.q("branch"))
    standings = [s for s in dues_standings(members, on=on) if s.unpaid_months]
    return sorted(standings, key=lambda s: (-s.unpaid_streak, -len(s.unpaid_months), s.member.name))


def arrears_flagged_for_secretary(user: User, *, on: date | None = None) -> list[DuesStanding]:
    """The six-month flags of the branches the user leads as secretary."""
    j = jurisdiction_of(user)
    if not j.secretary_paths:
        return []
    q = Q(pk__in=[])
    for path in j.secretary_paths:
        q |= Organization.subtree_q(path, "branch")
    members = Member.objects.filter(q, left_on__isnull=True).select_related("branch")
    return [s for s in dues_standings(members, on=on) if s.flagged]


# --- points --------------------------------------------------------------------------------------------


def point_rules_of(organization: Organization) -> QuerySet[PointRule]:
    return PointRule.objects.filter(organization=organization).order_by("item")


def rule_organizations(*, actor: User) -> QuerySet[Organization]:
    """Organizations (above branches) whose points rules the actor may set."""
    j = jurisdiction_of(actor)
    qs = Organization.objects.exclude(kind__in=[*Organization.BRANCH_KINDS, Organization.Kind.GROUP]).filter(
        is_active=True
    )
    if not j.is_superuser:
        qs = qs.filter(j.admin_q(""))
    return qs.order_by("path")


def point_table_list(*, actor: User) -> QuerySet[PointTable]:
    j = jurisdiction_of(actor)
    qs = PointTable.objects.select_related("branch", "rules_from")
    if not j.is_superuser:
        own = Q(published_at__isnull=False, branch__members__user=actor, branch__members__left_on__isnull=True)
        qs = qs.filter(j.q("branch") | own).distinct()
    return qs.order_by("-year", "branch__path")


def published_scores_of(member: Member) -> QuerySet[PointScore]:
    """The member's lines in the published points tables of their branch, newest year first."""
    return (
        PointScore.objects.filter(member=member, table__published_at__isnull=False)
        .select_related("table")
        .order_by("-table__year")
    )


def members_with_role_entry(members, *, year: int) -> set[int]:
    """Which of ``members`` have a role-played entry (not withdrawn) for ``year``'s appraisal."""
    return set(
        RecordEntry.objects.filter(member__in=members, kind=RecordEntry.Kind.ROLE, appraisal__year=year)
        .exclude(status=RecordEntry.Status.WITHDRAWN)
        .values_list("member_id", flat=True)
    )


def point_scores(table: PointTable):
    return table.scores.select_related("member").order_by("rank", "member__name", "member_id")
