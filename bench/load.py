"""Load test: gunicorn + PostgreSQL + Redis on loopback, 20 concurrent users, on ``seed_demo --scale``.

What it does, in one run:

1. builds the database ``loadbench`` (DATABASE_URL to change it): migrate, ``seed_demo``,
   ``seed_demo --scale N``, ANALYZE; with ``--reuse`` an existing database with the same scale is kept;
2. adds the bench's accounts through the services (``seed_demo --scale`` makes none): per virtual user a
   secretary of one scale branch and a log-in for one instructor of that branch's county pool (distinct
   pairs, so bookings never clash), plus API tokens for them and for the demo admins;
3. starts gunicorn (``config.wsgi``, production settings, 127.0.0.1 only) and one Celery worker, and
   warms every web process up (its recommender index is built by its first recommendation);
4. drives it with locust (as a library, in a child process) from 127.0.0.1:

   - **mixed** phase: ``--users`` users, each repeatedly picking one task at random by weight and
     pausing ``--think`` seconds on average (uniformly half to one and a half times that) between
     tasks, as people at a screen do: the trivial endpoint (``GET /api/v1/health/``, one ``SELECT 1``), roster search
     (``GET /api/v1/instructors/?q=…`` with level/category filters), recommend
     (``GET /api/v1/instructors/recommend/?q=…&k=10&branch=…&date=…``), booking create + accept
     (the secretary ``POST /api/v1/bookings/`` on a date the instructor is free, then the instructor
     ``POST /api/v1/bookings/<id>/accept/``), supervision (``GET /api/v1/activity-supervision/`` as the
     province, Nanjing or Jiangning admin, year to date). The latency target (p95 < 300 ms, no
     errors) is read here;
   - **capacity** phases: each task alone, ``--users`` users, no think time (every user sends its next
     request as soon as the last one is answered), ``--capacity-seconds`` each. In the mixed phase
     each task's request rate is set by the mix weights and the think time, not by the server, so the
     throughput target (each endpoint at least 25% of the trivial endpoint's req/s) is read here;
     p95 at saturation is printed too (with 20 users always waiting it is about 20 / req/s);

5. prints a table per phase with PASS/MISS per target and, as its last line, one JSON object of the
   figures; stops gunicorn and the worker in any case (Ctrl-C too). Every non-2xx answer is an error.

    .venv/bin/python bench/load.py [--scale 2000] [--users 20] [--think 1] [--duration 60]
                                   [--capacity-seconds 20] [--workers 4] [--threads 1] [--reuse] [--no-worker]
                                   [--no-response-cache]

Needs PostgreSQL on 127.0.0.1:5432 (user postgres) and Redis (db 4 by default: REDIS_URL).
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"

P95_TARGET_MS = 300
RATIO_TARGET = 0.25
# name in the report → label; "trivial" is the yardstick of the throughput ratio
ENDPOINTS = {
    "trivial": "GET /api/v1/health/",
    "roster": "GET /api/v1/instructors/?q=",
    "recommend": "GET /api/v1/instructors/recommend/",
    "booking_create": "POST /api/v1/bookings/",
    "booking_accept": "POST /api/v1/bookings/<id>/accept/",
    "supervision": "GET /api/v1/activity-supervision/",
}
# task → weight in the mixed phase, and the request names it makes
TASKS = {"trivial": 2, "roster": 3, "recommend": 2, "booking": 1, "supervision": 1}
REQUESTS_OF = {"booking": ["booking_create", "booking_accept"]}

ROSTER_QUERIES = [
    "乡村振兴",
    "党史",
    "基层治理",
    "党章",
    "先进事迹",
    "国企改革",
    "长三角一体化",
    "传统文化",
    "民营经济",
    "党内法规",
    "科技成果转化",
    "联系服务群众",
    "王",
    "张",
    "医护",
    "社区",
]
ROSTER_FILTERS = [{}, {"level": "county"}, {"level": "city"}, {"category": "theory"}, {"category": "models"}]
NEEDS = [
    "村里想请人讲讲乡村振兴和农村集体经济怎么发展",
    "给社区党员上一堂党史学习教育专题党课",
    "企业党支部想了解国企改革三年行动",
    "基层治理和网格化管理的经验",
    "老党员想听英雄模范的先进事迹报告",
    "学习新修订的纪律处分条例",
    "长三角一体化对我们县的发展机遇",
    "传统文化和家风家训教育",
    "如何做好流动党员教育管理",
    "民营企业党建工作怎么抓",
    "安全生产和应急管理知识",
    "科技创新和成果转化的政策解读",
]


# --------------------------------------------------------------------------------------------------
# the environment of every process the bench starts


def bench_env(args) -> dict[str, str]:
    """Production settings on loopback. Bench-only keys: the database is a throwaway world."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/loadbench"),
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="load-bench-only-secret-key-0000000000000000000000000000000",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_DEBUG="false",
        DJANGO_LOG_LEVEL="WARNING",
        # fixed so that --reuse can read what an earlier run encrypted
        FIELD_ENCRYPTION_KEYS="bG9hZC1iZW5jaC1vbmx5LWtleS1kby1ub3QtdXNlLTA=",
        FIELD_HASH_KEY="load-bench-only-hash-key",
        CACHE_URL=args.redis_url,
        RESPONSE_CACHE="false" if args.no_response_cache else "true",
        CELERY_BROKER_URL=args.redis_url,
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DJANGO_STATIC_ROOT=str(Path(tempfile.gettempdir()) / "xf-loadbench-static"),
        PYTHONUNBUFFERED="1",
    )
    return env


