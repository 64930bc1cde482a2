"""Reads of members and mobile members, every one scoped by the actor's jurisdiction.

An org admin sees its subtree, a secretary its branch, a member only itself; a mobile member is seen by
both its outflow and its inflow branch (and by the supervisors above either), and by nobody else.
"""

from datetime import date, timedelta

import django_filters
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import Organization, User
from orgs.selectors import IdFilter, jurisdiction_of

from .models import (
    Activist,
    Member,
    MobileCensus,
    MobileContact,
    MobileMembership,
    MobileNotice,
    Partnership,
    Probation,
    ProbationDecision,
    ProbationFeedback,
    RecordExemption,
)

PROBATION_WARNING_DAYS = 30


# --- quarters -------------------------------------------------------------------------------------


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(day: date) -> date:
    start = quarter_start(day)
    next_start = date(start.year + 1, 1, 1) if start.month == 10 else date(start.year, start.month + 3, 1)
    return next_start - timedelta(days=1)


def previous_quarter_start(day: date) -> date:
    return quarter_start(quarter_start(day) - timedelta(days=1))


def quarter_label(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


# --- members --------------------------------------------------------------------------------------


def _active_on(on: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}joined_on__lte": on}) & (
        Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": on})
    )


def _open_inflow_in(j, member_ref: str = "pk") -> Exists:
    return Exists(
        MobileMembership.objects.filter(
            j.q("inflow_branch"), member=OuterRef(member_ref), status__in=MobileMembership.OPEN
        )
    )


class MemberFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label=_("name"))
    branch = IdFilter(method="filter_branch", label=_("branch"))
    status = django_filters.ChoiceFilter(choices=Member.Status.choices)
    dues_category = django_filters.ChoiceFilter(choices=Member.dues_category.field.choices)
    is_leading_cadre = django_filters.BooleanFilter()
    records_exempt = django_filters.BooleanFilter()
    mobile = django_filters.BooleanFilter(method="filter_mobile", label=_("mobile member"))
    include_left = django_filters.BooleanFilter(method="filter_noop", label=_("include members who left"))

    class Meta:
        model = Member
        fields = ["q", "branch", "status", "dues_category", "is_leading_cadre", "records_exempt", "mobile"]

    def filter_text(self, queryset, name, value):
        return queryset.filter(name__icontains=value.strip())

    def filter_branch(self, queryset, name, value):
        org = Organization.objects.filter(pk=value).first()
        if org is None:
            return queryset.none()
        return queryset.filter(Organization.subtree_q(org.path, "branch"))

    def filter_mobile(self, queryset, name, value):
        away = Exists(MobileMembership.objects.filter(member=OuterRef("pk"), status__in=MobileMembership.OPEN))
        return queryset.filter(away if value else ~away)

    def filter_noop(self, queryset, name, value):
        return queryset


def member_list(*, actor: User, filters: dict | None = None) -> QuerySet[Member]:
    """Members the actor may see: admins their subtree, secretaries their branch plus the mobile members
    registered with them, a member only itself. Members who left are listed only with ``include_left``."""
    j = jurisdiction_of(actor)
    qs = Member.objects.select_related("branch", "group")
    if not j.is_superuser:
        qs = qs.filter(j.q("branch") | Q(user=actor) | _open_inflow_in(j))
    filters = dict(filters or {})
    if str(filters.get("include_left", "")).lower() not in {"true", "1", "on"}:
        qs = qs.filter(left_on__isnull=True)
    if filters:
        qs = MemberFilter(filters, queryset=qs).qs
    away = MobileMembership.objects.filter(member=OuterRef("pk"), status__in=MobileMembership.OPEN)
    return qs.annotate(is_mobile=Exists(away)).order_by("branch__path", "name", "id")


