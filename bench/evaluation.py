"""The yearly evaluation at province scale: about 5,200 instructors and 200,000 ratings.

Builds the province (every pool filled: about 5,200 instructors), ``--branches`` scale branches of about
20 members each and a year of rated lectures (``evaluation.seed.scale``: ten lectures a branch, each
rated by ten members and the branch — 2,000 branches give about 220,000 ratings). Then times:

1. every pool's yearly run, as each department would start it (the Celery task in eager mode: read
   the ratings, classify, write every rated instructor's summary into the pool, write the proposals);
2. one run over every instructor at once (all of them moved into one pool): the whole province's
   ratings in a single run;
3. confirming the largest pool's run (removals through the pool's state machine, cancellations,
   promotions, a new roster version) and rating a lecture through the service.

    .venv/bin/python bench/evaluation.py [--branches 2000]

Prints a table, then one JSON line of the figures. Without DATABASE_URL it runs on a scratch SQLite file;
with a PostgreSQL DATABASE_URL it works in a database ``<name>_evalbench`` that it creates and drops.
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
    parser.add_argument("--branches", type=int, default=2000)
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL"):
        scratch = tempfile.mkdtemp(prefix="xf-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.pop("CELERY_BROKER_URL", None)  # the task runs eagerly: the figure is the computation's own
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    scratch_db = None
    if connection.vendor == "postgresql":
        name = connection.settings_dict["NAME"]
        scratch_db = (name, f"{name}_evalbench")
        connection.close()
        with connection.cursor() as c:
            c.execute(f"DROP DATABASE IF EXISTS {name}_evalbench")
            c.execute(f"CREATE DATABASE {name}_evalbench")
        connection.settings_dict["NAME"] = f"{name}_evalbench"
        connection.close()
    call_command("migrate", verbosity=0)

    import logging
    from datetime import timedelta

    logging.disable(logging.WARNING)
    from django.db.models import Count
    from django.utils import timezone

    from evaluation import seed as evaluation_seed
    from evaluation import services
    from evaluation.models import EvaluationRun, Outcome, Rating, RatingWindow
    from members import seed as members_seed
    from members.models import Member
    from orgs import seed as orgs_seed
    from orgs.models import Organization
    from orgs.services import org_create, user_create
    from pool import seed as pool_seed
    from pool.models import Instructor, Pool
    from pool.services import pool_create

    class Ctx:
        scale_branch_ids: list = []
        extra: dict = {}

        def log(self, message):
            pass

    ctx = Ctx()
    started = time.perf_counter()
    with transaction.atomic():
        orgs_seed.build_divisions()
        pool_seed.ensure_pools(counties="all")
        pool_seed.scale(ctx, 0)
        orgs_seed.scale(ctx, args.branches)
    members_seed.scale(ctx, args.branches)
    evaluation_seed.scale(ctx, args.branches)
    build_s = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE")

    year = evaluation_seed.demo_year(timezone.localdate())
    instructors = Instructor.objects.filter(status=Instructor.Status.APPOINTED).count()
    ratings = Rating.objects.filter(year=year).count()
    lectures = RatingWindow.objects.filter(year=year).count()

    def run_once(pool) -> tuple[float, int, EvaluationRun]:
        counted = [0]

        def count(execute, sql, params, many, context):
            counted[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            t = time.perf_counter()
            run = services.run_start(pool=pool, year=year, actor=None)  # eager: computed on commit
            elapsed = time.perf_counter() - t
        return elapsed, counted[0], EvaluationRun.objects.get(pk=run.pk)

    # 1. every department runs its own pool's evaluation
    pools = list(
        Pool.objects.annotate(n=Count("instructors"))
        .filter(n__gt=0)
        .order_by("-n", "pk")
        .select_related("organization")
    )
    per_pool = []
    t_all = time.perf_counter()
    for pool in pools:
        elapsed, queries, run = run_once(pool)
        assert run.status == "proposed", (run.status, run.error)
        per_pool.append((pool, elapsed, queries, run))
    all_pools_s = time.perf_counter() - t_all
    _pool, largest_s, largest_queries, largest_run = per_pool[0]
    times_ms = sorted(e * 1000 for _p, e, _q, _r in per_pool)

    # 3a. the largest pool's admin confirms (before phase 2 moves everyone)
    services.proposals_accept_all(run=largest_run, actor=None)
    t = time.perf_counter()
    confirmed = services.run_confirm(run=largest_run, actor=None)
    confirm_s = time.perf_counter() - t
    removed = confirmed.proposals.filter(decision=Outcome.REMOVE).count()

    # 3b. one rating through the service (eligibility, window lock, the instructor's summary)
    samples = []
    windows = list(RatingWindow.objects.filter(year=year).select_related("booking").order_by("pk")[:20])
    users = []
    now = timezone.now()
    for n, window in enumerate(windows):
        window.opens_at, window.closes_at = now - timedelta(hours=1), now + timedelta(days=1)
        window.save(update_fields=["opens_at", "closes_at"])
        unrated = (
            Member.objects.filter(
                branch_id=window.branch_id, left_on__isnull=True, user__isnull=True, joined_on__lte=window.lecture_date
            )
            .exclude(lecture_ratings__window=window)
            .first()
        )
        user = user_create(username=f"bench_member_{n}", password=None)
        Member.objects.filter(pk=unrated.pk).update(user=user)
        users.append((window, user))
    for window, user in users:
        t = time.perf_counter()
        services.rating_submit(booking=window.booking, actor=user, content=4, delivery=5, practical=4)
        samples.append((time.perf_counter() - t) * 1000)

    # 2. one run over every instructor: all moved into one pool
    province = Organization.objects.get(depth=1)
    unit = org_create(parent=province, name="基准测试单位", kind=Organization.Kind.UNIT)
    big = pool_create(organization=unit, actor=None, quota_min=0, quota_max=100_000)
    Instructor.objects.update(pool=big)
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE")
    big_instructors = big.instructors.filter(status=Instructor.Status.APPOINTED).count()
    one_run_s, one_run_queries, one_run = run_once(big)
    assert one_run.status == "proposed", (one_run.status, one_run.error)
    proposals = dict(one_run.proposals.values_list("proposed").annotate(n=Count("pk")).order_by())

    print(
        f"{connection.vendor}: {instructors:,} active instructors in {len(pools)} pools, {lectures:,} rated lectures, "
        f"{ratings:,} ratings in {year}; built in {build_s:.1f} s"
    )
    print(f"{'step':<52}{'seconds':>10}{'queries':>10}")
    print(f"{'every pool its own run (' + str(len(pools)) + ' runs), total':<52}{all_pools_s:>10.2f}{'':>10}")
    print(
        f"{'  largest pool (' + str(largest_run.proposals.count()) + ' instructors)':<52}"
        f"{largest_s:>10.2f}{largest_queries:>10}"
    )
    print(f"{'  median run':<52}{statistics.median(times_ms) / 1000:>10.2f}")
    print(f"{'one run over ' + str(big_instructors) + ' instructors':<52}{one_run_s:>10.2f}{one_run_queries:>10}")
    print(f"{'confirm the largest pool (' + str(removed) + ' removed)':<52}{confirm_s:>10.2f}")
    print(f"{'one rating (median of ' + str(len(samples)) + ')':<52}{statistics.median(samples) / 1000:>10.4f}")
    print(f"proposals of the one big run: {json.dumps(proposals, ensure_ascii=False)}")
    figures = {
        "database": connection.vendor,
        "instructors": instructors,
        "ratings": ratings,
        "pools": len(pools),
        "all_pool_runs_s": round(all_pools_s, 2),
        "largest_pool_run_s": round(largest_s, 2),
        "median_pool_run_s": round(statistics.median(times_ms) / 1000, 3),
        "one_run_instructors": big_instructors,
        "one_run_s": round(one_run_s, 2),
        "one_run_queries": one_run_queries,
        "confirm_largest_s": round(confirm_s, 2),
        "rating_submit_p50_ms": round(statistics.median(samples), 1),
        "build_s": round(build_s, 1),
    }
    if scratch_db is not None:  # leave the server as we found it
        connection.close()
        connection.settings_dict["NAME"] = scratch_db[0]
        with connection.cursor() as c:
            c.execute(f"DROP DATABASE IF EXISTS {scratch_db[1]}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