# --------------------------------------------------------------------------------------------------
# setup (child process with Django): database, seed, accounts, tokens


def setup(args) -> None:
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from io import StringIO

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if name == "test":
        raise SystemExit("bench/load.py never uses the database named test")
    timings = {}
    reused = args.reuse and _existing_scale(connection) == args.scale
    if not reused:
        _recreate(connection, name)
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("seed_demo", password="demo12345", stdout=StringIO())
        timings["seed_demo_s"] = time.perf_counter() - started
        started = time.perf_counter()
        call_command("seed_demo", password="demo12345", scale=args.scale, stdout=StringIO())
        timings["seed_scale_s"] = time.perf_counter() - started
    else:
        call_command("migrate", verbosity=0)
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():  # kept between runs (compressing is slow)
        call_command("collectstatic", interactive=False, verbosity=0)
    accounts = _accounts(args.users)
    with connection.cursor() as c:
        c.execute("ANALYZE")
    world = _world_size()
    print(json.dumps({"reused": reused, "timings": timings, "world": world, "accounts": accounts}))


def _existing_scale(connection) -> int | None:
    from django.db import DatabaseError

    try:
        from orgs.models import Organization

        return Organization.objects.filter(kind=Organization.Kind.BRANCH, parent__name__contains="规模测试党委").count()
    except DatabaseError:
        connection.close()
        return None