def branches_for(*, actor: User) -> QuerySet[Organization]:
    """The branches (and general branches) in the actor's jurisdiction, in tree order."""
    j = jurisdiction_of(actor)
    qs = Organization.objects.filter(kind__in=Organization.BRANCH_KINDS, is_active=True)
    if not j.is_superuser:
        qs = qs.filter(j.q(""))
    return qs.order_by("path")


def member_for_user(user: User) -> Member | None:
    if not user.is_authenticated:
        return None
    return Member.objects.select_related("branch", "group").filter(user=user, left_on__isnull=True).first()


def members_attending(branch: Organization, *, on: date) -> QuerySet[Member]:
    """Who should attend ``branch``'s activity on ``on``.

    The branch's own members (of its party groups too, and of the branches below a general branch) who
    were members on that day, less those then registered at another inflow branch (they attend there),
    plus the mobile members registered at this branch that day. Each row carries ``is_mobile_guest``
    (True for a mobile member attending here as inflow branch).
    """

    def registered(**where):
        return MobileMembership.objects.filter(
            member=OuterRef("pk"),
            status__in=[MobileMembership.Status.REGISTERED, MobileMembership.Status.RETURNED],
            registered_on__lte=on,
            **where,
        ).filter(Q(returned_on__isnull=True) | Q(returned_on__gt=on))

    here = Organization.subtree_q(branch.path, "inflow_branch")
    registered_here = registered().filter(here)
    registered_elsewhere = registered(inflow_branch__isnull=False).exclude(here)
    own = Organization.subtree_q(branch.path, "branch")
    return (
        Member.objects.filter(_active_on(on))
        .filter((own & ~Exists(registered_elsewhere)) | Exists(registered_here))
        .annotate(is_mobile_guest=Exists(registered_here))
        .select_related("branch", "group", "user")
        .order_by("name", "id")
    )


def record_keeping_members(branch: Organization, *, on: date | None = None) -> QuerySet[Member]:
    """The branch's members whose records are kept: active members without an approved exemption."""
    on = on or timezone.localdate()
    return Member.objects.filter(
        Organization.subtree_q(branch.path, "branch"), _active_on(on), records_exempt=False
    ).order_by("name", "id")


def branch_member_counts(branch: Organization) -> dict:
    """Counts shown wherever records are counted: members, probationary, exempt, away as mobile."""
    qs = Member.objects.filter(Organization.subtree_q(branch.path, "branch"), left_on__isnull=True)
    counts = qs.aggregate(
        total=Count("id"),
        probationary=Count("id", filter=Q(status=Member.Status.PROBATIONARY)),
        exempt=Count("id", filter=Q(records_exempt=True)),
        leading_cadres=Count("id", filter=Q(is_leading_cadre=True)),
    )
    counts["mobile_out"] = MobileMembership.objects.filter(member__in=qs, status__in=MobileMembership.OPEN).count()
    counts["record_keeping"] = counts["total"] - counts["exempt"]
    return counts


def member_history(member: Member):
    return member.history.select_related("actor").order_by("created_at", "id")


# --- probation ------------------------------------------------------------------------------------


def probation_list(*, actor: User, ending_within: int | None = None, on: date | None = None) -> QuerySet[Probation]:
    """Open probations in the actor's jurisdiction; with ``ending_within`` only those ending within that
    many days (or already past their end and undecided)."""
    j = jurisdiction_of(actor)
    qs = Probation.objects.filter(status__in=Probation.OPEN, member__left_on__isnull=True).select_related(
        "member", "member__branch"
    )
    if not j.is_superuser:
        qs = qs.filter(j.q("member__branch") | Q(member__user=actor))
    if ending_within is not None:
        qs = qs.filter(ends_on__lte=(on or timezone.localdate()) + timedelta(days=ending_within))
    pending = ProbationDecision.objects.filter(probation=OuterRef("pk"), state=ProbationDecision.State.PROPOSED)
    return qs.annotate(has_pending_decision=Exists(pending)).order_by("ends_on", "id")


