"""Activity-day supervision over a year, on the world of ``seed_demo --scale``.

Builds a scratch database (SQLite file by default, or DATABASE_URL for PostgreSQL), runs
``seed_demo --scale N`` (N branches of about 20 members, a year of activity days with attendance), marks
one leading cadre per branch, then times the supervision report for a county, a city and the province over
the year (and a city over one month), directly and through the API as the city admin, and counts the
queries of each: the count must be the same whatever the number of branches below.

    .venv/bin/python bench/supervision.py [--branches 2000] [--repeat 30]
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


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--branches", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL"):
        scratch = tempfile.mkdtemp(prefix="xf-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    if connection.vendor == "postgresql":
        name = connection.settings_dict["NAME"]
        connection.close()
        with connection.cursor() as c:
            c.execute(f"DROP DATABASE IF EXISTS {name}_supervisionbench")
            c.execute(f"CREATE DATABASE {name}_supervisionbench")
        connection.settings_dict["NAME"] = f"{name}_supervisionbench"
        connection.close()
    call_command("migrate", verbosity=0)

    from io import StringIO

    started = time.perf_counter()
    call_command("seed_demo", password="bench-only-password", stdout=StringIO())
    demo_s = time.perf_counter() - started
    started = time.perf_counter()
    out = StringIO()
    call_command("seed_demo", password="bench-only-password", scale=args.branches, stdout=out)
    scale_s = time.perf_counter() - started
    steps = [line.strip() for line in out.getvalue().splitlines() if "scale ·" in line]

    from django.db.models import Min
    from django.test import Client
    from django.utils import timezone

    from activity.models import Activity, Attendance
    from activity.selectors import supervision_report, units_under
    from members.models import Member
    from orgs.models import Organization, User

    # One leading cadre per branch, so that the cadre lists have rows to find (bench data only).
    first_members = Member.objects.values("branch").annotate(first=Min("id")).values("first")
    Member.objects.filter(pk__in=first_members).update(is_leading_cadre=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE")

    year = timezone.localdate().year
    province = Organization.objects.get(depth=1)
    city = Organization.objects.get(name="南京市")
    county = Organization.objects.get(name="江宁区", kind="county")
    cases = [
        ("county, year", county, None),
        ("city, year", city, None),
        ("city, this month", city, timezone.localdate().replace(day=1)),
        ("province, year", province, None),
    ]
    results = {}
    for label, org, month in cases:
        supervision_report(org=org, year=year, month=month)  # warm caches and the connection
        timings = []
        for _ in range(args.repeat):
            reset_queries()  # the log is a bounded deque, full after seeding: counts need it empty
            t = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                report = supervision_report(org=org, year=year, month=month)
            timings.append((time.perf_counter() - t) * 1000)
        results[label] = {
            "units": units_under(org).count(),
            "p50": statistics.median(timings),
            "p95": _percentile(timings, 95),
            "queries": len(queries.captured_queries),
            "held": report.totals.held,
        }

    client = Client()
    client.force_login(User.objects.get(username="nanjing_admin"))
    client.get(f"/api/v1/activity-supervision/?org={city.pk}&year={year}")
    api_timings = []
    for _ in range(args.repeat):
        reset_queries()
        t = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/activity-supervision/?org={city.pk}&year={year}")
        api_timings.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200
    api_queries = len(queries.captured_queries)
    page = client.get(f"/activity/supervision/?org={city.pk}&year={year}")
    assert page.status_code == 200

    activities = Activity.objects.count()
    attendance = Attendance.objects.count()
    print(
        f"database: {connection.vendor}; branches: {Organization.objects.filter(kind='branch').count():,}; "
        f"activities: {activities:,}; attendance rows: {attendance:,}; members: {Member.objects.count():,}"
    )
    print(f"seed_demo: {demo_s:.1f} s; seed_demo --scale {args.branches}: {scale_s:.1f} s")
    for line in steps:
        print(f"  {line}")
    print(f"{'supervision':<22}{'branches':>10}{'p50 ms':>10}{'p95 ms':>10}{'queries':>10}{'held':>10}")
    for label, r in results.items():
        print(f"{label:<22}{r['units']:>10,}{r['p50']:>10.1f}{r['p95']:>10.1f}{r['queries']:>10}{r['held']:>10,}")
    print(
        f"{'API city, year':<22}{results['city, year']['units']:>10,}{statistics.median(api_timings):>10.1f}"
        f"{_percentile(api_timings, 95):>10.1f}{api_queries:>10}"
    )
    counts = {results[k]["queries"] for k in ("county, year", "city, year", "province, year")}
    same = len(counts) == 1 and 0 not in counts
    print(f"query count the same for a county, a city and the province: {'yes' if same else 'NO'}")
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "branches": args.branches,
                "attendance_rows": attendance,
                "seed_scale_s": round(scale_s, 1),
                "city_year_p50_ms": round(results["city, year"]["p50"], 1),
                "city_year_p95_ms": round(results["city, year"]["p95"], 1),
                "city_year_api_p95_ms": round(_percentile(api_timings, 95), 1),
                "province_year_p95_ms": round(results["province, year"]["p95"], 1),
                "city_year_queries": results["city, year"]["queries"],
                "province_year_queries": results["province, year"]["queries"],
                "api_queries": api_queries,
            }
        )
    )


if __name__ == "__main__":
    main()