def _recreate(connection, name: str) -> None:
    from django.db import connections

    connection.close()
    with connections["default"]._nodb_cursor() as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def _accounts(users: int) -> dict:
    """The bench's log-ins (created once, kept with --reuse) and the first free day of each pair."""
    from datetime import timedelta

    from django.db import transaction
    from django.db.models import Max
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from booking.models import Booking
    from orgs.models import Organization, Role, User
    from orgs.services import role_grant, user_create
    from pool.models import Instructor
    from pool.services import instructor_link_user

    branches = list(
        Organization.objects.filter(kind=Organization.Kind.BRANCH, parent__name__contains="规模测试党委")
        .order_by("path")
        .values_list("pk", "path", "full_name")
    )
    if len(branches) < users:
        raise SystemExit(f"--scale gives {len(branches)} branches; --users {users} needs one each")
    step = Organization.steplen
    picked = [branches[round(i * (len(branches) - 1) / max(1, users - 1))] for i in range(users)]
    today = timezone.localdate()
    pairs = []
    used: set[int] = set()
    with transaction.atomic():
        for i, (branch_id, path, branch_name) in enumerate(picked):
            secretary = User.objects.filter(username=f"load_secretary_{i}").first()
            if secretary is None:
                secretary = user_create(
                    username=f"load_secretary_{i}", password="demo12345", full_name=f"压测书记{i}", validate=False
                )
                role_grant(user=secretary, role=Role.SECRETARY, organization=Organization.objects.get(pk=branch_id))
            teacher = User.objects.filter(username=f"load_instructor_{i}").first()
            instructor = Instructor.objects.filter(user=teacher).first() if teacher else None
            if instructor is None:
                county_path = path[: 3 * step]  # province / city / county
                instructor = (
                    Instructor.objects.filter(
                        status=Instructor.Status.APPOINTED,
                        pool__is_active=True,
                        pool__organization__path=county_path,
                        user__isnull=True,
                    )
                    .exclude(pk__in=used)
                    .order_by("pk")
                    .first()
                )
                if instructor is None:
                    raise SystemExit(f"no free instructor in the county pool of {branch_name}")
                teacher = teacher or user_create(
                    username=f"load_instructor_{i}", password="demo12345", full_name=instructor.name, validate=False
                )
                instructor_link_user(instructor=instructor, actor=None, user=teacher)
            used.add(instructor.pk)
            # bookings go to months after any lecture the instructor has, ``monthly_limit`` a month
            last = Booking.objects.filter(instructor=instructor).aggregate(last=Max("starts_at"))["last"]
            after = max(today, timezone.localtime(last).date() if last else today)
            first_month = (after.replace(day=1) + timedelta(days=32)).replace(day=1)
            pairs.append(
                {
                    "branch": branch_id,
                    "instructor": instructor.pk,
                    "secretary_token": Token.objects.get_or_create(user=secretary)[0].key,
                    "instructor_token": Token.objects.get_or_create(user=teacher)[0].key,
                    "first_month": first_month.isoformat(),
                    "monthly_limit": min(28, instructor.monthly_limit),  # one lecture a day at most
                }
            )
        admins = {}
        for username in ("province_admin", "nanjing_admin", "jiangning_admin"):
            admins[username] = Token.objects.get_or_create(user=User.objects.get(username=username))[0].key
    return {"pairs": pairs, "admins": admins, "year": today.year}


def _world_size() -> dict:
    from activity.models import Activity, Attendance
    from booking.models import Booking
    from members.models import Member
    from orgs.models import Organization
    from pool.models import Instructor

    return {
        "organizations": Organization.objects.count(),
        "branches": Organization.objects.filter(kind=Organization.Kind.BRANCH).count(),
        "members": Member.objects.count(),
        "instructors": Instructor.objects.filter(status=Instructor.Status.APPOINTED).count(),
        "bookings": Booking.objects.count(),
        "activities": Activity.objects.count(),
        "attendance_rows": Attendance.objects.count(),
    }


# --------------------------------------------------------------------------------------------------
# the load (child process with locust and gevent; no Django)


