"""为我推荐 over 5,000 instructors: index build time and size, and the latency of one need.

Builds the province in a scratch database (SQLite file by default, or DATABASE_URL), fills the pools
with synthetic instructors through the real import (``pool.seed.synthetic_instructors``), gives a third
of them ratings, registers in-memory availability and load providers (booking's real ones add their
own queries on top), then measures with the 40 dev-set needs (the per-need analysis cache cleared
before every call, so each need is analysed afresh):

- index: cold build (jieba and the lexicon already loaded), size of its matrices, the update after one
  instructor's topic changed (stamp bump, change log, re-analysis of that instructor only), and the
  per-request stamp check;
- in-process: the topic fit of every instructor (``TopicIndex.assess``), and the whole selector
  ``instructor_recommend`` (pools, stamps, ratings, providers, ten explanations) for a branch with a
  date and without a branch;
- over HTTP: ``GET /api/v1/instructors/recommend/`` through Django's test client (the full middleware
  stack and token authentication, no socket) and through a gunicorn worker on loopback (real HTTP).

    .venv/bin/python bench/recommend.py [--instructors 5000] [--repeat 3] [--no-gunicorn]
"""

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, round(0.95 * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--instructors", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3, help="rounds over the 40 needs")
    parser.add_argument("--no-gunicorn", action="store_true", help="skip the loopback HTTP measurement")
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL"):
        scratch = tempfile.mkdtemp(prefix="xf-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DJANGO_DEBUG"] = "0"  # no query log: measure what production runs
    import django

    django.setup()
    import logging

    from django.core.management import call_command
    from django.db import connection, transaction

    if connection.vendor == "postgresql":
        name = connection.settings_dict["NAME"]
        connection.close()
        with connection.cursor() as c:
            c.execute(f"DROP DATABASE IF EXISTS {name}_recbench")
            c.execute(f"CREATE DATABASE {name}_recbench")
        connection.settings_dict["NAME"] = f"{name}_recbench"
        os.environ["DATABASE_URL"] = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{name}_recbench"
        connection.close()
    call_command("migrate", verbosity=0)
    logging.disable(logging.INFO)

    from django.test import Client
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from orgs.models import Organization, Role
    from orgs.seed import build_divisions
    from orgs.services import org_create, role_grant, user_create
    from pool.models import Instructor, RatingSummary
    from pool.recommender.dataset import DEV_SET, load_devset
    from pool.recommender.index import TopicIndex
    from pool.recommender.live import LIVE
    from pool.recommender.ranking import instructor_recommend
    from pool.registry import register_availability_provider, register_load_provider
    from pool.seed import ensure_pools, synthetic_instructors
    from pool.services import topic_create

    started = time.perf_counter()
    with transaction.atomic():
        divisions = build_divisions()
        ensure_pools(counties="all")
        committee = org_create(
            parent=divisions["南京市/江宁区"], name="东山街道党工委", kind=Organization.Kind.COMMITTEE
        )
        branch = org_create(parent=committee, name="佳湖社区党支部", kind=Organization.Kind.BRANCH)
    ids = synthetic_instructors(count=args.instructors)
    year = timezone.localdate().year
    RatingSummary.objects.bulk_create(
        RatingSummary(instructor_id=pk, year=year, count=3 + pk % 17, mean=3.6 + (pk % 13) / 10, shrunk_score=4)
        for pk in ids[::3]
    )
    fill_s = time.perf_counter() - started
    secretary = user_create(username="bench_secretary", password="bench12345")
    role_grant(user=secretary, role=Role.SECRETARY, organization=branch)
    token = Token.objects.create(user=secretary).key

    blocked = set(ids[::10])
    busy = {pk: 1 + pk % 4 for pk in ids[::5]}
    register_availability_provider(lambda pks, day: {pk: "已有讲座" for pk in pks if pk in blocked})
    register_load_provider(lambda pks, day: {pk: busy[pk] for pk in pks if pk in busy})

    needs = list(load_devset(DEV_SET).queries.values())
    day = timezone.localdate() + timedelta(days=10)

    # --- index -------------------------------------------------------------------------------------
    t = time.perf_counter()
    TopicIndex.build([])  # loads jieba's dictionary and the lexicon, once per process
    startup_s = time.perf_counter() - t
    LIVE.reset()
    t = time.perf_counter()
    snap = LIVE.current()
    build_s = time.perf_counter() - t
    size_mib = snap.index.size_bytes() / 2**20
    check = []
    for _ in range(50):
        t = time.perf_counter()
        assert LIVE.current() is snap
        check.append((time.perf_counter() - t) * 1000)
    someone = Instructor.objects.get(pk=ids[0])
    topic_create(instructor=someone, actor=None, title="农村宅基地纠纷化解")  # signal → version bump on commit
    t = time.perf_counter()
    updated = LIVE.current()
    update_s = time.perf_counter() - t
    assert updated.full_build is False and updated.version == snap.version + 1

    # --- latency -----------------------------------------------------------------------------------
    def timed(call) -> tuple[float, float]:
        for need in needs[:5]:
            call(need)  # warm-up
        samples = []
        for _ in range(args.repeat):
            for need in needs:
                LIVE.peek().index._analyse.cache_clear()
                t = time.perf_counter()
                call(need)
                samples.append((time.perf_counter() - t) * 1000)
        return percentiles(samples)

    client = Client(HTTP_AUTHORIZATION=f"Token {token}")

    def via_client(need):
        response = client.get(
            "/api/v1/instructors/recommend/", {"q": need, "branch": branch.pk, "date": day.isoformat()}
        )
        assert response.status_code == 200, response.status_code

    results = {
        "topic fit of all (assess)": timed(lambda need: LIVE.peek().index.assess(need)),
        "recommend, branch + date": timed(
            lambda need: instructor_recommend(actor=secretary, need=need, branch=branch, day=day)
        ),
        "recommend, no branch": timed(lambda need: instructor_recommend(actor=secretary, need=need)),
        "HTTP, Django test client": timed(via_client),
    }
    if not args.no_gunicorn:
        results["HTTP, gunicorn on loopback"] = gunicorn_latency(needs, token, branch.pk, day, args.repeat)

    total = Instructor.objects.filter(status=Instructor.Status.APPOINTED).count()
    print(f"instructors: {total:,} active ({connection.vendor}), filled in {fill_s:.0f} s")
    print(f"jieba + lexicon load     {startup_s:6.2f} s  (once per process)")
    print(f"index build              {build_s:6.2f} s  (full, from the database)")
    print(f"index update, 1 changed  {update_s:6.2f} s  (stamp bump seen, one instructor re-analysed)")
    print(f"index size               {size_mib:6.1f} MiB (sparse matrices and idf)")
    print(f"stamp check per request  {statistics.median(check):6.2f} ms (p50; the version row)")
    print(f"{'latency of one need':<32}{'p50 ms':>9}{'p95 ms':>9}")
    for name, (p50, p95) in results.items():
        print(f"{name:<32}{p50:>9.2f}{p95:>9.2f}")
    figures = {
        "instructors": total,
        "index_build_s": round(build_s, 2),
        "index_update_s": round(update_s, 3),
        "index_size_mib": round(size_mib, 1),
        "startup_s": round(startup_s, 2),
        "stamp_check_ms": round(statistics.median(check), 2),
    }
    keys = {
        "topic fit of all (assess)": "assess",
        "recommend, branch + date": "inprocess_branch_date",
        "recommend, no branch": "inprocess_all",
        "HTTP, Django test client": "http_testclient",
        "HTTP, gunicorn on loopback": "http_gunicorn",
    }
    for name, (p50, p95) in results.items():
        figures[f"{keys[name]}_p50_ms"] = round(p50, 2)
        figures[f"{keys[name]}_p95_ms"] = round(p95, 2)
    print(json.dumps(figures, ensure_ascii=False))


def gunicorn_latency(needs, token, branch_id, day, repeat) -> tuple[float, float]:
    """One gunicorn sync worker on 127.0.0.1 against the same database; its index is built by the
    first (warm-up) request, as in production."""
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", "DJANGO_DEBUG": "0"}
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        [*command, "--workers", "1", "--timeout", "120", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    try:

        def get(need: str) -> None:
            query = urllib.parse.urlencode({"q": need, "branch": branch_id, "date": day.isoformat()})
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/v1/instructors/recommend/?{query}",
                headers={"Authorization": f"Token {token}"},
            )
            with urllib.request.urlopen(request, timeout=120) as response:
                assert response.status == 200
                response.read()

        for _ in range(100):  # wait for the socket
            try:
                get(needs[0])
                break
            except OSError:
                time.sleep(0.2)
        for need in needs[:5]:
            get(need)
        samples = []
        for _ in range(repeat):
            for n, need in enumerate(needs):
                # a need the worker has not analysed yet (its cache is per process)
                variant = f"{need}{'。' * (n % 3)}{_ + 1}"
                t = time.perf_counter()
                get(variant)
                samples.append((time.perf_counter() - t) * 1000)
        return percentiles(samples)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
