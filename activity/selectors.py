"""Reads of activity days, records, questions and reports, each scoped by the actor's jurisdiction.

An org admin sees its subtree, a secretary its branch, a member its own attendance and questions.
Supervision (``supervision_report``) answers for any organization and month or year with a fixed
number of queries: figures are grouped by the organization one level below in SQL, never walked in Python.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import django_filters
from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from booking.models import Booking
from members.models import Member, MobileMembership
from orgs import cache
from orgs.models import Organization, Role, RoleAssignment, User
from orgs.selectors import IdFilter, YearFilter, jurisdiction_of

from .conf import setting
from .models import (
    Activity,
    ActivityContent,
    Attachment,
    Attendance,
    DayMove,
    DayRule,
    ExcellentCase,
    HolidayCalendar,
    MonthlyReport,
    Question,
)
from .workdays import RuleDate, Workdays, month_start, next_month, previous_month, rule_date

# --- branches -------------------------------------------------------------------------------------


def unit_q(prefix: str = "") -> Q:
    """The organizations that hold activity days: branches, and general branches without branches below.

    A general branch with branches of its own leaves the day to them (counting both would count its
    members twice).
    """
    kind = f"{prefix}kind" if prefix else "kind"
    parent_ref = f"{prefix}pk" if prefix else "pk"
    has_branches = Exists(Organization.objects.filter(parent=OuterRef(parent_ref), kind=Organization.Kind.BRANCH))
    return Q(**{kind: Organization.Kind.BRANCH}) | (Q(**{kind: Organization.Kind.GENERAL_BRANCH}) & ~has_branches)


def org_by_id(value) -> Organization | None:
    """The organization a request names by id, or None for anything that is not a plausible id."""
    try:
        pk = int(str(value))
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:
        return None
    return Organization.objects.filter(pk=pk).first()


def units_under(org: Organization) -> QuerySet[Organization]:
    return Organization.objects.filter(Organization.subtree_q(org.path), unit_q(), is_active=True)


def branches_managed_by(actor: User) -> QuerySet[Organization]:
    """The units the actor records activities for: a secretary's branches (an admin picks from its subtree)."""
    j = jurisdiction_of(actor)
    qs = Organization.objects.filter(unit_q(), is_active=True)
    if not j.is_superuser:
        qs = qs.filter(j.q(""))
    return qs.order_by("path")


def attending_branch(member: Member, *, on: date | None = None) -> Organization:
    """Where the member takes part in activities: the inflow branch while registered there as a mobile
    member, else the member's own branch."""
    on = on or timezone.localdate()
    inflow = (
        MobileMembership.objects.filter(
            member=member, status=MobileMembership.Status.REGISTERED, registered_on__lte=on, inflow_branch__isnull=False
        )
        .select_related("inflow_branch")
        .first()
    )
    return inflow.inflow_branch if inflow else member.branch


# --- the day of a month ---------------------------------------------------------------------------


def rules_in_force(month: date) -> dict[str, DayRule]:
    """The rule in force in ``month`` for every organization that set one, by the organization's path.

    The table holds a handful of rules per county, so all of them are read at once.
    """
    month = month_start(month)
    rules: dict[str, DayRule] = {}
    qs = (
        DayRule.objects.filter(effective_from__lte=month)
        .select_related("organization")
        .order_by("organization_id", "-effective_from")
    )
    for rule in qs:
        rules.setdefault(rule.organization.path, rule)
    return rules


def rule_for(branch: Organization, rules: dict[str, DayRule]) -> DayRule | None:
    """The rule of the nearest organization above ``branch`` that has one."""
    for path in reversed(branch.ancestor_paths(include_self=False)):
        if path in rules:
            return rules[path]
    return None


