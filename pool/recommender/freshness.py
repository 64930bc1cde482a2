"""The stamps that tell every process whether its recommender index is current (no numpy here:
the apps above pool import ``index_touch`` without loading the ranking machinery).

``IndexVersion`` (one row) is bumped, with an ``IndexChange`` row naming the instructors, after every
committed change the pool's services announce (``pool.signals.instructor_changed``) and whenever
another app calls ``index_touch``. ``read_fingerprint`` — the number of active instructors and their
latest ``updated_at`` — catches writes that bypass the services (the Django admin).
"""

import logging
import secrets
from collections.abc import Iterable
from datetime import datetime

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Count, Max

from ..models import Instructor
from .models import IndexChange, IndexVersion

logger = logging.getLogger(__name__)

#: Change-log rows kept; a process more versions behind rebuilds its index from scratch.
CHANGES_KEPT = 1000

Fingerprint = tuple[int, datetime | None]


def _new_token() -> str:
    return secrets.token_hex(16)


def read_version() -> tuple[str, int]:
    """The current ``(token, version)``; creates the row the first time."""
    row = IndexVersion.objects.filter(pk=1).values_list("token", "version").first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            stamp, _created = IndexVersion.objects.get_or_create(pk=1, defaults={"token": _new_token()})
    except IntegrityError:  # another process created it in the meantime
        stamp = IndexVersion.objects.get(pk=1)
    return stamp.token, stamp.version


def read_fingerprint() -> Fingerprint:
    """How many instructors are active and when the last of them was saved."""
    agg = Instructor.objects.filter(status=Instructor.Status.APPOINTED).aggregate(n=Count("id"), last=Max("updated_at"))
    return agg["n"], agg["last"]


def version_bump(*, instructor_ids: Iterable[int], change: str) -> int:
    """Record that these instructors changed: the next request of every process updates its index.

    One short transaction: the version row is locked and incremented, the change is logged under the
    new version, log rows older than ``CHANGES_KEPT`` versions are dropped.
    """
    ids = sorted({int(pk) for pk in instructor_ids})
    with transaction.atomic():
        stamp, _created = IndexVersion.objects.select_for_update().get_or_create(pk=1, defaults={"token": _new_token()})
        stamp.version += 1
        stamp.save(update_fields=["version", "updated_at"])
        IndexChange.objects.create(version=stamp.version, instructor_ids=ids, change=change[:20])
        IndexChange.objects.filter(version__lte=stamp.version - CHANGES_KEPT).delete()
    return stamp.version


def index_touch(*, instructor_ids: Iterable[int], change: str = "lectures") -> None:
    """For the apps above pool: these instructors' indexed data changed (e.g. a lecture was delivered,
    so the lecture-titles provider returns more). Call it inside the writing transaction; the version
    is bumped after commit, never on a rollback."""
    ids = sorted({int(pk) for pk in instructor_ids})
    if ids:
        transaction.on_commit(lambda: _bump_quietly(ids, change))


def on_instructor_changed(sender, instructor_ids, change, **kwargs) -> None:
    """Receiver of ``pool.signals.instructor_changed`` (sent after commit)."""
    _bump_quietly(instructor_ids, change)


def _bump_quietly(instructor_ids, change: str) -> None:
    # The change itself is committed; failing the request now would only hide that. The
    # fingerprint check still catches most of what a lost bump would have announced.
    try:
        version_bump(instructor_ids=instructor_ids, change=change)
    except DatabaseError:
        logger.warning("recommender index version not bumped (%s, %d instructors)", change, len(instructor_ids))
