"""Import of a member roster (.xlsx) of 100,000 members, through the real service.

Builds a scratch database (SQLite file by default, or DATABASE_URL), a county with 5,000 branches
and a county admin, writes a roster with --members rows (every ID number and phone encrypted and
hashed on the way in), then times:

1. the same roster with one bad row: validated whole, nothing imported;
2. the roster: 100,000 members created;
3. the roster again: every member updated, matched by the keyed hash of the ID number.

    .venv/bin/python bench/import_members.py [--members 100000]
"""

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--branches", type=int, default=5_000)
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
    from django.db import connection, transaction

    if connection.vendor == "postgresql":
        name = connection.settings_dict["NAME"]
        connection.close()
        with connection.cursor() as c:
            c.execute(f"DROP DATABASE IF EXISTS {name}_importbench")
            c.execute(f"CREATE DATABASE {name}_importbench")
        connection.settings_dict["NAME"] = f"{name}_importbench"
        connection.close()
    call_command("migrate", verbosity=0)

    from openpyxl import Workbook

    from members import roster, services
    from members.identity import make_id_number
    from members.models import Member, Probation
    from orgs.models import Role
    from orgs.services import org_bulk_create, org_create, role_grant, user_create

    with transaction.atomic():
        province = org_create(parent=None, name="江苏省", kind="province", code="32")
        city = org_create(parent=province, name="南京市", kind="city", code="3201")
        county = org_create(parent=city, name="江宁区", kind="county", code="320115")
        committee = org_create(parent=county, name="基准测试党委", kind="committee")
        branches = org_bulk_create(
            parent=committee,
            children=[{"name": f"基准测试第{i + 1}党支部", "kind": "branch"} for i in range(args.branches)],
        )
        admin = user_create(username="bench_admin", password=None)
        role_grant(user=admin, role=Role.ORG_ADMIN, organization=county)

    started = time.perf_counter()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("党员名册")
    sheet.append([h for _key, h, _required in roster.ROSTER_COLUMNS])
    born0 = date(1950, 1, 1)
    for i in range(args.members):
        born = born0 + timedelta(days=(i % 500) * 29 % 14500 + i // 500)
        sheet.append(
            [
                f"党员{i}",
                "男" if i % 2 == 0 else "女",
                make_id_number("320115", born, i, male=i % 2 == 0),
                f"139{i:08d}",
                None,
                (born + timedelta(days=9000)).isoformat(),
                "预备党员" if i % 50 == 0 else "正式党员",
                branches[i % len(branches)].full_name,
                "",
                "否",
                "在职",
                4000 + i % 6000,
            ]
        )
    out = BytesIO()
    book.save(out)
    good = out.getvalue()
    write_s = time.perf_counter() - started

    # The same roster with one bad ID number in the last row.
    from openpyxl import load_workbook

    bad_book = load_workbook(BytesIO(good))
    bad_sheet = bad_book.active
    bad_sheet.cell(row=args.members + 1, column=3, value="320115199901011234")
    out = BytesIO()
    bad_book.save(out)
    bad = out.getvalue()

    def timed(data):
        t = time.perf_counter()
        outcome = services.member_import(actor=admin, data=data)
        return outcome, time.perf_counter() - t

    bad_outcome, bad_s = timed(bad)
    assert bad_outcome.error_count == 1 and Member.objects.count() == 0, "a bad row must import nothing"
    created, create_s = timed(good)
    assert created.created == args.members and created.error_count == 0
    probations = Probation.objects.count()
    updated, update_s = timed(good)
    assert updated.updated == args.members and Member.objects.count() == args.members

    print(
        f"members: {args.members:,} in {len(branches):,} branches ({connection.vendor}); file {len(good) / 1e6:.1f} MB"
    )
    print(f"{'step':<44}{'seconds':>10}{'rows/s':>12}")
    rows = [
        ("write the .xlsx (openpyxl)", write_s),
        ("one bad row: validate all, import nothing", bad_s),
        ("import (create, encrypt, hash)", create_s),
        ("re-import (update by ID hash)", update_s),
    ]
    for label, seconds in rows:
        print(f"{label:<44}{seconds:>10.1f}{args.members / seconds:>12,.0f}")
    print(f"bad-row report: {bad_outcome.errors[0]}")
    print(f"probations created: {probations:,}")
    print(
        json.dumps(
            {
                "members": args.members,
                "bad_file_s": round(bad_s, 1),
                "import_s": round(create_s, 1),
                "reimport_s": round(update_s, 1),
                "import_rows_per_s": round(args.members / create_s),
            }
        )
    )


if __name__ == "__main__":
    main()