@dataclass(frozen=True)
class PlannedDay:
    """A branch's activity day in one month: by its rule, or as the branch moved it."""

    branch: Organization
    month: date
    rule: DayRule | None
    by_rule: RuleDate | None
    move: DayMove | None

    @property
    def date(self) -> date | None:
        if self.move is not None:
            return self.move.moved_to
        return self.by_rule.date if self.by_rule else None

    @property
    def missing_year(self) -> int | None:
        """The year whose calendar is missing, when the day cannot be worked out for that reason."""
        if self.move is None and self.by_rule is not None:
            return self.by_rule.missing_year
        return None

    @property
    def has_rule(self) -> bool:
        return self.rule is not None


def planned_days(
    branches, month: date, *, workdays: Workdays | None = None, rules: dict | None = None
) -> dict[int, PlannedDay]:
    """Each branch's day in ``month``, by id: a fixed number of queries however many branches."""
    month = month_start(month)
    workdays = workdays or Workdays()
    rules = rules_in_force(month) if rules is None else rules
    branches = list(branches)
    moves_qs = DayMove.objects.filter(month=month)
    if len(branches) <= 500:
        moves_qs = moves_qs.filter(branch__in=[b.pk for b in branches])
    moves = {m.branch_id: m for m in moves_qs}
    by_rule_cache: dict[int, RuleDate] = {}
    out = {}
    for branch in branches:
        rule = rule_for(branch, rules)
        by_rule = None
        if rule is not None:
            if rule.pk not in by_rule_cache:
                by_rule_cache[rule.pk] = rule_date(rule, month, workdays)
            by_rule = by_rule_cache[rule.pk]
        out[branch.pk] = PlannedDay(branch=branch, month=month, rule=rule, by_rule=by_rule, move=moves.get(branch.pk))
    return out


def planned_day(branch: Organization, month: date, *, workdays: Workdays | None = None) -> PlannedDay:
    return planned_days([branch], month, workdays=workdays)[branch.pk]


def rule_list(*, actor: User) -> QuerySet[DayRule]:
    """Rules of the organizations the actor administers or that stand above its branches."""
    j = jurisdiction_of(actor)
    qs = DayRule.objects.select_related("organization", "created_by")
    if not j.is_superuser:
        above = {p[:i] for p in j.paths for i in range(Organization.steplen, len(p) + 1, Organization.steplen)}
        qs = qs.filter(j.admin_q("organization") | Q(organization__path__in=above))
    return qs.order_by("organization__path", "-effective_from")


def rule_orgs_for(*, actor: User) -> QuerySet[Organization]:
    """Organizations for which the actor may fix the day."""
    j = jurisdiction_of(actor)
    qs = Organization.objects.filter(kind__in=DayRule.RULE_ORG_KINDS, is_active=True)
    if not j.is_superuser:
        qs = qs.filter(j.admin_q(""))
    return qs.order_by("path")


def calendar_years() -> list[dict]:
    """The years around today and where their calendar comes from: entered, the package, or missing."""
    from .workdays import package_covers

    this_year = timezone.localdate().year
    entered = {c.year: c for c in HolidayCalendar.objects.annotate(day_count=Count("days"))}
    years = sorted({*range(this_year - 1, this_year + 3), *entered})
    out = []
    for year in years:
        if year in entered:
            out.append({"year": year, "source": "entered", "calendar": entered[year]})
        elif package_covers(year):
            out.append({"year": year, "source": "package", "calendar": None})
        else:
            out.append({"year": year, "source": "missing", "calendar": None})
    return out


# --- activities -----------------------------------------------------------------------------------


