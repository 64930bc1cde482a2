"""Booking's part of ``seed_demo``: the demo instructor's week, and the demo secretary's branch with a
delivered lecture, an accepted upcoming one, a pending request and an open request with an answer.
``scale`` adds lectures to the scale world's branches for benchmarks.

Later steps find ``ctx.extra["booking"]``: {"delivered", "accepted", "requested", "open"} bookings.
"""

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from orgs.models import Organization
from pool.models import Category, Instructor
from pool.services import instructor_lecture_count_set

from .fees import units_paid
from .models import Booking, BookingStatusChange, FeeRate, FeeStandard, WeeklyAvailability
from .services import booking_accept, booking_create, booking_deliver, open_answer_submit, weekly_availability_set

DEMO_WEEK = [
    *[(d, time(9, 0), time(12, 0)) for d in range(5)],
    *[(d, time(14, 0), time(17, 30)) for d in range(5)],
    (5, time(9, 0), time(12, 0)),
]


def _weekday_from(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), timezone.get_current_timezone())


def demo(ctx) -> None:
    instructor = ctx.extra["pool"]["instructor"]
    secretary = ctx.users["secretary"]
    branch = ctx.orgs["branch"]
    today = timezone.localdate()
    weekly_availability_set(instructor=instructor, actor=ctx.users["instructor"], windows=DEMO_WEEK)

    # a lecture given two weeks ago, recorded by the system and confirmed as delivered
    past = _weekday_from(today - timedelta(days=14))
    delivered = booking_create(
        actor=None,
        branch=branch,
        instructor=instructor,
        topic="新时代党的建设总要求解读",
        category=Category.THEORY,
        description="支部党员大会后的专题党课，结合社区党建工作实际。",
        starts_at=_at(past, 9),
        ends_at=_at(past, 11, 30),
        class_hours=3,
        place="佳湖社区党群服务中心二楼会议室",
        audience_size=45,
        contact_name=secretary.display_name,
    )
    booking_accept(booking=delivered, actor=None)
    booking_deliver(booking=delivered, actor=None)

    # an accepted lecture next week
    soon = _weekday_from(today + timedelta(days=7))
    accepted = booking_create(
        actor=secretary,
        branch=branch,
        instructor=instructor,
        topic="雨花英烈精神与江苏红色资源",
        category=Category.THEORY,
        description="主题党日活动，党员和入党积极分子参加。",
        starts_at=_at(soon, 14, 30),
        ends_at=_at(soon, 17),
        class_hours=3,
        place="佳湖社区党群服务中心一楼报告厅",
        audience_size=60,
        contact_name=secretary.display_name,
        contact_phone="02552110000",
    )
    booking_accept(booking=accepted, actor=ctx.users["instructor"])

    # a request waiting for the instructor's answer
    later = _weekday_from(today + timedelta(days=12))
    requested = booking_create(
        actor=secretary,
        branch=branch,
        instructor=instructor,
        topic="如何上好一堂专题党课",
        category=Category.THEORY,
        description="面向支部委员和党小组长，希望多讲方法和案例。",
        starts_at=_at(later, 9),
        ends_at=_at(later, 11),
        class_hours=2,
        place="佳湖社区党群服务中心二楼会议室",
        audience_size=20,
        contact_name=secretary.display_name,
    )

    # an open request answered by an instructor of the county's or the city's pool
    open_day = _weekday_from(today + timedelta(days=20))
    open_request = booking_create(
        actor=secretary,
        branch=branch,
        topic="乡村振兴与社区治理",
        category=Category.MANAGEMENT,
        description="希望结合江宁区美丽乡村建设的案例讲解基层治理。",
        starts_at=_at(open_day, 14, 30),
        ends_at=_at(open_day, 16, 30),
        class_hours=2,
        mode=Booking.Mode.ONSITE,
        place="佳湖社区党群服务中心一楼报告厅",
        audience_size=50,
        contact_name=secretary.display_name,
    )
    county_path = ctx.orgs["jiangning"].path
    answerer = (
        Instructor.objects.filter(
            status=Instructor.Status.APPOINTED,
            category=Category.MANAGEMENT,
            pool__organization__path__in=[county_path, ctx.orgs["nanjing"].path, ctx.orgs["province"].path],
        )
        .exclude(pk=instructor.pk)
        .order_by("-pool__organization__depth", "code")
        .first()
    )
    if answerer is not None:
        open_answer_submit(
            booking=open_request,
            actor=None,
            instructor=answerer,
            note="我长期在基层调研社区治理，可结合江宁区的案例来讲。",
        )
    ctx.extra["booking"] = {
        "delivered": delivered,
        "accepted": accepted,
        "requested": requested,
        "open": open_request,
    }
    ctx.log(f"    4 bookings for {branch.full_name}; {instructor.name} keeps a weekly schedule")


