"""Subtree queries on a province-sized organization tree (about 250,000 organizations).

Builds the tree in a scratch database (SQLite file by default, or DATABASE_URL), then times the
queries that every jurisdiction check runs: a county's subtree count, a city's subtree page, the
lineage of a branch, and a scoped list for a county admin.

    .venv/bin/python bench/org_tree.py [--orgs 250000]
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
    parser.add_argument("--orgs", type=int, default=250_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    scratch = None
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
        os.environ["DATABASE_URL"] = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{name}_orgbench"
        connection.close()
        with connection.cursor() as c:
            c.execute(f"DROP DATABASE IF EXISTS {name}_orgbench")
            c.execute(f"CREATE DATABASE {name}_orgbench")
        connection.settings_dict["NAME"] = f"{name}_orgbench"
        connection.close()
    call_command("migrate", verbosity=0)

    from orgs.models import Organization, Role
    from orgs.seed import build_divisions
    from orgs.selectors import org_list
    from orgs.services import org_bulk_create, role_grant, user_create

    started = time.perf_counter()
    with transaction.atomic():
        divisions = build_divisions()
    counties = [o for k, o in divisions.items() if "/" in k]
    # committees → general branches → branches → groups until the tree holds --orgs nodes
    per_county = max(1, (args.orgs - len(divisions)) // len(counties))
    committees_n = max(1, per_county // 130)
    branches_per_committee = max(1, (per_county - committees_n) // (committees_n * 2))
    for county in counties:
        with transaction.atomic():
            committees = org_bulk_create(
                parent=county,
                children=[{"name": f"{county.name}党委{i}", "kind": "committee"} for i in range(committees_n)],
            )
            for committee in committees:
                branches = org_bulk_create(
                    parent=committee,
                    children=[{"name": f"支部{i}", "kind": "branch"} for i in range(branches_per_committee)],
                )
                # one party group under every branch, in one insert (paths computed as the service does)
                Organization.objects.bulk_create(
                    [
                        Organization(
                            parent=b,
                            name="党小组",
                            full_name="党小组",
                            kind="group",
                            depth=b.depth + 1,
                            path=Organization._get_path(b.path, b.depth + 1, 1),
                            numchild=0,
                        )
                        for b in branches
                    ],
                    batch_size=2000,
                )
                Organization.objects.filter(pk__in=[b.pk for b in branches]).update(numchild=1)
    build_s = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE orgs_organization")
    total = Organization.objects.count()

    county = Organization.objects.get(full_name="南京市江宁区")
    city = Organization.objects.get(name="南京市", kind="city")
    branch = county.subtree().filter(kind="branch").last()
    admin = user_create(username="bench_admin", password=None)
    role_grant(user=admin, role=Role.ORG_ADMIN, organization=county)

    def timed(fn):
        fn()
        samples = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - t) * 1000)
        samples.sort()
        return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]

    cases = {
        "county subtree count": lambda: county.subtree().count(),
        "city subtree first page": lambda: list(city.subtree().order_by("path")[:50]),
        "branch lineage": lambda: list(branch.lineage()),
        "county admin scoped list page": lambda: list(org_list(actor=admin)[:50]),
    }
    results = {name: timed(fn) for name, fn in cases.items()}

    print(f"organizations: {total:,} ({connection.vendor}), built in {build_s:.1f} s")
    print(f"{'query':<32}{'p50 ms':>10}{'p95 ms':>10}")
    for name, (p50, p95) in results.items():
        print(f"{name:<32}{p50:>10.2f}{p95:>10.2f}")
    figures = {"organizations": total, "build_s": round(build_s, 1)}
    for name, (p50, p95) in results.items():
        key = name.replace(" ", "_")
        figures[f"{key}_p50_ms"] = round(p50, 2)
        figures[f"{key}_p95_ms"] = round(p95, 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
