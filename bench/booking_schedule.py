"""Booking at province scale: every pool filled (about 5,200 instructors), 1,000 branches with three
bookings each, weekly windows and blocked dates for many instructors.

Times what the recommender asks booking for every request (availability and load of all 5,200
instructors on a date, with the number of queries), the scoped booking lists of the API, and a
request + accept round trip through the services (with the instructor's lock and every schedule check).

    .venv/bin/python bench/booking_schedule.py [--repeat 30] [--branches 1000]
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--branches", type=int, default=1000)
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL"):
        scratch = tempfile.mkdtemp(prefix="xf-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    if connection.vendor == "postgresql":
        name = connection.settings_dict["NAME"]
        connection.close()
        with connection.cursor() as c:
            c.execute(f"DROP DATABASE IF EXISTS {name}_bookingbench")
            c.execute(f"CREATE DATABASE {name}_bookingbench")
        connection.settings_dict["NAME"] = f"{name}_bookingbench"
        connection.close()
    call_command("migrate", verbosity=0)

    import logging

    logging.disable(logging.INFO)
    from datetime import datetime, timedelta
    from datetime import time as clock

    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from booking import seed as booking_seed
    from booking.models import BlockedPeriod, Booking, WeeklyAvailability
    from booking.selectors import load_around, unavailable_on
    from booking.services import booking_accept, booking_create
    from orgs import seed as orgs_seed
    from orgs.models import Organization, Role
    from orgs.services import role_grant, user_create
    from pool import seed as pool_seed
    from pool.models import Instructor
    from pool.services import instructor_link_user

    class Ctx:
        scale_branch_ids: list = []

        def log(self, message):
            pass

    ctx = Ctx()
    started = time.perf_counter()
    with transaction.atomic():
        orgs_seed.build_divisions()
        pool_seed.ensure_pools(counties="all")
        pool_seed.scale(ctx, 0)
        orgs_seed.scale(ctx, args.branches)
        booking_seed.scale(ctx, args.branches)
        ids = list(Instructor.objects.filter(status=Instructor.Status.APPOINTED).values_list("pk", flat=True))
        WeeklyAvailability.objects.bulk_create(
            WeeklyAvailability(instructor_id=pk, weekday=d, starts=clock(9), ends=clock(17))
            for pk in ids[::2]
            for d in range(5)
        )
        today = timezone.localdate()
        BlockedPeriod.objects.bulk_create(
            BlockedPeriod(instructor_id=pk, first_day=today + timedelta(days=20), last_day=today + timedelta(days=26))
            for pk in ids[::7]
        )
    build_s = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE")

    def timed(fn):
        fn()
        samples = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - t) * 1000)
        samples.sort()
        return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]

    def queries(fn) -> int:
        with CaptureQueriesContext(connection) as captured:
            fn()
        return len(captured.captured_queries)

    day = today + timedelta(days=3)
    while day.weekday() >= 5:
        day += timedelta(days=1)

    county = Organization.objects.filter(kind=Organization.Kind.COUNTY, name="江宁区").first()
    branch = Organization.objects.filter(pk__in=ctx.scale_branch_ids, path__startswith=county.path).first()
    admin = user_create(username="bench_admin", password=None)
    role_grant(user=admin, role=Role.ORG_ADMIN, organization=county)
    secretary = user_create(username="bench_secretary", password=None)
    role_grant(user=secretary, role=Role.SECRETARY, organization=branch)
    teacher = (
        Instructor.objects.filter(
            status=Instructor.Status.APPOINTED, pool__organization__path__in=branch.ancestor_paths()
        )
        .exclude(pk__in=WeeklyAvailability.objects.values("instructor_id"))
        .first()
    )
    teacher.monthly_limit = 31
    teacher.save(update_fields=["monthly_limit"])
    teacher = instructor_link_user(
        instructor=teacher, actor=None, user=user_create(username="bench_teacher", password=None)
    )

    def client_of(user) -> Client:
        token, _created = Token.objects.get_or_create(user=user)
        return Client(HTTP_AUTHORIZATION=f"Token {token.key}")

    admin_client, secretary_client, teacher_client = client_of(admin), client_of(secretary), client_of(teacher.user)

    def ok(response):
        assert response.status_code == 200, response.status_code
        return response

    slot = iter(range(10_000))

    def request_and_accept():
        n = next(slot)
        lecture_day = today + timedelta(days=40 + n // 4)
        start = datetime.combine(lecture_day, clock(8 + 3 * (n % 4)), timezone.get_current_timezone())
        booking = booking_create(
            actor=secretary,
            branch=branch,
            instructor=teacher,
            topic="基准测试党课",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            class_hours=2,
            place="会议室",
            audience_size=30,
        )
        booking_accept(booking=booking, actor=teacher.user)

    availability_queries = queries(lambda: unavailable_on(ids, day))
    load_queries = queries(lambda: load_around(ids, day))
    cases = {
        f"availability, {len(ids)} ids": lambda: unavailable_on(ids, day),
        f"load, {len(ids)} ids": lambda: load_around(ids, day),
        "api list, county admin": lambda: ok(admin_client.get("/api/v1/bookings/")),
        "api list, secretary": lambda: ok(secretary_client.get("/api/v1/bookings/")),
        "api list, instructor": lambda: ok(teacher_client.get("/api/v1/bookings/")),
        "request + accept": request_and_accept,
    }
    results = {name: timed(fn) for name, fn in cases.items()}
    unavailable = len(unavailable_on(ids, day))

    print(
        f"bookings: {Booking.objects.count():,} for {len(ctx.scale_branch_ids):,} branches; "
        f"instructors: {len(ids):,} ({connection.vendor}), built in {build_s:.1f} s"
    )
    print(
        f"availability on {day}: {unavailable:,} unavailable, {availability_queries} query; load: {load_queries} query"
    )
    print(f"{'operation':<28}{'p50 ms':>10}{'p95 ms':>10}")
    for name, (p50, p95) in results.items():
        print(f"{name:<28}{p50:>10.2f}{p95:>10.2f}")
    figures = {
        "bookings": Booking.objects.count(),
        "instructors": len(ids),
        "availability_queries": availability_queries,
        "load_queries": load_queries,
    }
    for name, (p50, p95) in results.items():
        key = name.split(",")[0].replace(" + ", "_").replace(" ", "_")
        if name.startswith("api list"):
            key = name.replace(", ", "_").replace(" ", "_")
        figures[f"{key}_p50_ms"] = round(p50, 2)
        figures[f"{key}_p95_ms"] = round(p95, 2)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
