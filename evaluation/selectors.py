"""Reads of ratings, summaries and yearly evaluations, scoped by what the actor may see."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from activity.models import Activity
from activity.selectors import activity_for_lecture, lecture_attendees
from booking.models import Booking
from booking.selectors import day_bounds
from members.models import Member, MobileMembership
from members.selectors import members_attending
from orgs.models import Organization
from orgs.selectors import jurisdiction_of
from pool.models import Instructor, Pool
from pool.selectors import pools_managed_by

from . import conf, rules
from .models import (
    DisciplineIncident,
    EligibilityRule,
    EvaluationRun,
    Proposal,
    Rating,
    RatingLink,
    RatingWindow,
)

# --- who may rate ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    """The members who may rate a lecture, and the rule that chose them (shown on the rating page)."""

    rule: str
    members: QuerySet[Member]

    @property
    def rule_label(self) -> str:
        return str(EligibilityRule(self.rule).label)

    def includes(self, member: Member) -> bool:
        return self.members.filter(pk=member.pk).exists()


def lecture_date(booking: Booking) -> date:
    return timezone.localdate(booking.starts_at)


def attendance_recorded(booking: Booking) -> bool:
    """Is the lecture linked to an activity whose attendance has been recorded (the activity app)?"""
    activity = activity_for_lecture(booking)
    return activity is not None and activity.status == Activity.Status.RECORDED


def _eligibility(booking: Booking, *, recorded: bool) -> Eligibility:
    if recorded:
        return Eligibility(rule=EligibilityRule.ATTENDANCE, members=lecture_attendees(booking))
    return Eligibility(
        rule=EligibilityRule.BRANCH_MEMBERS, members=members_attending(booking.branch, on=lecture_date(booking))
    )


def eligible_raters(booking: Booking) -> Eligibility:
    """Who may rate ``booking`` through an account.

    - Attendance known (the lecture is linked to an activity whose attendance is recorded): exactly the
      members recorded present (``activity.selectors.lecture_attendees``).
    - Otherwise: the members of the booking's branch on the lecture's day
      (``members.selectors.members_attending``: its own members, those of its party groups and of the
      branches below a general branch, less those registered at another inflow branch that day, plus the
      mobile members registered here).

    Attendees without an account (guests, members without a log-in) rate through the branch's one-time
    links.
    """
    return _eligibility(booking, recorded=attendance_recorded(booking))


def member_for_user(user) -> Member | None:
    if user is None or not user.is_authenticated:
        return None
    return Member.objects.select_related("branch").filter(user=user, left_on__isnull=True).first()


# --- windows and ratings ---------------------------------------------------------------------------


def window_for(booking: Booking) -> RatingWindow | None:
    return RatingWindow.objects.select_related("booking", "instructor", "branch").filter(booking=booking).first()


def with_counts(qs: QuerySet[RatingWindow]) -> QuerySet[RatingWindow]:
    """Annotate ``rating_count``, ``rating_total``, ``branch_rated``, ``link_count`` and ``links_used``."""
    ratings = Rating.objects.filter(window=OuterRef("pk")).order_by().values("window")
    links = RatingLink.objects.filter(window=OuterRef("pk")).order_by().values("window")
    return qs.annotate(
        rating_count=Coalesce(Subquery(ratings.annotate(n=Count("pk")).values("n")), 0),
        rating_total=Coalesce(Subquery(ratings.annotate(s=Sum("total")).values("s")), 0),
        branch_rated=Exists(Rating.objects.filter(window=OuterRef("pk"), source=Rating.Source.BRANCH)),
        link_count=Coalesce(Subquery(links.annotate(n=Count("pk")).values("n")), 0),
        links_used=Coalesce(
            Subquery(links.filter(used_at__isnull=False).annotate(n=Count("pk")).values("n")),
            0,
        ),
    )


def _lineage_paths(path: str) -> list[str]:
    step = Organization.steplen
    return [path[: i * step] for i in range(1, len(path) // step + 1)]


def open_windows_for_member(member: Member | None, *, now: datetime | None = None) -> list[RatingWindow]:
    """Open windows of lectures the member may rate and has not rated yet (soonest closing first).

    Candidates are lectures of the member's branch (or a general branch above it) and of the inflow
    branches where the member was registered as a mobile member; each is then checked against
    ``eligible_raters`` exactly.
    """
    if member is None:
        return []
    now = now or timezone.now()
    paths = set(_lineage_paths(member.branch.path))
    inflow = MobileMembership.objects.filter(member=member, inflow_branch__isnull=False).values_list(
        "inflow_branch__path", flat=True
    )
    for path in inflow:
        paths.update(_lineage_paths(path))
    candidates = [
        window
        for window in RatingWindow.objects.filter(opens_at__lte=now, closes_at__gt=now, branch__path__in=paths)
        .exclude(Exists(Rating.objects.filter(window=OuterRef("pk"), member=member)))
        .select_related("booking", "booking__branch", "instructor")
        .order_by("closes_at", "pk")
        if not (member.user_id and window.instructor.user_id == member.user_id)
    ]
    if not candidates:
        return []
    # three queries whatever the number of lectures: which have recorded attendance, then one EXISTS per
    # lecture against the same rule that ``eligible_raters`` applies
    recorded = set(
        Activity.objects.filter(
            lecture_id__in=[w.booking_id for w in candidates], status=Activity.Status.RECORDED
        ).values_list("lecture_id", flat=True)
    )
    checks = {
        f"w{w.pk}": Exists(_eligibility(w.booking, recorded=w.booking_id in recorded).members.filter(pk=OuterRef("pk")))
        for w in candidates
    }
    row = Member.objects.filter(pk=member.pk).values(**checks).first() or {}
    return [w for w in candidates if row.get(f"w{w.pk}")]


def ratings_by_member(member: Member | None) -> QuerySet[Rating]:
    if member is None:
        return Rating.objects.none()
    return (
        Rating.objects.filter(member=member)
        .select_related("window", "window__booking", "instructor")
        .order_by("-created_at", "-id")
    )


def branch_lectures(*, actor, filters: dict | None = None) -> QuerySet[RatingWindow]:
    """Rated (or rateable) lectures of the branches the actor leads as secretary, newest first."""
    j = jurisdiction_of(actor)
    if j.is_superuser:
        qs = RatingWindow.objects.all()
    else:
        q = Q(pk__in=[])
        for path in j.secretary_paths:
            q |= Organization.subtree_q(path, "branch")
        qs = RatingWindow.objects.filter(q)
    if filters and filters.get("open") == "1":
        now = timezone.now()
        qs = qs.filter(opens_at__lte=now, closes_at__gt=now)
    return with_counts(qs.select_related("booking", "branch", "instructor")).order_by("-lecture_date", "-pk")


def lecture_ratings(window: RatingWindow) -> QuerySet[Rating]:
    return window.ratings.select_related("member", "link", "submitted_by").order_by("-created_at", "-id")


def links_of(window: RatingWindow, *, unused_only: bool = False) -> QuerySet[RatingLink]:
    qs = window.links.order_by("serial")
    return qs.filter(used_at__isnull=True) if unused_only else qs


def link_by_token(token: str) -> RatingLink | None:
    if not token or len(token) > 64:
        return None
    return (
        RatingLink.objects.select_related("window", "window__booking", "window__instructor", "window__branch")
        .filter(token=token)
        .first()
    )


# --- summaries -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """An instructor's ratings of one year."""

    instructor_id: int
    year: int
    count: int
    total: int
    mean: Decimal | None
    content: Decimal | None
    delivery: Decimal | None
    practical: Decimal | None
    pool_mean: Decimal | None
    shrunk_score: Decimal | None
    prior_weight: int
    branch_count: int = 0