def _fee_table() -> dict[int, tuple[FeeStandard, dict[str, object]]]:
    table = {}
    for standard in FeeStandard.objects.all():
        table[standard.pk] = (standard, {r.grade: r.amount for r in FeeRate.objects.filter(standard=standard)})
    return table


@transaction.atomic
def scale(ctx, n: int) -> None:
    """About three bookings per scale branch (one delivered, one accepted, one requested), with each
    instructor's lectures on distinct days so none overlap. Written in bulk; fees from the standards."""
    branch_ids = list(getattr(ctx, "scale_branch_ids", []) or [])
    if not branch_ids:
        return
    rng = random.Random(n)
    step = Organization.steplen
    instructors = list(
        Instructor.objects.filter(status=Instructor.Status.APPOINTED, pool__is_active=True).values_list(
            "pk", "pool__organization__path", "fee_grade"
        )
    )
    by_path: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for pk, path, grade in instructors:
        by_path[path].append((pk, grade))
    standards = sorted(_fee_table().values(), key=lambda item: item[0].effective_from)
    today = timezone.localdate()
    # each instructor's delivered lectures go back from yesterday, its accepted ones forward from
    # tomorrow, one a day: confirmed lectures never overlap
    taken: dict[tuple[str, int], int] = defaultdict(int)
    rows = []
    plans = (
        (Booking.Status.DELIVERED, -1),
        (Booking.Status.ACCEPTED, 1),
        (Booking.Status.REQUESTED, 1),
    )
    branches = Organization.objects.filter(pk__in=branch_ids).values_list("pk", "path")
    for branch_id, path in branches:
        lineage = [path[: i * step] for i in range(1, len(path) // step + 1)]
        candidates = [c for p in lineage for c in by_path.get(p, [])]
        if not candidates:
            continue
        for status, offset in plans:
            instructor_id, grade = rng.choice(candidates)
            slot = taken[status, instructor_id]
            taken[status, instructor_id] += 1
            day = today + timedelta(days=offset * (slot + 1))
            starts_at, ends_at = _at(day, 9), _at(day, 11)
            standard, rates = next(((s, r) for s, r in reversed(standards) if s.effective_from <= day), (None, {}))
            rate = rates.get(grade)
            units = units_paid(standard, starts_at=starts_at, ends_at=ends_at, class_hours=2) if rate else None
            rows.append(
                Booking(
                    branch_id=branch_id,
                    instructor_id=instructor_id,
                    kind=Booking.Kind.DIRECT,
                    topic="专题党课",
                    starts_at=starts_at,
                    ends_at=ends_at,
                    class_hours=2,
                    place="党群服务中心",
                    audience_size=rng.randint(15, 80),
                    status=status,
                    respond_by=min(timezone.now() + timedelta(days=7), starts_at),
                    fee_standard=standard if rate else None,
                    fee_rate=rate,
                    fee_units=units,
                    fee_amount=rate * units if rate else None,
                    delivered_at=ends_at if status == Booking.Status.DELIVERED else None,
                )
            )
    created = Booking.objects.bulk_create(rows, batch_size=2000)
    BookingStatusChange.objects.bulk_create(
        (BookingStatusChange(booking=b, from_status="", to_status=b.status) for b in created), batch_size=2000
    )
    delivered = defaultdict(int)
    for b in created:
        if b.status == Booking.Status.DELIVERED:
            delivered[b.instructor_id] += 1
    for instructor in Instructor.objects.filter(pk__in=list(delivered)):
        instructor_lecture_count_set(
            instructor=instructor,
            count=Booking.objects.filter(instructor=instructor, status=Booking.Status.DELIVERED).count(),
        )
    with_week = set(WeeklyAvailability.objects.values_list("instructor_id", flat=True).distinct())
    ctx.log(f"    {len(created)} bookings for {len(branch_ids)} scale branches ({len(with_week)} weekly schedules)")
