"""Reads of bookings and schedules, scoped by what the actor may see.

A secretary sees its branch's bookings, an org admin those of its subtree, an instructor its own (and
the open requests it answered); the providers at the end answer the recommender's questions about many
instructors in one query each.
"""

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgs.models import Organization, Role
from orgs.selectors import IdFilter, jurisdiction_of
from pool.models import Instructor
from pool.selectors import InstructorFilter, bookable_instructors

from .models import BlockedPeriod, Booking, CalendarFeed, OpenAnswer, TimeProposal, Weekday, WeeklyAvailability

LOAD_WINDOW_DAYS = 30

# --- time helpers ----------------------------------------------------------------------------------


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The aware start of ``day`` and of the next day, in the site's time zone."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, time(0), tz)
    return start, datetime.combine(day + timedelta(days=1), time(0), tz)


def month_bounds(day: date) -> tuple[datetime, datetime]:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return day_bounds(first)[0], day_bounds(following)[0]


def format_day(value: date | datetime) -> str:
    """2026年11月28日 (the active language's DATE_FORMAT)."""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return formats.date_format(value, "DATE_FORMAT")


def format_moment(value: datetime) -> str:
    """2026年11月28日 09:00."""
    local = timezone.localtime(value)
    return f"{format_day(local.date())} {local:%H:%M}"