def pool_totals(pool_id: int, year: int) -> tuple[int, int]:
    """(number of ratings, sum of their totals) of the pool's instructors in ``year``."""
    row = Rating.objects.filter(year=year, instructor__pool_id=pool_id).aggregate(n=Count("pk"), s=Sum("total"))
    return row["n"] or 0, row["s"] or 0


def _dimension(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(rules.CENT)


def instructor_summary(instructor: Instructor, year: int) -> Summary:
    """Count, mean, the three means and the shrunk score of an instructor in ``year`` (two queries)."""
    row = Rating.objects.filter(instructor=instructor, year=year).aggregate(
        n=Count("pk"),
        s=Sum("total"),
        content=Avg("content"),
        delivery=Avg("delivery"),
        practical=Avg("practical"),
        branch=Count("pk", filter=Q(source=Rating.Source.BRANCH)),
    )
    n, s = row["n"] or 0, row["s"] or 0
    k = conf.prior_weight()
    pool_mean = None
    if n:
        pool_count, pool_total = pool_totals(instructor.pool_id, year)
        pool_mean = rules.pool_mean_of(pool_total, pool_count)
    return Summary(
        instructor_id=instructor.pk,
        year=year,
        count=n,
        total=s,
        mean=rules.mean_of(s, n),
        content=_dimension(row["content"]),
        delivery=_dimension(row["delivery"]),
        practical=_dimension(row["practical"]),
        pool_mean=rules.cents(pool_mean),
        shrunk_score=rules.shrink(total=s, count=n, pool_mean=pool_mean, prior_weight=k) if n else None,
        prior_weight=k,
        branch_count=row["branch"] or 0,
    )


def instructor_years(instructor: Instructor) -> list[int]:
    """Years with ratings, newest first (this year always included)."""
    years = set(Rating.objects.filter(instructor=instructor).values_list("year", flat=True).distinct())
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


def instructor_ratings(instructor: Instructor, year: int) -> QuerySet[Rating]:
    return (
        Rating.objects.filter(instructor=instructor, year=year)
        .select_related("window", "window__booking", "window__branch", "member", "link", "submitted_by")
        .order_by("-window__lecture_date", "-created_at", "-id")
    )


def pool_summaries(pool: Pool, year: int) -> list[dict]:
    """Every rated instructor of the pool in ``year``: count, mean, shrunk score (best first). Two queries."""
    rows = list(
        Rating.objects.filter(year=year, instructor__pool=pool)
        .values("instructor")
        .annotate(n=Count("pk"), s=Sum("total"))
        .order_by()
    )
    n_all = sum(r["n"] for r in rows)
    s_all = sum(r["s"] for r in rows)
    pool_mean = rules.pool_mean_of(s_all, n_all)
    k = conf.prior_weight()
    instructors = Instructor.objects.in_bulk([r["instructor"] for r in rows])
    out = []
    for r in rows:
        out.append(
            {
                "instructor": instructors[r["instructor"]],
                "count": r["n"],
                "mean": rules.mean_of(r["s"], r["n"]),
                "shrunk_score": rules.shrink(total=r["s"], count=r["n"], pool_mean=pool_mean, prior_weight=k),
            }
        )
    out.sort(key=lambda x: (-x["shrunk_score"], -x["count"], x["instructor"].code))
    return out


def pool_mean_for(pool: Pool, year: int) -> Decimal | None:
    n, s = pool_totals(pool.pk, year)
    return rules.cents(rules.pool_mean_of(s, n))


def year_range(year: int) -> tuple[datetime, datetime]:
    """The aware start of 1 January of ``year`` and of the next year, in the site's time zone."""
    return day_bounds(date(year, 1, 1))[0], day_bounds(date(year + 1, 1, 1))[0]


# --- yearly evaluations ----------------------------------------------------------------------------


def run_list(*, actor) -> QuerySet[EvaluationRun]:
    """Runs of the pools the actor manages or supervises, newest year first."""
    j = jurisdiction_of(actor)
    qs = (
        EvaluationRun.objects.all() if j.is_superuser else EvaluationRun.objects.filter(j.admin_q("pool__organization"))
    )
    return qs.select_related("pool", "pool__organization", "started_by", "confirmed_by", "roster").order_by(
        "-year", "pool__organization__path"
    )


def run_get(*, actor, pk: int) -> EvaluationRun:
    return run_list(actor=actor).get(pk=pk)


def proposals_of(run: EvaluationRun) -> QuerySet[Proposal]:
    return run.proposals.select_related("instructor", "decided_by").order_by("rank", "instructor__code")


def proposal_counts(run: EvaluationRun) -> dict[str, dict[str, int]]:
    """{"proposed": {outcome: n}, "final": {outcome: n}, "undecided": n} of a run (one query)."""
    rows = list(run.proposals.values_list("proposed", "decision"))
    return {
        "proposed": dict(Counter(p for p, _d in rows)),
        "final": dict(Counter(d or p for p, d in rows)),
        "undecided": sum(1 for _p, d in rows if not d),
        "overrides": sum(1 for p, d in rows if d and d != p),
    }


def runs_awaiting(actor) -> QuerySet[EvaluationRun]:
    """Computed runs of the pools the actor manages, waiting for its confirmation."""
    return EvaluationRun.objects.filter(
        pool__in=pools_managed_by(actor), status=EvaluationRun.Status.PROPOSED
    ).select_related("pool")


def incidents_for_run(run: EvaluationRun) -> QuerySet[DisciplineIncident]:
    return (
        DisciplineIncident.objects.filter(instructor__pool=run.pool, occurred_on__year=run.year)
        .select_related("instructor", "booking", "recorded_by")
        .order_by("-occurred_on", "-pk")
    )


def incident_list(*, actor, pool: Pool | None = None) -> QuerySet[DisciplineIncident]:
    """Incidents of the instructors of the pools the actor manages or supervises."""
    j = jurisdiction_of(actor)
    qs = DisciplineIncident.objects.all()
    if not j.is_superuser:
        qs = qs.filter(j.admin_q("instructor__pool__organization"))
    if pool is not None:
        qs = qs.filter(instructor__pool=pool)
    return qs.select_related("instructor", "instructor__pool", "booking", "recorded_by").order_by("-occurred_on", "-pk")


# --- to-do ------------------------------------------------------------------------------------------


def branch_lectures_unrated(actor, *, now: datetime | None = None) -> int:
    """Lectures of the actor's branches open for rating without the branch's own rating yet."""
    now = now or timezone.now()
    return (
        branch_lectures(actor=actor).filter(opens_at__lte=now, closes_at__gt=now, branch_rated=False).order_by().count()
    )