class ActivityFilter(django_filters.FilterSet):
    branch = IdFilter(method="filter_branch", label=_("branch"))
    month = django_filters.CharFilter(method="filter_month", label=_("month (YYYY-MM)"))
    # Any calendar year; years outside the records filter to nothing (filter_year).
    year = YearFilter(method="filter_year", label=_("year"))
    status = django_filters.ChoiceFilter(choices=Activity.Status.choices)
    is_activity_day = django_filters.BooleanFilter()
    content = django_filters.ChoiceFilter(
        method="filter_content", choices=ActivityContent._meta.get_field("kind").choices, label=_("content type")
    )
    lecture = IdFilter(method="filter_lecture", label=_("booked lecture"))

    class Meta:
        model = Activity
        fields = ["branch", "month", "year", "status", "is_activity_day", "content", "lecture"]

    def filter_branch(self, queryset, name, value):
        org = org_by_id(value) if value == int(value) else None
        if org is None:
            return queryset.none()
        return queryset.filter(Organization.subtree_q(org.path, "branch"))

    def filter_month(self, queryset, name, value):
        try:
            month = datetime.strptime(value, "%Y-%m").date()
        except ValueError:
            return queryset.none()
        return queryset.filter(month=month)

    def filter_year(self, queryset, name, value):
        if value != int(value) or not 1900 <= value <= 2200:
            return queryset.none()
        return queryset.filter(month__gte=date(int(value), 1, 1), month__lt=date(int(value) + 1, 1, 1))

    def filter_lecture(self, queryset, name, value):
        if value != int(value) or not 0 < value < 2**63:
            return queryset.none()
        return queryset.filter(lecture_id=int(value))

    def filter_content(self, queryset, name, value):
        return queryset.filter(Exists(ActivityContent.objects.filter(activity=OuterRef("pk"), kind=value)))


def activity_list(*, actor: User, filters: dict | None = None) -> QuerySet[Activity]:
    """Activities of the branches in the actor's jurisdiction, newest first."""
    j = jurisdiction_of(actor)
    qs = Activity.objects.select_related("branch", "lecturer_member", "lecture__instructor").prefetch_related(
        "contents"
    )
    if not j.is_superuser:
        qs = qs.filter(j.q("branch"))
    if filters:
        qs = ActivityFilter(filters, queryset=qs).qs
    return qs.order_by("-held_on", "-id")


# --- booked lectures -------------------------------------------------------------------------------


def lecture_attendees(lecture: Booking) -> QuerySet[Member]:
    """Who may rate a booked lecture: the members present at the recorded activity it is linked to (none
    while no recorded activity links it)."""
    present = Attendance.objects.filter(
        activity__lecture=lecture, activity__status=Activity.Status.RECORDED, status=Attendance.Status.PRESENT
    ).values("member_id")
    return Member.objects.filter(pk__in=present).order_by("name", "id")


def activity_for_lecture(lecture: Booking) -> Activity | None:
    return Activity.objects.filter(lecture=lecture).select_related("branch").first()


def lectures_to_link(branch: Organization, *, around: date, activity: Activity | None = None) -> QuerySet[Booking]:
    """The branch's accepted or delivered lectures within a month of ``around`` not linked to another activity
    (the service checks that the day matches)."""
    first, last = around - timedelta(days=31), around + timedelta(days=31)
    linked = Activity.objects.filter(lecture=OuterRef("pk"))
    if activity is not None:
        linked = linked.exclude(pk=activity.pk)
    return (
        Booking.objects.filter(
            branch=branch,
            status__in=Booking.CONFIRMED,
            starts_at__date__gte=first,
            starts_at__date__lte=last,
        )
        .filter(~Exists(linked))
        .select_related("instructor")
        .order_by("starts_at")
    )


def activity_attendance(activity: Activity) -> QuerySet[Attendance]:
    return activity.attendance.select_related("member").order_by("-is_mobile_guest", "member__name", "member_id")


def activity_attachments(activity: Activity) -> QuerySet[Attachment]:
    return activity.attachments.order_by("uploaded_at", "id")


def branch_activity_for_month(branch: Organization, month: date) -> Activity | None:
    """The branch's activity day of ``month`` (planned or recorded), if there is one."""
    return (
        Activity.objects.filter(branch=branch, month=month_start(month), is_activity_day=True)
        .exclude(status=Activity.Status.CANCELLED)
        .first()
    )


def attendance_of_member(member: Member) -> QuerySet[Attendance]:
    """A member's own attendance, newest first, wherever it was taken (own or inflow branch)."""
    return (
        Attendance.objects.filter(member=member)
        .select_related("activity", "activity__branch")
        .order_by("-held_on", "-activity_id")
    )


