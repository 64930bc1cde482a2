"""The evaluation's part of ``seed_demo`` (order 50) and of ``--scale`` (bulk, for benchmarks).

The demo year (this year from June on, else last year): delivered lectures of a dozen provincial
instructors and the demo instructor for the demo branches, booked and delivered through booking's
services, rated by the branches' members and by the branches; two instructors with many low ratings
(proposed for removal; each has a lecture booked next month, which the confirmation cancels), one with
few low ratings (a warning only), two reserves to promote, a discipline incident, and the yearly
evaluation of the provincial pool computed and awaiting the confirmation of ``province_admin``.
The lecture the ``secretary``'s branch had delivered two weeks ago stays open for ``member`` to rate.

Later steps find ``ctx.extra["evaluation"]``: {"year", "run", "low": [Instructor], "reserves": [...]}.
"""

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from activity.models import Activity, Attendance
from activity.selectors import activity_for_lecture
from activity.services import activity_record
from booking.models import Booking, BookingStatusChange
from booking.services import booking_accept, booking_create, booking_deliver
from members.models import Member
from notifications.models import Notification
from orgs.models import Organization, Role, RoleAssignment
from pool.models import Category, Instructor
from pool.services import instructor_create, instructor_lecture_count_set, instructor_transition

from . import conf
from .models import DisciplineIncident, Rating, RatingWindow
from .selectors import lecture_date, year_range
from .services import rating_summaries_refresh, rating_window_open, run_compute, run_start

COMMENTS_GOOD = [
    "联系实际，案例生动，很受启发。",
    "讲得透彻，政策解读清楚，回去就能用。",
    "内容新、观点明，互动也好。",
    "深入浅出，党员们都听得懂。",
    "结合我们社区的情况来讲，很接地气。",
    "",
    "",
]
COMMENTS_POOR = [
    "照本宣科，和基层实际联系不够。",
    "内容较旧，很多是几年前的材料。",
    "语速太快，重点不突出。",
    "迟到二十分钟，提前结束，效果不好。",
    "",
]

# (target mean, lectures in the demo year, ratings per lecture) of the provincial instructors in order
PROFILES = [
    (4.7, 5, 9),
    (4.5, 4, 8),
    (4.4, 4, 7),
    (4.2, 3, 6),
    (4.1, 3, 7),
    (3.9, 2, 6),
    (3.8, 3, 5),
    (2.9, 3, 4),  # a warning
    (2.0, 4, 4),  # low, enough ratings: removal
    (2.2, 4, 4),  # low, enough ratings: removal
    (1.7, 1, 5),  # low, too few ratings (at most 6 with the branch): a warning only
    (4.0, 1, 3),
]
DEMO_INSTRUCTOR_PROFILE = (4.8, 4, 8)
TOPICS = [
    "学习贯彻党的创新理论",
    "基层党组织建设实务",
    "党史专题：江苏红色印记",
    "乡村振兴政策解读",
    "党员先锋模范作用",
]


def demo_year(today: date) -> int:
    return today.year if today.month >= 6 else today.year - 1


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), timezone.get_current_timezone())


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _scores(rng: random.Random, mean: float) -> tuple[int, int, int]:
    return tuple(max(1, min(5, round(rng.gauss(mean, 0.6)))) for _ in range(3))