def probation_decisions_to_approve(*, actor: User) -> QuerySet[ProbationDecision]:
    j = jurisdiction_of(actor)
    qs = ProbationDecision.objects.filter(state=ProbationDecision.State.PROPOSED).select_related(
        "probation__member__branch", "proposed_by"
    )
    if not j.is_superuser:
        qs = qs.filter(j.admin_q("probation__member__branch"))
    return qs.order_by("proposed_at", "id")


def exemption_list(*, actor: User, state: str | None = None) -> QuerySet[RecordExemption]:
    j = jurisdiction_of(actor)
    qs = RecordExemption.objects.select_related("member__branch", "requested_by", "decided_by")
    if not j.is_superuser:
        qs = qs.filter(j.q("member__branch"))
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-requested_at", "-id")


def exemptions_to_approve(*, actor: User) -> QuerySet[RecordExemption]:
    j = jurisdiction_of(actor)
    qs = RecordExemption.objects.filter(state=RecordExemption.State.REQUESTED).select_related("member__branch")
    if not j.is_superuser:
        qs = qs.filter(j.admin_q("member__branch"))
    return qs.order_by("requested_at", "id")


# --- activists ------------------------------------------------------------------------------------


def activist_list(*, actor: User, stage: str | None = None, include_closed: bool = False) -> QuerySet[Activist]:
    """入党积极分子 and 发展对象 of the branches in the actor's jurisdiction."""
    j = jurisdiction_of(actor)
    qs = Activist.objects.select_related("branch")
    if not j.is_superuser:
        qs = qs.filter(j.q("branch"))
    if stage:
        qs = qs.filter(status=stage)
    elif not include_closed:
        qs = qs.filter(status__in=Activist.OPEN)
    return qs.order_by("branch__path", "status", "name", "id")


def activists_to_invite(branch: Organization) -> QuerySet[Activist]:
    """Who an activity of ``branch`` may invite: its open activists and candidates."""
    return Activist.objects.filter(Organization.subtree_q(branch.path, "branch"), status__in=Activist.OPEN).order_by(
        "status", "name", "id"
    )


# --- mobile members -------------------------------------------------------------------------------


def _last_contact_subquery():
    return Subquery(
        MobileContact.objects.filter(membership=OuterRef("pk"), reached=True)
        .order_by("-contacted_on")
        .values("contacted_on")[:1]
    )


class MobileFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=MobileMembership.Status.choices)
    side = django_filters.ChoiceFilter(
        method="filter_side", choices=[("out", _("Flowing out")), ("in", _("Flowing in"))], label=_("side")
    )
    q = django_filters.CharFilter(method="filter_text", label=_("name or certificate number"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("still away"))

    class Meta:
        model = MobileMembership
        fields = ["status", "side", "q", "open"]

    def filter_side(self, queryset, name, value):
        j = jurisdiction_of(self.request_user)
        if value == "out":
            return queryset.filter(j.q("outflow_branch"))
        return queryset.filter(j.q("inflow_branch"), status__in=MobileMembership.OPEN)

    def filter_text(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(member__name__icontains=value) | Q(certificate_number=value))

    def filter_open(self, queryset, name, value):
        return (
            queryset.filter(status__in=MobileMembership.OPEN)
            if value
            else queryset.exclude(status__in=MobileMembership.OPEN)
        )


def mobile_list(*, actor: User, filters: dict | None = None) -> QuerySet[MobileMembership]:
    """Mobile memberships seen by the actor: those flowing out of its jurisdiction (all, with history),
    those now registered at or expected by a branch in it, and the member's own."""
    j = jurisdiction_of(actor)
    qs = MobileMembership.objects.select_related(
        "member", "outflow_branch", "inflow_branch", "inflow_group", "certificate_issuer"
    )
    if not j.is_superuser:
        qs = qs.filter(
            j.q("outflow_branch") | (j.q("inflow_branch") & Q(status__in=MobileMembership.OPEN)) | Q(member__user=actor)
        )
    if filters:
        fs = MobileFilter(filters, queryset=qs)
        fs.request_user = actor
        qs = fs.qs
    return qs.annotate(last_contact_on=_last_contact_subquery()).order_by("-left_on", "-id")


def mobile_for_member(member: Member) -> QuerySet[MobileMembership]:
    return member.mobile_memberships.select_related("outflow_branch", "inflow_branch").order_by("-left_on", "-id")


def mobile_open_for(member: Member) -> MobileMembership | None:
    return member.mobile_memberships.filter(status__in=MobileMembership.OPEN).first()


def mobile_pending_registration(*, actor: User) -> QuerySet[MobileMembership]:
    """Members on their way to a branch of the actor's that has not registered them yet."""
    j = jurisdiction_of(actor)
    qs = MobileMembership.objects.filter(status=MobileMembership.Status.OUTFLOW, inflow_branch__isnull=False)
    if not j.is_superuser:
        qs = qs.filter(j.q("inflow_branch"))
    return qs.select_related("member", "outflow_branch", "inflow_branch").order_by("left_on", "id")


def contacts_due(*, actor: User | None, on: date) -> QuerySet[MobileMembership]:
    """Open mobile memberships not yet contacted this quarter (those that went out in an earlier one)."""
    q0 = quarter_start(on)
    return _contact_gap(actor=actor, since=q0, on=on, left_before=q0)


def contacts_overdue(*, actor: User | None, on: date) -> QuerySet[MobileMembership]:
    """Open mobile memberships the outflow branch did not reach in the whole previous quarter nor since.

    The quarter in which the member went out is covered by the pre-departure talk, so a member counts
    only from the first full quarter away: someone who left on 2026-02-10 is overdue on 2026-07-01 when
    nobody reached them between 2026-04-01 and that day.
    """
    q1 = previous_quarter_start(on)
    return _contact_gap(actor=actor, since=q1, on=on, left_before=q1)


def _contact_gap(*, actor, since: date, on: date, left_before: date) -> QuerySet[MobileMembership]:
    reached = MobileContact.objects.filter(
        membership=OuterRef("pk"), reached=True, contacted_on__gte=since, contacted_on__lte=on
    )
    qs = MobileMembership.objects.filter(status__in=MobileMembership.OPEN, left_on__lt=left_before).filter(
        ~Exists(reached)
    )
    if actor is not None:
        j = jurisdiction_of(actor)
        if not j.is_superuser:
            qs = qs.filter(j.q("outflow_branch"))
    return (
        qs.select_related("member", "outflow_branch", "inflow_branch", "inflow_group", "certificate_issuer")
        .annotate(last_contact_on=_last_contact_subquery())
        .order_by("outflow_branch__path", "member__name", "id")
    )


def whereabouts_unknown(qs: QuerySet[MobileMembership]) -> QuerySet[MobileMembership]:
    """Memberships whose latest contact attempt did not reach the member."""
    latest = MobileContact.objects.filter(membership=OuterRef("pk")).order_by("-contacted_on", "-id")
    return qs.annotate(latest_reached=Subquery(latest.values("reached")[:1])).filter(latest_reached=False)


def probation_feedback_due(*, actor: User, on: date) -> QuerySet[MobileMembership]:
    """Probationary mobile members registered at the actor's branches whose year ends within 30 days
    (or has ended) and for whom the inflow branch has not yet written its feedback."""
    j = jurisdiction_of(actor)
    written = ProbationFeedback.objects.filter(membership=OuterRef("pk"), probation=OuterRef("member__probation"))
    qs = MobileMembership.objects.filter(
        status=MobileMembership.Status.REGISTERED,
        member__probation__status__in=Probation.OPEN,
        member__probation__ends_on__lte=on + timedelta(days=PROBATION_WARNING_DAYS),
    ).filter(~Exists(written))
    if not j.is_superuser:
        qs = qs.filter(j.q("inflow_branch"))
    return qs.select_related("member__probation", "outflow_branch", "inflow_branch").order_by(
        "member__probation__ends_on", "id"
    )


def notices_for(membership: MobileMembership) -> QuerySet[MobileNotice]:
    return membership.notices.select_related("sent_by").order_by("-sent_at", "-id")


def unread_notices(*, actor: User) -> QuerySet[MobileNotice]:
    """Notices from the other side to the branches the actor leads, not yet read."""
    j = jurisdiction_of(actor)
    open_ = Q(membership__status__in=MobileMembership.OPEN)
    to_outflow = Q(from_side=MobileNotice.Side.INFLOW) & j.q("membership__outflow_branch")
    to_inflow = Q(from_side=MobileNotice.Side.OUTFLOW) & j.q("membership__inflow_branch") & open_
    qs = MobileNotice.objects.filter(read_at__isnull=True)
    if not j.is_superuser:
        qs = qs.filter(to_outflow | to_inflow)
    return qs.select_related("membership__member").order_by("-sent_at", "-id")


# --- census and partnerships ------------------------------------------------------------------------


def census_list(*, actor: User) -> QuerySet[MobileCensus]:
    j = jurisdiction_of(actor)
    qs = MobileCensus.objects.select_related("organization", "started_by")
    if not j.is_superuser:
        qs = qs.filter(j.admin_q("organization"))
    return qs.order_by("-year", "organization__path")


def census_entries(census: MobileCensus, *, flagged_only: bool = False):
    qs = census.entries.all()
    if flagged_only:
        qs = qs.filter(Q(no_contact=True) | Q(whereabouts_unknown=True) | Q(not_registered=True))
    return qs.order_by("direction", "outflow_branch_name", "member_name", "id")


def census_organizations(*, actor: User) -> QuerySet[Organization]:
    """Organizations the actor may take a census for: the committees and departments it administers."""
    j = jurisdiction_of(actor)
    qs = Organization.objects.filter(
        kind__in=[Organization.Kind.COMMITTEE, *Organization.DEPARTMENT_KINDS], is_active=True
    )
    if not j.is_superuser:
        qs = qs.filter(j.admin_q(""))
    return qs.order_by("path")


def partnership_list(*, actor: User, include_ended: bool = False) -> QuerySet[Partnership]:
    """Agreements and pairings of organizations in the actor's jurisdiction or above its branches."""
    j = jurisdiction_of(actor)
    qs = Partnership.objects.select_related("outflow_org", "inflow_org")
    if not j.is_superuser:
        above = {p[:i] for p in j.paths for i in range(Organization.steplen, len(p) + 1, Organization.steplen)}
        qs = qs.filter(
            j.q("outflow_org") | j.q("inflow_org") | Q(outflow_org__path__in=above) | Q(inflow_org__path__in=above)
        )
    if not include_ended:
        qs = qs.filter(state=Partnership.State.ACTIVE)
    return qs.annotate(last_review_on=Max("reviews__held_on")).order_by("next_review_on", "id")


def partnerships_review_due(*, actor: User, on: date) -> QuerySet[Partnership]:
    return partnership_list(actor=actor).filter(next_review_on__lte=on)


def mobile_summary(*, actor: User) -> dict:
    """Counts for an admin's overview: flowing out, flowing in, not yet registered."""
    j = jurisdiction_of(actor)
    open_ = MobileMembership.objects.filter(status__in=MobileMembership.OPEN)
    return {
        "out": open_.filter(j.q("outflow_branch")).count(),
        "in": open_.filter(j.q("inflow_branch"), status=MobileMembership.Status.REGISTERED).count(),
        "unregistered": open_.filter(j.q("outflow_branch"), status=MobileMembership.Status.OUTFLOW).count(),
    }