def member_attendance_summary(member: Member, *, year: int) -> dict:
    counts = Attendance.objects.filter(member=member, held_on__year=year).aggregate(
        total=Count("id"),
        present=Count("id", filter=Q(status=Attendance.Status.PRESENT)),
        excused=Count("id", filter=Q(status=Attendance.Status.EXCUSED)),
        absent=Count("id", filter=Q(status=Attendance.Status.ABSENT)),
    )
    counts["rate"] = counts["present"] / counts["total"] if counts["total"] else None
    return counts


def attendance_changed_since(*, since: datetime) -> QuerySet[Attendance]:
    """Attendance rows written or changed after ``since`` (for the records app's org-life entries).

    Rows are unique per activity and member and updated in place, so a consumer keyed by the row id (or by
    activity and member) never creates an entry twice when an activity is saved again.
    """
    return (
        Attendance.objects.filter(updated_at__gt=since)
        .select_related("activity", "activity__branch", "member")
        .order_by("updated_at", "id")
    )


def lecturer_choices(branch: Organization, *, on: date | None = None) -> QuerySet[Member]:
    """Who may be named as a party lecture's lecturer: the branch's members, and the leading cadres of the
    city (or provincial unit) the branch lies in."""
    from members.selectors import members_attending

    on = on or timezone.localdate()
    top = branch.ancestor_paths()[1] if branch.depth > 1 else branch.path
    cadres = Member.objects.filter(
        Organization.subtree_q(top, "branch"), is_leading_cadre=True, left_on__isnull=True
    ).values("pk")
    own = members_attending(branch, on=on).values("pk")
    qs = Member.objects.filter(Q(pk__in=own) | Q(pk__in=cadres)).select_related("branch")
    return qs.order_by("branch__path", "name")


# --- questions ------------------------------------------------------------------------------------


class QuestionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Question.Status.choices)
    branch = IdFilter(method="filter_branch", label=_("branch"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("overdue"))
    closed = django_filters.BooleanFilter(method="filter_closed", label=_("closed"))

    class Meta:
        model = Question
        fields = ["status", "branch", "overdue", "closed"]

    def filter_branch(self, queryset, name, value):
        org = org_by_id(value) if value == int(value) else None
        if org is None:
            return queryset.none()
        return queryset.filter(Organization.subtree_q(org.path, "branch"))

    def filter_overdue(self, queryset, name, value):
        overdue = Q(status__in=Question.PENDING, due_on__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_closed(self, queryset, name, value):
        return queryset.filter(status=Question.Status.CLOSED) if value else queryset.exclude(status="closed")


def question_scope(*, actor: User) -> QuerySet[Question]:
    """Every question the actor may see: of the branches in its jurisdiction, and its own."""
    j = jurisdiction_of(actor)
    qs = Question.objects.select_related("branch", "asked_by", "activity")
    if not j.is_superuser:
        qs = qs.filter(j.q("branch") | Q(asked_by__user=actor))
    return qs


def question_list(*, actor: User, filters: dict | None = None) -> QuerySet[Question]:
    """Questions of the branches in the actor's jurisdiction, and a member's own; unclosed by default,
    the soonest due first."""
    qs = question_scope(actor=actor)
    filters = dict(filters or {})
    if not filters.get("status") and "closed" not in filters:
        filters["closed"] = "false"
    qs = QuestionFilter(filters, queryset=qs).qs
    return qs.order_by("due_on", "id")


def overdue_questions(*, actor: User, on: date | None = None) -> QuerySet[Question]:
    return question_list(actor=actor).filter(status__in=Question.PENDING, due_on__lt=on or timezone.localdate())


# --- reports and cases ----------------------------------------------------------------------------


def report_list(*, actor: User, filters: dict | None = None) -> QuerySet[MonthlyReport]:
    j = jurisdiction_of(actor)
    qs = MonthlyReport.objects.select_related("branch", "submitted_by")
    if not j.is_superuser:
        qs = qs.filter(j.q("branch"))
    filters = filters or {}
    if filters.get("branch"):
        org = org_by_id(filters["branch"])
        qs = qs.filter(Organization.subtree_q(org.path, "branch")) if org else qs.none()
    if filters.get("month"):
        try:
            qs = qs.filter(month=datetime.strptime(str(filters["month"]), "%Y-%m").date())
        except ValueError:
            qs = qs.none()
    return qs.order_by("-month", "branch__path")


def report_due_month(*, on: date | None = None) -> date:
    """The month whose report branches are now asked for: the previous one."""
    return previous_month(on or timezone.localdate())


def case_list(*, actor: User, include_unpublished: bool = True) -> QuerySet[ExcellentCase]:
    """Published cases for everyone logged in; marked and withdrawn ones for the admins above the branch."""
    j = jurisdiction_of(actor)
    qs = ExcellentCase.objects.select_related("activity", "activity__branch", "organization", "marked_by")
    visible = Q(status=ExcellentCase.Status.PUBLISHED)
    if include_unpublished:
        visible |= Q() if j.is_superuser else (j.admin_q("activity__branch") | j.q("activity__branch"))
    return qs.filter(visible).order_by("-marked_at", "-id")


# --- supervision ----------------------------------------------------------------------------------


@dataclass
class Figures:
    """What supervision counts for one organization (or one month) over a period."""

    units: int = 0
    branch_months: int = 0
    held: int = 0
    expected: int = 0
    present: int = 0
    excused: int = 0
    absent: int = 0
    reports_due: int = 0
    reports_on_time: int = 0
    reports_late: int = 0
    open_questions: int = 0
    overdue_questions: int = 0
    streak_members: int = 0
    cases: int = 0

    @property
    def not_held(self) -> int:
        return max(self.branch_months - self.held, 0)

    @property
    def coverage(self) -> float | None:
        return self.held / self.branch_months if self.branch_months else None

    @property
    def attendance_rate(self) -> float | None:
        return self.present / self.expected if self.expected else None

    @property
    def reports_missing(self) -> int:
        return max(self.reports_due - self.reports_on_time - self.reports_late, 0)


@dataclass
class ChildRow:
    org: Organization
    figures: Figures


@dataclass
class SupervisionReport:
    org: Organization
    year: int
    month: date | None
    months: list[date]
    totals: Figures
    children: list[ChildRow]
    by_month: list[tuple[date, Figures]]
    not_held: list[dict]
    not_held_total: int
    streaks: list[dict]
    overdue: list[Question]
    cadres_without_lecture: list[dict]
    cadres_without_lecture_total: int
    cadre_attendance: list[dict]
    secretaries_without_lecture: list[dict]
    secretaries_without_lecture_total: int
    activities: list[Activity] = field(default_factory=list)
    today: date = field(default_factory=timezone.localdate)

    @property
    def period_label(self) -> str:
        if self.month:
            return f"{self.month.year}年{self.month.month}月"
        return f"{self.year}年"


LIST_LIMIT = 100


def period_months(year: int, month: date | None, *, today: date) -> list[date]:
    """The months of the period that have begun (a year in progress counts up to this month)."""
    if month is not None:
        return [month_start(month)] if month_start(month) <= month_start(today) else []
    return [date(year, m, 1) for m in range(1, 13) if date(year, m, 1) <= month_start(today)]


def report_due_on(month: date) -> date:
    """The day by which a branch reports ``month`` upward."""
    return next_month(month).replace(day=min(setting("ACTIVITY_REPORT_DUE_DAY"), 28))


def supervision_report(*, org: Organization, year: int, month: date | None = None, today: date | None = None):
    """:func:`compute_supervision_report`, from the shared cache while nothing under ``org`` changed
    (activity/supervision_cache.py)."""
    from .supervision_cache import namespace

    today = today or timezone.localdate()
    return cache.cached(
        [namespace(org.path)],
        ("supervision", org.pk, year, month, today, get_language()),
        lambda: compute_supervision_report(org=org, year=year, month=month, today=today),
    )


def compute_supervision_report(
    *, org: Organization, year: int, month: date | None = None, today: date | None = None
) -> "SupervisionReport":
    """Figures for ``org``'s subtree over a month or a year, split by the organizations one level below.

    A fixed number of queries, whatever the number of branches: each figure is one grouped query.
    """
    today = today or timezone.localdate()
    months = period_months(year, month, today=today)
    first = months[0] if months else date(year, (month or date(year, 1, 1)).month, 1)
    last_exclusive = next_month(months[-1]) if months else first
    child_len = (org.depth + 1) * Organization.steplen
    in_tree = Organization.subtree_q(org.path)
    children = {c.path: c for c in Organization.objects.filter(parent=org, is_active=True).order_by("path")}  # query 1

    def prefix_of(path: str) -> str | None:
        return path[:child_len] if len(path) >= child_len else None

    rows: dict[str, Figures] = {}

    def fig(prefix: str | None) -> Figures | None:
        if prefix is None or prefix not in children:
            return None
        return rows.setdefault(prefix, Figures())

    totals = Figures()
    n_months = len(months)
    due_months = [m for m in months if report_due_on(m) < today]

    # units by child (query 2)
    unit_rows = (
        Organization.objects.filter(in_tree, unit_q(), is_active=True)
        .annotate(prefix=Substr("path", 1, child_len))
        .values("prefix")
        .annotate(n=Count("id"))
    )
    for row in unit_rows:
        for target in (totals, fig(row["prefix"])):
            if target is not None:
                target.units += row["n"]
                target.branch_months += row["n"] * n_months
                target.reports_due += row["n"] * len(due_months)

    branch_tree = Organization.subtree_q(org.path, "branch")
    day_activities = Activity.objects.filter(
        branch_tree,
        is_activity_day=True,
        status=Activity.Status.RECORDED,
        month__gte=first,
        month__lt=last_exclusive,
    )
    sums = {
        "held": Count("id"),
        "expected": Coalesce(Sum("expected_count"), 0),
        "present": Coalesce(Sum("present_count"), 0),
        "excused": Coalesce(Sum("excused_count"), 0),
        "absent": Coalesce(Sum("absent_count"), 0),
    }
    # activity days by child (query 3)
    for row in day_activities.annotate(prefix=Substr("branch__path", 1, child_len)).values("prefix").annotate(**sums):
        for target in (totals, fig(row["prefix"])):
            if target is not None:
                for key in sums:
                    setattr(target, key, getattr(target, key) + row[key])

    # by month, for the chart (query 4)
    by_month_map = {m: Figures(units=totals.units, branch_months=totals.units) for m in months}
    for row in day_activities.values("month").annotate(**sums):
        target = by_month_map.get(row["month"])
        if target is not None:
            for key in sums:
                setattr(target, key, row[key])

    # reports by child (query 5)
    reports = (
        MonthlyReport.objects.filter(branch_tree, month__in=due_months)
        .annotate(prefix=Substr("branch__path", 1, child_len))
        .values("prefix")
        .annotate(on_time=Count("id", filter=Q(is_late=False)), late=Count("id", filter=Q(is_late=True)))
    )
    for row in reports:
        for target in (totals, fig(row["prefix"])):
            if target is not None:
                target.reports_on_time += row["on_time"]
                target.reports_late += row["late"]

    # questions by child: unclosed now, and overdue now (query 6)
    questions = (
        Question.objects.filter(Organization.subtree_q(org.path, "branch"), status__in=Question.UNCLOSED)
        .annotate(prefix=Substr("branch__path", 1, child_len))
        .values("prefix")
        .annotate(
            n=Count("id"),
            overdue=Count("id", filter=Q(status__in=Question.PENDING, due_on__lt=today)),
        )
    )
    for row in questions:
        for target in (totals, fig(row["prefix"])):
            if target is not None:
                target.open_questions += row["n"]
                target.overdue_questions += row["overdue"]

    # members absent without reason three times in a row within the period (queries 7, 8)
    streak_rows = Attendance.objects.filter(
        Organization.subtree_q(org.path, "activity__branch"),
        absent_streak__gte=3,
        held_on__gte=first,
        held_on__lt=last_exclusive,
    )
    for row in (
        streak_rows.annotate(prefix=Substr("activity__branch__path", 1, child_len))
        .values("prefix")
        .annotate(n=Count("member_id", distinct=True))
    ):
        for target in (totals, fig(row["prefix"])):
            if target is not None:
                target.streak_members += row["n"]
    streaks = list(
        streak_rows.values("member_id", "member__name", "activity__branch__full_name")
        .annotate(streak=Max("absent_streak"), last=Max("held_on"))
        .order_by("-streak", "activity__branch__full_name", "member__name")[:LIST_LIMIT]
    )

    # excellent cases by child (query 9)
    cases = (
        ExcellentCase.objects.filter(
            Organization.subtree_q(org.path, "activity__branch"),
            activity__month__gte=first,
            activity__month__lt=last_exclusive,
        )
        .exclude(status=ExcellentCase.Status.WITHDRAWN)
        .annotate(prefix=Substr("activity__branch__path", 1, child_len))
        .values("prefix")
        .annotate(n=Count("id"))
    )
    for row in cases:
        for target in (totals, fig(row["prefix"])):
            if target is not None:
                target.cases += row["n"]

    # branches that did not hold (all) their days (queries 10, 11)
    held_count = (
        Activity.objects.filter(
            branch=OuterRef("pk"),
            is_activity_day=True,
            status=Activity.Status.RECORDED,
            month__gte=first,
            month__lt=last_exclusive,
        )
        .order_by()
        .values("branch")
        .annotate(n=Count("id"))
        .values("n")
    )
    missing = (
        Organization.objects.filter(in_tree, unit_q(), is_active=True)
        .annotate(held=Coalesce(Subquery(held_count, output_field=IntegerField()), Value(0)))
        .filter(held__lt=n_months)
    )
    not_held_total = missing.count() if n_months else 0
    not_held = (
        [
            {"id": o.pk, "name": o.full_name, "held": o.held, "missed": n_months - o.held}
            for o in missing.order_by("path")[:LIST_LIMIT]
        ]
        if n_months
        else []
    )

    # overdue questions, oldest due first (query 12)
    overdue = list(
        Question.objects.filter(
            Organization.subtree_q(org.path, "branch"), status__in=Question.PENDING, due_on__lt=today
        )
        .select_related("branch")
        .order_by("due_on", "id")[:LIST_LIMIT]
    )

    cadres = _leading_cadres(org, year=year, today=today)

    activities = []
    if org.kind in Organization.BRANCH_KINDS:
        activities = list(
            Activity.objects.filter(branch_tree, month__gte=first, month__lt=last_exclusive)
            .exclude(status=Activity.Status.CANCELLED)
            .prefetch_related("contents")
            .order_by("-held_on", "-id")
        )

    ordered_children = [ChildRow(org=c, figures=rows[p]) for p, c in children.items() if p in rows and rows[p].units]
    return SupervisionReport(
        org=org,
        year=year,
        month=month_start(month) if month else None,
        months=months,
        totals=totals,
        children=ordered_children,
        by_month=sorted(by_month_map.items()),
        not_held=not_held,
        not_held_total=not_held_total,
        streaks=streaks,
        overdue=overdue,
        activities=activities,
        today=today,
        **cadres,
    )


def _leading_cadres(org: Organization, *, year: int, today: date) -> dict:
    """党员领导干部: their attendance at their own branch this year (双重组织生活), who has not yet given the
    yearly party lecture, and the branches whose secretary has not (党组织书记上党课). Four queries."""
    year_start, year_end = date(year, 1, 1), date(year + 1, 1, 1)
    lectures = Activity.objects.filter(
        lecturer_member=OuterRef("pk"),
        status=Activity.Status.RECORDED,
        held_on__gte=year_start,
        held_on__lt=year_end,
    )
    own = Attendance.objects.filter(
        member=OuterRef("pk"), activity__branch=OuterRef("branch"), held_on__gte=year_start, held_on__lt=year_end
    )

    def count_of(qs, **where):
        return Coalesce(
            Subquery(
                qs.filter(**where).order_by().values("member").annotate(n=Count("id")).values("n"),
                output_field=IntegerField(),
            ),
            Value(0),
        )

    # Names and branches only: the encrypted personal fields are never read (nor decrypted) here.
    cadres = (
        Member.objects.filter(Organization.subtree_q(org.path, "branch"), is_leading_cadre=True, left_on__isnull=True)
        .annotate(
            gave_lecture=Exists(lectures),
            expected=count_of(own),
            present=count_of(own, status=Attendance.Status.PRESENT),
        )
        .values("pk", "name", "branch__full_name", "branch__path", "gave_lecture", "expected", "present")
    )
    without = cadres.filter(gave_lecture=False)
    cadres_without_total = without.count()
    cadres_without = [
        {"id": m["pk"], "name": m["name"], "branch": m["branch__full_name"]}
        for m in without.order_by("branch__path", "name")[:LIST_LIMIT]
    ]
    cadre_attendance = [
        {
            "id": m["pk"],
            "name": m["name"],
            "branch": m["branch__full_name"],
            "expected": m["expected"],
            "present": m["present"],
            "rate": m["present"] / m["expected"] if m["expected"] else None,
            "gave_lecture": m["gave_lecture"],
        }
        for m in cadres.order_by("present", "branch__path", "name")[:LIST_LIMIT]
    ]
    by_secretary = Activity.objects.filter(
        branch=OuterRef("pk"),
        lecturer_kind=Activity.Lecturer.SECRETARY,
        status=Activity.Status.RECORDED,
        held_on__gte=year_start,
        held_on__lt=year_end,
    )
    units = Organization.objects.filter(Organization.subtree_q(org.path), unit_q(), is_active=True).filter(
        ~Exists(by_secretary)
    )
    return {
        "cadres_without_lecture": cadres_without,
        "cadres_without_lecture_total": cadres_without_total,
        "cadre_attendance": cadre_attendance,
        "secretaries_without_lecture": [{"id": o.pk, "name": o.full_name} for o in units.order_by("path")[:LIST_LIMIT]],
        "secretaries_without_lecture_total": units.count(),
    }


def supervision_top_path(*, actor: User) -> str | None:
    """The path of ``supervision_orgs(actor).first()``, from the actor's roles alone (no query of its
    own); None for a superuser or an actor who administers nothing."""
    j = jurisdiction_of(actor)
    if j.is_superuser or not j.admin_paths:
        return None
    return min(j.admin_paths)


def supervision_orgs(*, actor: User) -> QuerySet[Organization]:
    """The organizations the actor administers (the tops of its supervision)."""
    j = jurisdiction_of(actor)
    if j.is_superuser:
        return Organization.objects.filter(depth=1)
    return Organization.objects.filter(path__in=j.admin_paths).order_by("path")


# --- to-do inputs ---------------------------------------------------------------------------------


def secretaries_of(branch: Organization) -> QuerySet[User]:
    return User.objects.filter(
        roles__role=Role.SECRETARY, roles__organization=branch, roles__is_active=True, is_active=True
    ).distinct()


def branches_with_secretaries() -> QuerySet[Organization]:
    """Units that have an active secretary account (those a reminder can reach)."""
    has_secretary = Exists(
        RoleAssignment.objects.filter(organization=OuterRef("pk"), role=Role.SECRETARY, is_active=True)
    )
    return Organization.objects.filter(unit_q(), has_secretary, is_active=True).order_by("path")


def member_questions(member: Member) -> QuerySet[Question]:
    return Question.objects.filter(asked_by=member).select_related("branch").order_by("-asked_on", "-id")