def format_span(starts_at: datetime, ends_at: datetime) -> str:
    """2026年11月28日 09:00–11:30."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    return f"{format_day(start.date())} {start:%H:%M}–{end:%H:%M}"


# --- bookings --------------------------------------------------------------------------------------


def _answered_by(actor) -> Exists:
    return Exists(OpenAnswer.objects.filter(booking=OuterRef("pk"), instructor__user=actor))


def visibility_q(actor) -> Q:
    """Bookings of branches in the actor's jurisdiction, its own as an instructor, the open requests it
    answered, and those of instructors without a log-in in the pools it manages."""
    j = jurisdiction_of(actor)
    if j.is_superuser:
        return Q()
    visible = Q(instructor__user=actor) | _answered_by(actor)
    if j.paths:
        visible |= j.q("branch")
    managed = j.org_ids(Role.ORG_ADMIN)
    if managed:
        visible |= Q(instructor__user__isnull=True, instructor__pool__organization_id__in=managed)
    return visible


def with_related(qs: QuerySet[Booking]) -> QuerySet[Booking]:
    offered = OpenAnswer.objects.filter(booking=OuterRef("pk"), status=OpenAnswer.Status.OFFERED)
    return (
        qs.select_related(
            "branch", "instructor", "instructor__pool", "instructor__pool__organization", "fee_standard", "requested_by"
        )
        .annotate(
            offered_answers=Coalesce(
                Subquery(offered.order_by().values("booking").annotate(n=Count("pk")).values("n")),
                Value(0),
                output_field=IntegerField(),
            )
        )
        .prefetch_related(
            Prefetch(
                "proposals",
                queryset=TimeProposal.objects.filter(status=TimeProposal.Status.PENDING),
                to_attr="pending_proposals",
            )
        )
    )


class BookingFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Booking.Status.choices, label=gettext_lazy("status"))
    kind = django_filters.ChoiceFilter(choices=Booking.Kind.choices, label=gettext_lazy("kind of request"))
    branch = IdFilter(field_name="branch_id", label=gettext_lazy("requesting branch"))
    instructor = IdFilter(field_name="instructor_id", label=gettext_lazy("instructor"))
    date_from = django_filters.DateFilter(method="filter_from", label=gettext_lazy("from date"))
    date_to = django_filters.DateFilter(method="filter_to", label=gettext_lazy("to date"))
    q = django_filters.CharFilter(method="filter_text", label=gettext_lazy("text"))

    class Meta:
        model = Booking
        fields = ["status", "kind", "branch", "instructor", "date_from", "date_to", "q"]

    def filter_from(self, queryset, name, value):
        return queryset.filter(starts_at__gte=day_bounds(value)[0])

    def filter_to(self, queryset, name, value):
        return queryset.filter(starts_at__lt=day_bounds(value)[1])

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(topic__icontains=value) | Q(instructor__name__icontains=value) | Q(branch__full_name__icontains=value)
        )


def apply_booking_filters(qs: QuerySet[Booking], filters) -> QuerySet[Booking]:
    filterset = BookingFilter(filters, queryset=qs)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors.as_data())  # keeps each error's code
    return filterset.qs


def booking_list(*, actor, filters=None, related: bool = True) -> QuerySet[Booking]:
    """Bookings the actor may see, soonest lecture last (newest first)."""
    qs = Booking.objects.filter(visibility_q(actor))
    if filters is not None:
        qs = apply_booking_filters(qs, filters)
    qs = qs.order_by("-starts_at", "-id")
    return with_related(qs) if related else qs


def booking_get(*, actor, pk: int) -> Booking:
    """One booking the actor may see (raises Booking.DoesNotExist otherwise)."""
    return booking_list(actor=actor).get(pk=pk)


def booking_history(booking: Booking):
    return booking.status_changes.select_related("actor").order_by("created_at", "id")


def answers_for(booking: Booking) -> QuerySet[OpenAnswer]:
    return (
        booking.answers.select_related("instructor", "instructor__pool", "instructor__pool__organization")
        .prefetch_related("instructor__topics")
        .order_by("created_at", "id")
    )


def proposals_for(booking: Booking) -> QuerySet[TimeProposal]:
    return booking.proposals.select_related("proposed_by").order_by("-created_at", "-id")


def branches_for(actor) -> QuerySet[Organization]:
    """The branches the actor may book for (where it is secretary)."""
    j = jurisdiction_of(actor)
    return Organization.objects.filter(pk__in=j.org_ids(Role.SECRETARY), kind__in=Organization.BRANCH_KINDS).order_by(
        "path"
    )


def bookable_instructor_list(*, branch: Organization, filters=None) -> QuerySet[Instructor]:
    """Active instructors of the pools the branch may book from, filtered like the roster."""
    qs = bookable_instructors(branch)
    if filters:
        filterset = InstructorFilter(filters, queryset=qs)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors.as_data())  # keeps each error's code
        qs = filterset.qs
    return (
        qs.select_related("pool", "pool__organization")
        .prefetch_related("topics")
        .order_by("pool__organization__depth", "category", "code")
    )


# --- the instructor's side -------------------------------------------------------------------------


def open_requests_for(instructor: Instructor, *, now: datetime | None = None) -> QuerySet[Booking]:
    """Open requests the instructor may answer: from branches inside its pool's organization, in its
    category (or without one), still open and not yet answered by it."""
    now = now or timezone.now()
    org_path = instructor.pool.organization.path
    qs = Booking.objects.filter(
        Organization.subtree_q(org_path, "branch"),
        status=Booking.Status.OPEN,
        respond_by__gt=now,
        starts_at__gt=now,
    ).filter(Q(category="") | Q(category=instructor.category))
    return qs.exclude(answers__instructor=instructor)


def requests_to_answer(instructor: Instructor) -> QuerySet[Booking]:
    return Booking.objects.filter(instructor=instructor, status=Booking.Status.REQUESTED)


def upcoming_lectures(instructor: Instructor, *, now: datetime | None = None) -> QuerySet[Booking]:
    return Booking.objects.filter(
        instructor=instructor, status=Booking.Status.ACCEPTED, ends_at__gt=now or timezone.now()
    ).order_by("starts_at")


def instructor_can_answer_open(instructor: Instructor, booking: Booking) -> bool:
    return (
        instructor.status == Instructor.Status.APPOINTED
        and instructor.pool.is_active
        and booking.branch.path.startswith(instructor.pool.organization.path)
        and booking.category in ("", instructor.category)
    )


# --- schedules -------------------------------------------------------------------------------------


@dataclass
class Schedule:
    instructor: Instructor
    windows: list[WeeklyAvailability]
    blocked: list[BlockedPeriod]
    feed: CalendarFeed | None

    def windows_by_weekday(self) -> list[tuple[str, list[WeeklyAvailability]]]:
        return [(label, [w for w in self.windows if w.weekday == value]) for value, label in Weekday.choices]


def schedule_of(instructor: Instructor) -> Schedule:
    today = timezone.localdate()
    return Schedule(
        instructor=instructor,
        windows=list(instructor.weekly_availability.order_by("weekday", "starts")),
        blocked=list(instructor.blocked_periods.filter(last_day__gte=today).order_by("first_day")),
        feed=CalendarFeed.objects.filter(instructor=instructor).first(),
    )


def schedule_instructors(actor) -> QuerySet[Instructor]:
    """Instructors whose schedule the actor keeps: itself, and those of the pools it manages."""
    j = jurisdiction_of(actor)
    if j.is_superuser:
        return Instructor.objects.all()
    return Instructor.objects.filter(Q(user=actor) | Q(pool__organization_id__in=j.org_ids(Role.ORG_ADMIN)))


def _window_text(windows: Sequence[WeeklyAvailability]) -> str:
    return "、".join(f"{w.starts:%H:%M}–{w.ends:%H:%M}" for w in windows)


def schedule_problems(
    *, instructor: Instructor, starts_at: datetime, ends_at: datetime, exclude_pk: int | None = None
) -> list[str]:
    """Why the instructor cannot give a lecture at that time; empty when it can.

    Checks, in order: active status, blocked dates, weekly availability, confirmed lectures that
    overlap, and the monthly limit (confirmed lectures in the lecture's calendar month).
    """
    problems = []
    name = instructor.name
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    day = start.date()
    if instructor.status != Instructor.Status.APPOINTED or not instructor.pool.is_active:
        problems.append(_("%(name)s is not an active instructor and cannot be booked.") % {"name": name})
    blocked = instructor.blocked_periods.filter(first_day__lte=day, last_day__gte=day).first()
    if blocked is not None:
        problems.append(
            _("%(name)s has blocked %(day)s: %(reason)s")
            % {"name": name, "day": format_day(day), "reason": blocked.reason or _("no reason given")}
        )
    windows = list(instructor.weekly_availability.all())
    if windows:
        today_windows = [w for w in windows if w.weekday == day.weekday()]
        fits = any(w.starts <= start.time() and end.time() <= w.ends and end.date() == day for w in today_windows)
        if not fits:
            weekday = Weekday(day.weekday()).label
            if today_windows:
                problems.append(
                    _("%(name)s takes lectures on %(weekday)s only %(windows)s.")
                    % {"name": name, "weekday": weekday, "windows": _window_text(today_windows)}
                )
            else:
                problems.append(_("%(name)s takes no lectures on %(weekday)s.") % {"name": name, "weekday": weekday})
    confirmed = Booking.objects.filter(instructor=instructor, status__in=Booking.CONFIRMED)
    if exclude_pk is not None:
        confirmed = confirmed.exclude(pk=exclude_pk)
    clash = confirmed.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).order_by("starts_at").first()
    if clash is not None:
        problems.append(
            _("%(name)s already has a confirmed lecture at %(span)s.")
            % {"name": name, "span": format_span(clash.starts_at, clash.ends_at)}
        )
    month_start, month_end = month_bounds(day)
    in_month = confirmed.filter(starts_at__gte=month_start, starts_at__lt=month_end).count()
    if in_month >= instructor.monthly_limit:
        problems.append(
            _("%(name)s has reached the limit of %(limit)s lectures in %(month)s.")
            % {"name": name, "limit": instructor.monthly_limit, "month": f"{day.year}年{day.month}月"}
        )
    return problems


# --- calendars -------------------------------------------------------------------------------------

CALENDAR_STATUSES = (
    Booking.Status.OPEN,
    Booking.Status.REQUESTED,
    Booking.Status.PROPOSED,
    Booking.Status.ACCEPTED,
    Booking.Status.DELIVERED,
)


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    is_today: bool
    bookings: list[Booking] = field(default_factory=list)
    blocked: list[BlockedPeriod] = field(default_factory=list)


@dataclass
class CalendarMonth:
    first: date
    weeks: list[list[CalendarDay]]

    @property
    def previous(self) -> date:
        return (self.first - timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> date:
        return (self.first + timedelta(days=32)).replace(day=1)

    def days_with_entries(self) -> list[CalendarDay]:
        return [d for week in self.weeks for d in week if d.in_month and (d.bookings or d.blocked)]


def calendar_month(*, actor, first: date, instructor: Instructor | None = None) -> CalendarMonth:
    """The actor's requests and lectures in one month; with ``instructor``, that instructor's own
    bookings and blocked dates (for the instructor's calendar)."""
    first = first.replace(day=1)
    weeks_dates = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    grid_start, grid_end = day_bounds(weeks_dates[0][0])[0], day_bounds(weeks_dates[-1][-1])[1]
    if instructor is not None:
        qs = Booking.objects.filter(instructor=instructor)
        blocked = list(
            instructor.blocked_periods.filter(first_day__lte=weeks_dates[-1][-1], last_day__gte=weeks_dates[0][0])
        )
    else:
        qs = Booking.objects.filter(visibility_q(actor))
        blocked = []
    bookings = list(
        qs.filter(status__in=CALENDAR_STATUSES, starts_at__gte=grid_start, starts_at__lt=grid_end)
        .select_related("branch", "instructor")
        .order_by("starts_at", "id")
    )
    by_day: dict[date, list[Booking]] = {}
    for booking in bookings:
        by_day.setdefault(booking.local_date, []).append(booking)
    today = timezone.localdate()
    weeks = [
        [
            CalendarDay(
                day=d,
                in_month=d.month == first.month,
                is_today=d == today,
                bookings=by_day.get(d, []),
                blocked=[b for b in blocked if b.first_day <= d <= b.last_day],
            )
            for d in week
        ]
        for week in weeks_dates
    ]
    return CalendarMonth(first=first, weeks=weeks)


def feed_lectures(instructor: Instructor) -> QuerySet[Booking]:
    """What the private iCalendar feed lists: the instructor's confirmed lectures (accepted, and
    delivered ones, which stay in the calendar as lectures that took place)."""
    return (
        Booking.objects.filter(instructor=instructor, status__in=Booking.CONFIRMED)
        .select_related("branch", "instructor")
        .order_by("starts_at", "id")
    )


# --- to-do counts ----------------------------------------------------------------------------------


def branch_todo_counts(actor, *, now: datetime | None = None) -> dict[str, int]:
    """For a secretary: open requests with answers to pick, proposals to decide, lectures to confirm."""
    now = now or timezone.now()
    branches = list(jurisdiction_of(actor).org_ids(Role.SECRETARY))
    if not branches:
        return {}
    offered = OpenAnswer.objects.filter(booking=OuterRef("pk"), status=OpenAnswer.Status.OFFERED)
    qs = Booking.objects.filter(branch_id__in=branches)
    return qs.aggregate(
        to_pick=Count("pk", filter=Q(status=Booking.Status.OPEN) & Q(Exists(offered))),
        proposals=Count("pk", filter=Q(status=Booking.Status.PROPOSED)),
        to_confirm=Count("pk", filter=Q(status=Booking.Status.ACCEPTED, ends_at__lte=now)),
    )


def instructor_todo_counts(instructor: Instructor) -> dict[str, int]:
    counts = Booking.objects.filter(instructor=instructor).aggregate(
        to_answer=Count("pk", filter=Q(status=Booking.Status.REQUESTED)),
        to_confirm=Count("pk", filter=Q(status=Booking.Status.ACCEPTED, ends_at__lte=timezone.now())),
    )
    counts["open"] = open_requests_for(instructor).count()
    return counts


# --- the instructor's page (pool.registry panel) ---------------------------------------------------


def lecture_summary(instructor: Instructor) -> dict:
    """Counts and fees of the instructor's lectures, in one query."""
    now = timezone.now()
    today = timezone.localdate()
    month_start, month_end = month_bounds(today)
    year_start = day_bounds(today.replace(month=1, day=1))[0]
    delivered = Q(status=Booking.Status.DELIVERED)
    return Booking.objects.filter(instructor=instructor).aggregate(
        pending=Count("pk", filter=Q(status__in=[Booking.Status.REQUESTED, Booking.Status.PROPOSED])),
        upcoming=Count("pk", filter=Q(status=Booking.Status.ACCEPTED, starts_at__gte=now)),
        this_month=Count(
            "pk", filter=Q(status__in=Booking.CONFIRMED, starts_at__gte=month_start, starts_at__lt=month_end)
        ),
        delivered=Count("pk", filter=delivered),
        delivered_this_year=Count("pk", filter=delivered & Q(starts_at__gte=year_start)),
        fees_this_year=Sum("fee_amount", filter=delivered & Q(starts_at__gte=year_start)),
        fees_total=Sum("fee_amount", filter=delivered),
        next_start=Min("starts_at", filter=Q(status=Booking.Status.ACCEPTED, starts_at__gte=now)),
    )


# --- providers for the recommender (pool.registry) -------------------------------------------------


# Above this many ids the providers read what keeps instructors busy on that date province-wide (a few
# hundred rows at most) and keep the ids asked for, rather than sending thousands of ids to the database.
SET_BASED_FROM = 200

# Reasons an instructor cannot lecture on a date, most important first.
_REASON_ORDER = ("inactive", "blocked", "weekday", "lecturing", "limit")


def unavailable_on(instructor_ids: Sequence[int], day: date) -> dict[int, str]:
    """Instructor id → why that instructor cannot lecture on ``day``, in one query for any number of ids.

    Reasons: not active, a blocked date, no weekly availability that weekday (for instructors who set
    their week), already lecturing that day, the monthly limit reached. The query is the union of the
    five small sets of instructors kept from lecturing, so its cost does not grow with the ids asked.
    """
    wanted = set(instructor_ids)
    if not wanted:
        return {}
    narrow = len(wanted) <= SET_BASED_FROM
    day_start, day_end = day_bounds(day)
    month_start, month_end = month_bounds(day)
    confirmed = Booking.objects.filter(status__in=Booking.CONFIRMED)

    def part(qs, field: str, code: str, text=None, number=None):
        if narrow:
            qs = qs.filter(**{f"{field}__in": wanted})
        return (
            qs.order_by()
            .annotate(
                busy_id=F(field),
                busy_code=Value(code, output_field=CharField()),
                busy_text=text if text is not None else Value("", output_field=CharField()),
                busy_number=number if number is not None else Value(0, output_field=IntegerField()),
            )
            .values_list("busy_id", "busy_code", "busy_text", "busy_number")
        )

    works_that_day = WeeklyAvailability.objects.filter(weekday=day.weekday()).values("instructor_id")
    over_limit = (
        confirmed.filter(starts_at__gte=month_start, starts_at__lt=month_end)
        .values("instructor_id", "instructor__monthly_limit")
        .annotate(lectures=Count("pk"))
        .filter(lectures__gte=F("instructor__monthly_limit"))
    )
    parts = [
        part(
            Instructor.objects.filter(~Q(status=Instructor.Status.APPOINTED) | Q(pool__is_active=False)),
            "pk",
            "inactive",
        ),
        part(
            BlockedPeriod.objects.filter(first_day__lte=day, last_day__gte=day),
            "instructor_id",
            "blocked",
            text=Coalesce(F("reason"), Value(""), output_field=CharField()),
        ),
        part(WeeklyAvailability.objects.exclude(instructor_id__in=works_that_day), "instructor_id", "weekday"),
        part(
            # A lecture starts and ends on the same day (clean_times): the lower bound on the start, a
            # day of margin, lets the (status, starts_at) index find the day's lectures directly.
            confirmed.filter(
                starts_at__gte=day_start - timedelta(days=1), starts_at__lt=day_end, ends_at__gt=day_start
            ),
            "instructor_id",
            "lecturing",
        ),
        part(
            over_limit,
            "instructor_id",
            "limit",
            number=Coalesce(F("instructor__monthly_limit"), Value(0), output_field=IntegerField()),
        ),
    ]
    found: dict[int, dict[str, tuple[str, int]]] = {}
    for pk, code, text, number in parts[0].union(*parts[1:]):
        if pk in wanted:
            found.setdefault(pk, {})[code] = (text, number)
    weekday = Weekday(day.weekday()).label
    reasons: dict[int, str] = {}
    for pk, codes in found.items():
        code = next(c for c in _REASON_ORDER if c in codes)
        text, number = codes[code]
        if code == "inactive":
            reasons[pk] = _("not an active instructor")
        elif code == "blocked":
            reasons[pk] = _("blocked date: %(reason)s") % {"reason": text or _("no reason given")}
        elif code == "weekday":
            reasons[pk] = _("takes no lectures on %(weekday)s") % {"weekday": weekday}
        elif code == "lecturing":
            reasons[pk] = _("already lecturing that day")
        else:
            reasons[pk] = _("monthly limit of %(limit)s lectures reached") % {"limit": number}
    return reasons


LECTURE_TITLES_PER_INSTRUCTOR = 20


def lecture_titles(instructor_ids: Sequence[int]) -> dict[int, list[str]]:
    """Instructor id → the topics of its delivered lectures, newest first, distinct, at most 20 each.

    The recommender indexes them beside the instructor's own topics (one query per call).
    """
    ids = list(instructor_ids)
    if not ids:
        return {}
    titles: dict[int, list[str]] = {}
    rows = (
        Booking.objects.filter(status=Booking.Status.DELIVERED, instructor_id__in=ids)
        .order_by("instructor_id", "-starts_at")
        .values_list("instructor_id", "topic")
    )
    for pk, topic in rows:
        seen = titles.setdefault(pk, [])
        if topic not in seen and len(seen) < LECTURE_TITLES_PER_INSTRUCTOR:
            seen.append(topic)
    return titles


def load_around(instructor_ids: Sequence[int], day: date) -> dict[int, int]:
    """Instructor id → confirmed lectures in the 30 days before and after ``day``, in one query."""
    ids = list(instructor_ids)
    if not ids:
        return {}
    start = day_bounds(day - timedelta(days=LOAD_WINDOW_DAYS))[0]
    end = day_bounds(day + timedelta(days=LOAD_WINDOW_DAYS))[1]
    qs = Booking.objects.filter(status__in=Booking.CONFIRMED, starts_at__gte=start, starts_at__lt=end)
    wanted = set(ids)
    if len(wanted) <= SET_BASED_FROM:
        qs = qs.filter(instructor_id__in=wanted)
    rows = qs.order_by().values("instructor_id").annotate(n=Count("pk")).values_list("instructor_id", "n")
    return {pk: n for pk, n in rows if pk in wanted}