def drive(config_path: str, out_path: str) -> None:
    import random
    from datetime import date, timedelta
    from itertools import count

    import gevent
    from locust import FastHttpUser, between, constant
    from locust.env import Environment

    config = json.loads(Path(config_path).read_text())
    pairs = config["pairs"]
    admins = list(config["admins"].values())
    booked = [0] * len(pairs)  # bookings made so far by each pair

    def lecture_day(pair_no: int) -> date:
        """The pair's next free day: ``monthly_limit`` lectures a month on distinct days, from first_month."""
        n, pair = booked[pair_no], pairs[pair_no]
        booked[pair_no] += 1
        months, k = divmod(n, pair["monthly_limit"])
        first = date.fromisoformat(pair["first_month"])
        y, m = divmod(first.month - 1 + months, 12)
        return date(first.year + y, m + 1, 1 + k * 28 // pair["monthly_limit"])

    rng = random.Random(7)
    today = date.today()

    def check(response, expected=(200,)):
        if response.status_code in expected:
            response.success()
        else:
            response.failure(f"HTTP {response.status_code}")

    class Visitor(FastHttpUser):
        host = config["host"]
        wait_time = constant(0)
        network_timeout = 60.0
        connection_timeout = 10.0
        serial = count()

        def on_start(self):
            self.pair_no = next(Visitor.serial) % len(pairs)
            self.pair = pairs[self.pair_no]
            self.secretary = {"Authorization": f"Token {self.pair['secretary_token']}"}
            self.teacher = {"Authorization": f"Token {self.pair['instructor_token']}"}

        def trivial(self):
            with self.client.get("/api/v1/health/", name="trivial", catch_response=True) as r:
                check(r)

        def roster(self):
            params = {"q": rng.choice(ROSTER_QUERIES), **rng.choice(ROSTER_FILTERS)}
            query = "&".join(f"{k}={v}" for k, v in params.items())
            with self.client.get(
                f"/api/v1/instructors/?{query}", name="roster", headers=self.secretary, catch_response=True
            ) as r:
                check(r)

        def recommend(self):
            day = today + timedelta(days=rng.randint(3, 60))
            url = (
                f"/api/v1/instructors/recommend/?q={rng.choice(NEEDS)}&k=10"
                f"&branch={self.pair['branch']}&date={day.isoformat()}"
            )
            with self.client.get(url, name="recommend", headers=self.secretary, catch_response=True) as r:
                check(r)

        def booking(self):
            day = lecture_day(self.pair_no)
            body = {
                "branch": self.pair["branch"],
                "instructor": self.pair["instructor"],
                "topic": "专题党课：学习贯彻党的二十届三中全会精神",
                "starts_at": f"{day.isoformat()}T09:00:00+08:00",
                "ends_at": f"{day.isoformat()}T11:00:00+08:00",
                "class_hours": 2,
                "audience_size": 40,
                "place": "党群服务中心",
            }
            with self.client.post(
                "/api/v1/bookings/", json=body, name="booking_create", headers=self.secretary, catch_response=True
            ) as r:
                check(r, (201,))
                booking_id = r.json()["id"] if r.status_code == 201 else None
            if booking_id is None:
                return
            with self.client.post(
                f"/api/v1/bookings/{booking_id}/accept/",
                name="booking_accept",
                headers=self.teacher,
                catch_response=True,
            ) as r:
                check(r)

        def supervision(self):
            token = rng.choice(admins)
            with self.client.get(
                f"/api/v1/activity-supervision/?year={config['year']}",
                name="supervision",
                headers={"Authorization": f"Token {token}"},
                catch_response=True,
            ) as r:
                check(r)

    def run_phase(label: str, tasks: dict[str, int], seconds: float, think: float) -> dict:
        """``seconds`` of load, ``think`` seconds (mean) between a user's tasks; requests that start
        inside the window count."""
        user_class = type(
            f"Visitor_{label}",
            (Visitor,),
            {
                "tasks": {getattr(Visitor, name): weight for name, weight in tasks.items()},
                "serial": count(),
                "wait_time": between(think / 2, think * 3 / 2) if think else constant(0),
            },
        )
        env = Environment(user_classes=[user_class], host=config["host"], stop_timeout=30)
        samples: dict[str, list[float]] = {}
        failures: dict[str, dict[str, int]] = {}
        window = [float("inf"), float("inf")]

        def on_request(name, response_time, exception, start_time=None, **_kw):
            started = start_time if start_time is not None else time.time() - response_time / 1000
            if not window[0] <= started < window[1]:
                return
            samples.setdefault(name, []).append(response_time)
            if exception is not None:
                reason = str(exception)[:80]
                failures.setdefault(name, {})
                failures[name][reason] = failures[name].get(reason, 0) + 1

        env.events.request.add_listener(on_request)
        runner = env.create_local_runner()
        runner.start(config["users"], spawn_rate=config["users"])
        while runner.user_count < config["users"]:
            gevent.sleep(0.05)
        gevent.sleep(1)  # every user has started its first task
        window[0] = time.time()
        gevent.sleep(seconds)
        window[1] = time.time()
        runner.quit()
        return {"seconds": window[1] - window[0], "samples": samples, "failures": failures}

    users = config["users"]
    results = {"warmup": None, "mixed": None, "capacity": {}}
    print(f"  warm-up: {config['warmup']} s of the mixed load", flush=True)
    run_phase("warmup", TASKS, config["warmup"], config["think"])
    print(f"  mixed: {users} users, {config['think']} s think time, {config['duration']} s", flush=True)
    results["mixed"] = run_phase("mixed", TASKS, config["duration"], config["think"])
    for task in ("trivial", *[t for t in TASKS if t != "trivial"]):
        print(f"  capacity: {task} alone, {users} users, {config['capacity_seconds']} s", flush=True)
        results["capacity"][task] = run_phase(f"cap_{task}", {task: 1}, config["capacity_seconds"], 0)
    Path(out_path).write_text(json.dumps(results))


# --------------------------------------------------------------------------------------------------
# the conductor (plain Python: subprocesses, report)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def summarise(phase: dict) -> dict[str, dict]:
    rows = {}
    for name in ENDPOINTS:
        samples = phase["samples"].get(name, [])
        failed = sum(phase["failures"].get(name, {}).values())
        rows[name] = {
            "requests": len(samples),
            "failures": failed,
            "failure_reasons": phase["failures"].get(name, {}),
            "p50_ms": statistics.median(samples) if samples else float("nan"),
            "p95_ms": percentile(samples, 95) if samples else float("nan"),
            "rps": len(samples) / phase["seconds"],
        }
    return rows


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


def warm_up_recommender(base: str, token: str, branch: int, parallel: int) -> float:
    """Each web process builds its recommender index on its first recommendation: ask in parallel until
    a whole round answers quickly (every process built its index)."""
    started = time.perf_counter()
    url = f"{base}/api/v1/instructors/recommend/?q=%E4%B9%A1%E6%9D%91%E6%8C%AF%E5%85%B4&k=10&branch={branch}"

    def one(_):
        t = time.perf_counter()
        request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
        with urllib.request.urlopen(request, timeout=180) as response:
            response.read()
        return time.perf_counter() - t

    quick_rounds = 0
    pool = ThreadPoolExecutor(parallel)
    try:
        while quick_rounds < 3 and time.perf_counter() - started < 300:
            slowest = max(pool.map(one, range(parallel * 2)))
            quick_rounds = quick_rounds + 1 if slowest < 1.0 else 0
    finally:  # on Ctrl-C too: requests in flight end when gunicorn is stopped
        pool.shutdown(wait=False, cancel_futures=True)
    return time.perf_counter() - started


def stop(process: subprocess.Popen | None, name: str, how: int = signal.SIGTERM) -> None:
    """Signal the process group the bench started, wait 30 s, then kill it."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, how)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        print(f"{name} did not stop in 30 s: killing it", file=sys.stderr)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=2000, help="seed_demo --scale N (branches)")
    parser.add_argument("--users", type=int, default=20, help="concurrent users")
    parser.add_argument("--duration", type=int, default=60, help="seconds of the mixed phase")
    parser.add_argument("--capacity-seconds", type=int, default=20, help="seconds of each capacity phase")
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean think time between a user's tasks in the mixed phase (s)"
    )
    parser.add_argument("--warmup", type=int, default=15, help="seconds of mixed load before measuring")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (>1: gthread)")
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--reuse", action="store_true", help="keep the database if it has the same --scale")
    parser.add_argument("--no-worker", action="store_true", help="no Celery worker (tasks wait in Redis)")
    parser.add_argument(
        "--no-response-cache",
        action="store_true",
        help="RESPONSE_CACHE=false: every roster search and supervision report computed afresh",
    )
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/4"))
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--drive", nargs=2, metavar=("CONFIG", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.setup:
        sys.path.insert(0, str(ROOT))
        setup(args)
        return
    if args.drive:
        drive(*args.drive)
        return

    # Ctrl-C and SIGTERM end the run through the finally below (SIGINT explicitly: a shell starting
    # the bench in the background leaves it ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    env = bench_env(args)
    base = f"http://127.0.0.1:{args.port}"
    work = Path(tempfile.mkdtemp(prefix="xf-loadbench-"))
    web = worker = driver = None
    worker_log = (work / "worker.log").open("w")
    try:
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()  # the bench's own Redis database
        print(f"setup: database {env['DATABASE_URL'].rsplit('/', 1)[-1]}, seed_demo --scale {args.scale}", flush=True)
        started = time.perf_counter()
        out = subprocess.run(
            [PY, __file__, "--setup", "--scale", str(args.scale), "--users", str(args.users)]
            + (["--reuse"] if args.reuse else []),
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        prepared = json.loads(out.strip().splitlines()[-1])
        setup_s = time.perf_counter() - started
        world = prepared["world"]
        print(
            f"  {'reused' if prepared['reused'] else 'built'} in {setup_s:.0f} s: "
            + ", ".join(f"{k} {v:,}" for k, v in world.items()),
            flush=True,
        )

        command = [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{args.port}"]
        command += ["--workers", str(args.workers), "--timeout", "120", "--log-level", "warning"]
        command += ["--backlog", "256"]
        if args.threads > 1:
            command += ["--worker-class", "gthread", "--threads", str(args.threads)]
        web = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
        if not args.no_worker:
            worker = subprocess.Popen(
                [str(BIN / "celery"), "-A", "config", "worker", "--loglevel=WARNING", "--concurrency=1"],
                cwd=ROOT,
                env=env,
                start_new_session=True,
                stdout=worker_log,
                stderr=subprocess.STDOUT,
            )
        wait_for(f"{base}/api/v1/health/", 60)
        pair = prepared["accounts"]["pairs"][0]
        warm_s = warm_up_recommender(base, pair["secretary_token"], pair["branch"], args.workers * max(1, args.threads))
        print(f"gunicorn: {args.workers} workers × {args.threads} threads on {base}; warmed up in {warm_s:.0f} s")

        config = {
            "host": base,
            "users": args.users,
            "duration": args.duration,
            "capacity_seconds": args.capacity_seconds,
            "warmup": args.warmup,
            "think": args.think,
            **prepared["accounts"],
        }
        config_path, results_path = work / "config.json", work / "results.json"
        config_path.write_text(json.dumps(config))
        driver = subprocess.Popen(
            [PY, __file__, "--drive", str(config_path), str(results_path)], cwd=ROOT, start_new_session=True
        )
        if driver.wait() != 0:
            raise RuntimeError("the locust driver failed")
        results = json.loads(results_path.read_text())
        if worker is not None and worker.poll() is not None:
            raise RuntimeError("the Celery worker died:\n" + (work / "worker.log").read_text()[-2000:])
    finally:
        stop(driver, "locust")
        stop(web, "gunicorn", signal.SIGINT)  # quick shutdown: no request of the bench is worth waiting for
        stop(worker, "celery worker")
        worker_log.close()
        for f in work.glob("*"):
            f.unlink()
        work.rmdir()

    report(args, world, prepared, results)


def report(args, world: dict, prepared: dict, results: dict) -> None:
    mixed = summarise(results["mixed"])
    capacity = {}
    for task, phase in results["capacity"].items():
        rows = summarise(phase)
        for name in REQUESTS_OF.get(task, [task]):
            capacity[name] = rows[name]
    trivial_rps = capacity["trivial"]["rps"]
    misses = []

    print()
    print(
        f"load: {args.users} users; gunicorn {args.workers}×{args.threads}, PostgreSQL, Redis, "
        f"{'a Celery worker' if not args.no_worker else 'no Celery worker'}; "
        f"response cache {'off' if args.no_response_cache else 'on'}; "
        f"seed_demo --scale {args.scale} ({world['branches']:,} branches, {world['instructors']:,} instructors, "
        f"{world['attendance_rows']:,} attendance rows); machine shared (2 cores): numbers are noisy"
    )
    header = f"{'endpoint':<16}{'requests':>9}{'failures':>9}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>9}"
    seconds = results["mixed"]["seconds"]
    print(
        f"\nmixed phase ({seconds:.0f} s, {args.users} users, think time {args.think / 2:g}–{args.think * 3 / 2:g} s, "
        f"weights {TASKS}): target p95 < {P95_TARGET_MS} ms, no errors"
    )
    print(header + f"{'p95':>6}{'errors':>8}")
    for name, row in mixed.items():
        p95_ok = row["p95_ms"] < P95_TARGET_MS
        errors_ok = row["failures"] == 0 and row["requests"] > 0
        if not p95_ok:
            misses.append(f"{name} p95")
        if not errors_ok:
            misses.append(f"{name} errors")
        print(
            f"{name:<16}{row['requests']:>9}{row['failures']:>9}{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}"
            f"{row['rps']:>9.1f}{'PASS' if p95_ok else 'MISS':>6}{'PASS' if errors_ok else 'MISS':>8}"
        )
    print(
        f"\ncapacity phases (each task alone, {args.users} users, no think time, {args.capacity_seconds} s each): "
        f"target req/s ≥ {RATIO_TARGET:.0%} of trivial's"
    )
    print("(p50/p95 here are at saturation, for information: with 20 users always waiting, about 20 / req/s)")
    print(header + f"{'ratio':>8}{'ratio':>6}{'errors':>8}")
    for name, row in capacity.items():
        ratio = row["rps"] / trivial_rps if trivial_rps else 0.0
        ratio_ok = ratio >= RATIO_TARGET
        errors_ok = row["failures"] == 0 and row["requests"] > 0
        if not ratio_ok:
            misses.append(f"{name} throughput")
        if not errors_ok:
            misses.append(f"{name} errors alone")
        print(
            f"{name:<16}{row['requests']:>9}{row['failures']:>9}{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}"
            f"{row['rps']:>9.1f}{ratio:>8.2f}{'PASS' if ratio_ok else 'MISS':>6}{'PASS' if errors_ok else 'MISS':>8}"
        )
    for phase_name, rows in (("mixed", mixed), ("capacity", capacity)):
        for name, row in rows.items():
            for reason, n in row["failure_reasons"].items():
                print(f"  {phase_name} {name}: {n} × {reason}")
    print(f"\ntargets: {'all met' if not misses else 'MISSED: ' + ', '.join(misses)}")

    figures = {
        "users": args.users,
        "scale_branches": args.scale,
        "gunicorn_workers": args.workers,
        "gunicorn_threads": args.threads,
        "response_cache": not args.no_response_cache,
        "think_s": args.think,
        "mixed_seconds": round(results["mixed"]["seconds"], 1),
        "capacity_seconds": args.capacity_seconds,
        "instructors": world["instructors"],
        "attendance_rows": world["attendance_rows"],
    }
    if not prepared["reused"]:
        figures["seed_scale_s"] = round(prepared["timings"]["seed_scale_s"], 1)
    for name, row in mixed.items():
        figures[f"{name}_requests"] = row["requests"]
        figures[f"{name}_failures"] = row["failures"]
        figures[f"{name}_p50_ms"] = round(row["p50_ms"], 1)
        figures[f"{name}_p95_ms"] = round(row["p95_ms"], 1)
        figures[f"{name}_mixed_rps"] = round(row["rps"], 1)
    for name, row in capacity.items():
        figures[f"{name}_rps"] = round(row["rps"], 1)
        figures[f"{name}_alone_p95_ms"] = round(row["p95_ms"], 1)
        figures[f"{name}_alone_failures"] = row["failures"]
        figures[f"{name}_ratio_to_trivial"] = round(row["rps"] / trivial_rps, 3) if trivial_rps else 0.0
    figures["targets_met"] = not misses
    figures["missed"] = misses
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("interrupted: everything the bench started is stopped", file=sys.stderr)
        sys.exit(130)