def _lecture_days(year: int, count: int, offset: int, last: date) -> list[date]:
    """``count`` distinct weekdays spread evenly over the year up to ``last`` (a few weeks apart)."""
    weekdays = []
    day = date(year, 1, 2)
    while day <= last:
        if day.weekday() < 5:
            weekdays.append(day)
        day += timedelta(days=1)
    gap = max(1, len(weekdays) // max(count, 1))
    return sorted({weekdays[(offset * 7 + i * gap) % len(weekdays)] for i in range(count)})


def _deliver_past(*, branch, instructor, day: date, topic: str) -> Booking:
    """A lecture that took place: requested, accepted and delivered by the system through booking."""
    booking = booking_create(
        actor=None,
        branch=branch,
        instructor=instructor,
        topic=topic,
        category=instructor.category,
        starts_at=_at(day, 14, 30),
        ends_at=_at(day, 16, 30),
        class_hours=2,
        place="党群服务中心多功能厅",
        audience_size=40,
    )
    booking_accept(booking=booking, actor=None)
    return booking_deliver(booking=booking, actor=None)


def _present_at(booking: Booking, member: Member, *, actor) -> None:
    """The demo member attended the lecture: where the activity app recorded its audience otherwise,
    the secretary records the attendance again (through activity's service) with the member present."""
    activity = activity_for_lecture(booking)
    if activity is None or activity.status != Activity.Status.RECORDED:
        return
    rows = list(Attendance.objects.filter(activity=activity).values("member_id", "status", "reason"))
    if any(r["member_id"] == member.pk and r["status"] == Attendance.Status.PRESENT for r in rows):
        return
    attendance = [
        {"member": r["member_id"], "status": r["status"], "reason": r["reason"]}
        for r in rows
        if r["member_id"] != member.pk
    ]
    activity_record(
        actor=actor, activity=activity, attendance=[*attendance, {"member": member.pk, "status": "present"}]
    )


def _secretaries_by_branch() -> dict[int, int]:
    return dict(
        RoleAssignment.objects.filter(role=Role.SECRETARY, is_active=True).values_list("organization_id", "user_id")
    )


def demo(ctx) -> None:
    rng = random.Random(2016)
    today = timezone.localdate()
    year = demo_year(today)
    last_day = min(date(year, 12, 31), today - timedelta(days=conf.window_days() + 2))
    province = ctx.extra["pool"]["province"]
    demo_instructor = ctx.extra["pool"]["instructor"]
    admin = ctx.users["province_admin"]
    # the secretary's own branch keeps booking's demo lectures only (one in each state); the demo year
    # is spread over the other demo branches
    branches = [b for b in ctx.branches if b.pk != ctx.orgs["branch"].pk]
    members_by_branch: dict[int, list[int]] = ctx.extra.get("members_by_branch") or {
        b.pk: list(Member.objects.filter(branch=b, left_on__isnull=True).values_list("pk", flat=True))
        for b in ctx.branches
    }
    member_users = dict(Member.objects.filter(user__isnull=False).values_list("pk", "user_id"))
    demo_member = ctx.extra.get("member")
    secretaries = _secretaries_by_branch()

    instructors = list(
        Instructor.objects.filter(pool=province, status=Instructor.Status.APPOINTED)
        .exclude(pk=demo_instructor.pk)
        .order_by("code")[: len(PROFILES)]
    )
    plan = [*list(zip(instructors, PROFILES, strict=False)), (demo_instructor, DEMO_INSTRUCTOR_PROFILE)]

    created: list[Booking] = []
    targets: dict[int, float] = {}
    for index, (instructor, (mean, lectures, _per)) in enumerate(plan):
        for n, day in enumerate(_lecture_days(year, lectures, index, last_day)):
            branch = branches[(index + n) % len(branches)]
            booking = _deliver_past(
                branch=branch, instructor=instructor, day=day, topic=TOPICS[(index + n) % len(TOPICS)]
            )
            created.append(booking)
            targets[booking.pk] = mean

    windows = []
    for booking in created:
        opens = booking.ends_at + timedelta(hours=2)
        day = lecture_date(booking)
        windows.append(
            RatingWindow(
                booking=booking,
                instructor=booking.instructor,
                branch=booking.branch,
                lecture_date=day,
                year=day.year,
                opens_at=opens,
                closes_at=opens + timedelta(days=conf.window_days()),
                created_at=opens,
            )
        )
    RatingWindow.objects.bulk_create(windows)
    per_lecture = {i.pk: p[2] for i, p in plan}
    ratings = []
    for window in windows:
        mean = targets[window.booking_id]
        pool = [m for m in members_by_branch.get(window.branch_id, []) if not (demo_member and m == demo_member.pk)]
        raters = rng.sample(pool, min(len(pool), per_lecture[window.instructor_id]))
        comments = COMMENTS_POOR if mean < 3 else COMMENTS_GOOD
        for k, member_id in enumerate(raters):
            content, delivery, practical = _scores(rng, mean)
            ratings.append(
                Rating(
                    window=window,
                    instructor_id=window.instructor_id,
                    year=window.year,
                    source=Rating.Source.MEMBER,
                    member_id=member_id,
                    submitted_by_id=member_users.get(member_id),
                    content=content,
                    delivery=delivery,
                    practical=practical,
                    total=content + delivery + practical,
                    comment=comments[(k + window.booking_id) % len(comments)],
                    created_at=window.opens_at + timedelta(hours=k + 1),
                )
            )
        if window.booking_id % 4:  # most branches gave their own rating too
            content, delivery, practical = _scores(rng, mean)
            ratings.append(
                Rating(
                    window=window,
                    instructor_id=window.instructor_id,
                    year=window.year,
                    source=Rating.Source.BRANCH,
                    submitted_by_id=secretaries.get(window.branch_id),
                    content=content,
                    delivery=delivery,
                    practical=practical,
                    total=content + delivery + practical,
                    comment=comments[window.booking_id % len(comments)],
                    created_at=window.opens_at + timedelta(days=1),
                )
            )
    Rating.objects.bulk_create(ratings, batch_size=1000)

    # the two removal candidates have a lecture booked next month, which a confirmed removal cancels
    low = [i for i, p in plan if p[0] < 2.5 and p[1] >= 3]
    soon = _weekday(today + timedelta(days=30))
    for n, instructor in enumerate(low):
        upcoming = booking_create(
            actor=None,
            branch=ctx.orgs["xuzhou_branch" if n else "branch2"],
            instructor=instructor,
            topic=TOPICS[n],
            category=instructor.category,
            starts_at=_at(soon + timedelta(days=n), 9),
            ends_at=_at(soon + timedelta(days=n), 11),
            class_hours=2,
            place="党群服务中心会议室",
            audience_size=30,
        )
        booking_accept(booking=upcoming, actor=None)

    # two reserves (后备人才) to promote into the seats that removals free
    reserves = []
    for n, (name, employer, title) in enumerate(
        [("蒋文华", "南京师范大学马克思主义学院", "副教授"), ("许丽娟", "江苏省社会科学院", "研究员")]
    ):
        reserve = instructor_create(
            pool=province,
            actor=None,
            code=f"JS-RES-{n + 1:03d}",
            name=name,
            gender="male" if n == 0 else "female",
            category=Category.THEORY,
            employer=employer,
            title=title,
            service_area="全省",
            bio=f"{employer}{title}，长期从事党的创新理论研究与宣讲。",
            topics=[{"title": "党的创新理论的江苏实践", "abstract": "结合江苏经济社会发展讲理论。"}],
        )
        for step in (Instructor.Status.UNDER_REVIEW, Instructor.Status.RESERVE):
            instructor_transition(instructor=reserve, actor=None, to_status=step, reason="演示数据：后备人才")
        reserves.append(reserve)

    warned = next((i for i, p in plan if 2.5 <= p[0] < 3.5), None)
    if warned is not None:
        DisciplineIncident.objects.create(
            instructor=warned,
            occurred_on=_lecture_days(year, 1, 3, last_day)[0],
            description="授课迟到二十分钟且未事先告知支部，经核实属实。",
            handling=DisciplineIncident.Handling.CRITICISM,
            recorded_by=admin,
        )

    # the lecture the secretary's branch had two weeks ago stays open for ``member``: a few others rated it
    delivered = ctx.extra.get("booking", {}).get("delivered")
    if delivered is not None:
        window = rating_window_open(booking_id=delivered.pk)
        if demo_member is not None:
            _present_at(delivered, demo_member, actor=ctx.users["secretary"])
        others = [
            m for m in members_by_branch.get(delivered.branch_id, []) if not (demo_member and m == demo_member.pk)
        ]
        Rating.objects.bulk_create(
            Rating(
                window=window,
                instructor_id=window.instructor_id,
                year=window.year,
                source=Rating.Source.MEMBER,
                member_id=member_id,
                content=s[0],
                delivery=s[1],
                practical=s[2],
                total=sum(s),
                comment=COMMENTS_GOOD[k % len(COMMENTS_GOOD)],
            )
            for k, member_id in enumerate(others[:5])
            for s in [_scores(rng, 4.5)]
        )

    # the notices about the seeded history would only bury the demo's live ones
    Notification.objects.filter(payload__booking_id__in=[b.pk for b in created]).delete()
    rating_summaries_refresh(year=year)
    if delivered is not None and year != timezone.localdate().year:
        rating_summaries_refresh(year=timezone.localdate().year)

    run = run_start(pool=province, year=year, actor=admin)
    run = run_compute(run_id=run.pk)
    ctx.extra["evaluation"] = {"year": year, "run": run, "low": low, "reserves": reserves}
    ctx.log(
        f"    {len(created)} delivered lectures of {len(plan)} instructors in {year}, {len(ratings)} ratings; "
        f"yearly evaluation of {province.name} awaiting confirmation"
    )


# --- scale ------------------------------------------------------------------------------------------

LECTURES_PER_BRANCH = 10
RATERS_PER_LECTURE = 10


@transaction.atomic
def scale(ctx, n: int) -> None:
    """A year of rated lectures for the scale branches, in bulk: ``LECTURES_PER_BRANCH`` delivered
    lectures each (instructors of the pools the branch may book from, never two the same day), each
    rated by ``RATERS_PER_LECTURE`` of the branch's members and by the branch — about 110 ratings a
    branch, so 2,000 branches give some 220,000 ratings over the province's 5,200 instructors."""
    branch_ids = list(getattr(ctx, "scale_branch_ids", []) or [])
    if not branch_ids:
        return
    rng = random.Random(n)
    today = timezone.localdate()
    year = demo_year(today)
    step = Organization.steplen
    by_path: dict[str, list[int]] = defaultdict(list)
    for pk, path in Instructor.objects.filter(status=Instructor.Status.APPOINTED, pool__is_active=True).values_list(
        "pk", "pool__organization__path"
    ):
        by_path[path].append(pk)
    members: dict[int, list[tuple[int, date]]] = defaultdict(list)
    for pk, branch_id, joined_on in Member.objects.filter(branch_id__in=branch_ids, left_on__isnull=True).values_list(
        "pk", "branch_id", "joined_on"
    ):
        members[branch_id].append((pk, joined_on))
    taken: dict[int, set[date]] = defaultdict(set)
    start, end = year_range(year)
    for instructor_id, starts_at in Booking.objects.filter(
        status__in=Booking.CONFIRMED, starts_at__gte=start, starts_at__lt=end
    ).values_list("instructor_id", "starts_at"):
        taken[instructor_id].add(timezone.localdate(starts_at))
    last = min(date(year, 12, 31), today - timedelta(days=conf.window_days() + 2))
    span = (last - date(year, 1, 1)).days
    bookings = []
    for branch_id, path in Organization.objects.filter(pk__in=branch_ids).values_list("pk", "path"):
        lineage = [path[: i * step] for i in range(1, len(path) // step + 1)]
        candidates = [pk for p in lineage for pk in by_path.get(p, [])]
        if not candidates:
            continue
        for _ in range(LECTURES_PER_BRANCH):
            instructor_id = rng.choice(candidates)
            for _attempt in range(20):
                day = _weekday(date(year, 1, 1) + timedelta(days=rng.randrange(max(span, 1))))
                if day <= last and day not in taken[instructor_id]:
                    break
            else:
                continue
            taken[instructor_id].add(day)
            starts_at, ends_at = _at(day, 14, 30), _at(day, 16, 30)
            bookings.append(
                Booking(
                    branch_id=branch_id,
                    instructor_id=instructor_id,
                    kind=Booking.Kind.DIRECT,
                    topic=rng.choice(TOPICS),
                    starts_at=starts_at,
                    ends_at=ends_at,
                    class_hours=2,
                    place="党群服务中心",
                    audience_size=30,
                    status=Booking.Status.DELIVERED,
                    delivered_at=ends_at,
                    created_at=starts_at - timedelta(days=14),
                )
            )
    created = Booking.objects.bulk_create(bookings, batch_size=2000)
    BookingStatusChange.objects.bulk_create(
        (BookingStatusChange(booking=b, from_status="", to_status=b.status) for b in created), batch_size=5000
    )
    windows = RatingWindow.objects.bulk_create(
        (
            RatingWindow(
                booking=b,
                instructor_id=b.instructor_id,
                branch_id=b.branch_id,
                lecture_date=lecture_date(b),
                year=year,
                opens_at=b.ends_at,
                closes_at=b.ends_at + timedelta(days=conf.window_days()),
            )
            for b in created
        ),
        batch_size=5000,
    )
    # a slightly different quality per instructor, so that the run has something to tell apart
    quality = {pk: rng.gauss(4.0, 0.45) for pk in {b.instructor_id for b in created}}
    batch: list[Rating] = []
    total = 0
    for window in windows:
        mean = quality[window.instructor_id]
        # only those who were members on the lecture's day
        pool = [pk for pk, joined_on in members.get(window.branch_id, []) if joined_on <= window.lecture_date]
        for member_id in [*rng.sample(pool, min(len(pool), RATERS_PER_LECTURE)), None]:
            content, delivery, practical = _scores(rng, mean)
            batch.append(
                Rating(
                    window=window,
                    instructor_id=window.instructor_id,
                    year=year,
                    source=Rating.Source.MEMBER if member_id else Rating.Source.BRANCH,
                    member_id=member_id,
                    content=content,
                    delivery=delivery,
                    practical=practical,
                    total=content + delivery + practical,
                    created_at=window.opens_at + timedelta(hours=1),
                )
            )
        if len(batch) >= 20000:
            Rating.objects.bulk_create(batch, batch_size=5000)
            total += len(batch)
            batch.clear()
    Rating.objects.bulk_create(batch, batch_size=5000)
    total += len(batch)
    counts: dict[int, int] = defaultdict(int)
    for b in created:
        counts[b.instructor_id] += 1
    for instructor in Instructor.objects.filter(pk__in=list(counts)).only("pk", "lecture_count"):
        instructor_lecture_count_set(instructor=instructor, count=instructor.lecture_count + counts[instructor.pk])
    ctx.log(f"    {len(created)} rated lectures in {year} for {len(branch_ids)} scale branches, {total} ratings")
