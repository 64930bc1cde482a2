"""A dev set's instructors, imported through the pool's real importer inside a transaction that is
always rolled back: the evaluation sees them exactly as the recommender would, and nothing of them
(nor of the pools or divisions opened for them) stays in the database.

Codes are replaced by scratch codes for the import, so a file whose 编号 are already in use (the demo
database holds the same sample) neither updates nor locks real instructors; the documents handed to
``run`` carry the file's own codes again. Keep ``run`` short: the transaction holds the import's
locks until it returns.
"""

import csv
import io
import secrets
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from django.db import transaction

from orgs.models import Organization
from orgs.seed import build_divisions

from ..services import instructors_import
from .documents import IndexedInstructor, indexed_instructors

T = TypeVar("T")


class _Rollback(Exception):
    pass


def _scratch_codes(path: Path) -> tuple[bytes, dict[str, str]]:
    """The file with every 编号 replaced by a scratch code, and scratch code → original code."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    if not rows or "编号" not in rows[0]:
        raise ValueError(f"{path.name}: the first row must be the import header (编号,姓名,…)")
    column = rows[0].index("编号")
    prefix = f"EVAL{secrets.token_hex(3).upper()}"
    original: dict[str, str] = {}
    for n, row in enumerate(rows[1:], 1):
        if column < len(row) and row[column].strip():
            code = f"{prefix}{n:06d}"
            original[code] = row[column].strip()
            row[column] = code
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8"), original


def scratch_import(path: Path, run: Callable[[list[IndexedInstructor]], T]) -> T:
    """Import the file (opening the province's divisions and pools it names when the database has
    none), call ``run`` with the imported instructors, roll everything back, return ``run``'s result.
    Raises ``pool.imports.ImportRejected`` when the file does not import."""
    data, original = _scratch_codes(path)
    outcome: list[T] = []
    try:
        with transaction.atomic():
            if not Organization.objects.filter(kind=Organization.Kind.PROVINCE).exists():
                build_divisions()
            result = instructors_import(
                data=data,
                filename=path.with_suffix(".csv").name,
                actor=None,
                quota_override_reason="recommender evaluation (rolled back)",
                create_pools=True,
            )
            instructors = [
                replace(i, code=original[i.code], doc=replace(i.doc, code=original[i.code]))
                for i in indexed_instructors(result.instructor_ids)
            ]
            outcome.append(run(instructors))
            raise _Rollback
    except _Rollback:
        pass
    return outcome[0]
