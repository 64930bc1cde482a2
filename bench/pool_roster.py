"""The instructor pool at province scale: every city and county pool filled (about 5,200 instructors).

Builds the province in a scratch database (SQLite file by default, or DATABASE_URL), times the import
of the 300-instructor sample file (new and again as an update), fills the pools with synthetic
instructors through the same import, then times the reads people use most: the public API list and
its filters, an admin's scoped list, the public roster page and a city pool's .xlsx export.

    .venv/bin/python bench/pool_roster.py [--repeat 30]
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
            c.execute(f"DROP DATABASE IF EXISTS {name}_poolbench")
            c.execute(f"CREATE DATABASE {name}_poolbench")
        connection.settings_dict["NAME"] = f"{name}_poolbench"
        connection.close()
    call_command("migrate", verbosity=0)

    import logging

    logging.disable(logging.INFO)
    from django.test import Client

    from orgs.models import Organization, Role
    from orgs.seed import build_divisions
    from orgs.services import role_grant, user_create
    from pool.exports import instructors_xlsx
    from pool.models import Instructor, Pool
    from pool.seed import SAMPLE, ensure_pools, scale
    from pool.selectors import instructor_list
    from pool.services import instructors_import

    with transaction.atomic():
        build_divisions()
        ensure_pools(counties="all")

    def once(fn) -> float:
        t = time.perf_counter()
        with transaction.atomic():
            fn()
        return (time.perf_counter() - t) * 1000

    data = SAMPLE.read_bytes()
    import_new_ms = once(lambda: instructors_import(data=data, filename=SAMPLE.name, actor=None))
    import_update_ms = once(lambda: instructors_import(data=data, filename=SAMPLE.name, actor=None))

    class Ctx:
        def log(self, message):
            pass

    started = time.perf_counter()
    with transaction.atomic():
        scale(Ctx(), 0)
    fill_s = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE")
    total = Instructor.objects.count()

    admin = user_create(username="bench_admin", password=None)
    role_grant(user=admin, role=Role.ORG_ADMIN, organization=Organization.objects.get(name="南京市", kind="city"))
    nanjing = Pool.objects.get(organization__name="南京市", organization__kind="city")
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(admin)

    def timed(fn):
        fn()
        samples = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - t) * 1000)
        samples.sort()
        return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]

    def ok(response):
        assert response.status_code == 200, response.status_code
        return response

    cases = {
        "api list, anonymous": lambda: ok(anonymous.get("/api/v1/instructors/")),
        "api list, text q": lambda: ok(anonymous.get("/api/v1/instructors/", {"q": "乡村振兴"})),
        "api list, category+level": lambda: ok(
            anonymous.get("/api/v1/instructors/", {"category": "经济发展", "level": "县级"})
        ),
        "api list, city admin": lambda: ok(signed_in.get("/api/v1/instructors/", {"status": "appointed"})),
        "roster page, anonymous": lambda: ok(anonymous.get("/pool/", {"category": "theory"})),
        "xlsx export, city pool": lambda: instructors_xlsx(
            instructor_list(actor=admin).filter(pool=nanjing), viewer=admin
        ),
    }
    results = {name: timed(fn) for name, fn in cases.items()}

    print(f"instructors: {total:,} in {Pool.objects.count()} pools ({connection.vendor}), filled in {fill_s:.1f} s")
    print(f"sample import (300 rows): new {import_new_ms:.0f} ms, again as update {import_update_ms:.0f} ms")
    print(f"{'request':<28}{'p50 ms':>10}{'p95 ms':>10}")
    for name, (p50, p95) in results.items():
        print(f"{name:<28}{p50:>10.2f}{p95:>10.2f}")
    figures = {
        "instructors": total,
        "fill_s": round(fill_s, 1),
        "import_300_new_ms": round(import_new_ms),
        "import_300_update_ms": round(import_update_ms),
    }
    for name, (p50, p95) in results.items():
        key = name.replace(", ", "_").replace(" ", "_").replace("+", "_")
        figures[f"{key}_p50_ms"] = round(p50, 2)
        figures[f"{key}_p95_ms"] = round(p95, 2)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
