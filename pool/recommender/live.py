"""The recommender index of one web process, kept current against the database.

Every process builds its own ``TopicIndex`` of the active instructors once, then per request compares
two cheap stamps with the ones its index was built from (the second at most every
``RECOMMENDER["FINGERPRINT_SECONDS"]``):

1. ``IndexVersion`` (one row, see ``freshness``): bumped, with an ``IndexChange`` row naming the
   instructors, after every committed change the pool's services announce
   (``pool.signals.instructor_changed``) and whenever another app calls ``index_touch`` (booking,
   after a lecture is delivered);
2. the number of active instructors and their latest ``updated_at``: catches writes that bypass the
   services (the Django admin) and a database that was swapped underneath (tests).

When a stamp moved, only the instructors named by the change log (or whose ``updated_at`` differs) are
read again and re-analysed; a process that fell too far behind, or a different database, rebuilds
from scratch. Nothing that another process needs is kept in memory here: the stamps are in the
database, so a change made by any process (web or worker) is seen by every other one on its next
request. The index is never rebuilt per request.
"""

import logging
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from .conf import recommender_settings
from .config import TopicConfig
from .documents import IndexedInstructor, active_versions, indexed_instructors
from .freshness import Fingerprint, read_fingerprint, read_version
from .index import TopicIndex
from .models import IndexChange

logger = logging.getLogger(__name__)

#: Above this share of changed instructors a full rebuild is cheaper than an update.
REBUILD_SHARE = 0.25


@dataclass(frozen=True)
class Snapshot:
    """One consistent state of the index and what results show, tagged with the stamps it matches."""

    index: TopicIndex
    instructors: dict[int, IndexedInstructor]
    token: str
    version: int
    fingerprint: Fingerprint
    seconds: float  # time the last build or update took
    full_build: bool
    id_of_row: np.ndarray = field(repr=False)
    pool_of_row: np.ndarray = field(repr=False)

    @classmethod
    def create(cls, index: TopicIndex, instructors: dict[int, IndexedInstructor], **stamps) -> "Snapshot":
        ids = index.ids()
        pool_of_row = np.array([instructors[pk].pool_id for pk in ids], dtype=np.int64)
        id_of_row = np.array(ids, dtype=np.int64)
        return cls(index=index, instructors=instructors, id_of_row=id_of_row, pool_of_row=pool_of_row, **stamps)

    def matches(self, token: str, version: int, fingerprint: Fingerprint, config: TopicConfig) -> bool:
        return (
            self.token == token
            and self.version == version
            and self.fingerprint == fingerprint
            and self.index.config == config
        )


class LiveIndex:
    """The process's current snapshot; ``current()`` checks the stamps (one small query, two every few
    seconds) and brings the snapshot up to date when they moved. Readers of an old snapshot are never
    disturbed."""

    def __init__(self) -> None:
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()
        self._fingerprint_read_at = 0.0

    def reset(self) -> None:
        with self._lock:
            self._snapshot = None
            self._fingerprint_read_at = 0.0

    def peek(self) -> Snapshot | None:
        return self._snapshot

    def current(self) -> Snapshot:
        conf = recommender_settings()
        config = conf.topic_config()
        snap = self._snapshot
        if snap is not None:
            # The version row is read on every request; the fingerprint (an aggregate over the
            # instructors, for writes that bypass the services) at most every few seconds.
            fingerprint = snap.fingerprint
            if time.monotonic() - self._fingerprint_read_at >= conf.fingerprint_seconds:
                fingerprint = read_fingerprint()
                self._fingerprint_read_at = time.monotonic()
            if snap.matches(*read_version(), fingerprint, config):
                return snap
        with self._lock:
            # Read the stamps again inside the lock: another thread may have synced meanwhile.
            token, version = read_version()
            fingerprint = read_fingerprint()
            self._fingerprint_read_at = time.monotonic()
            snap = self._snapshot
            if snap is None or not snap.matches(token, version, fingerprint, config):
                snap = self._sync(snap, token, version, fingerprint, config)
                self._snapshot = snap
            return snap

    def _sync(
        self, snap: Snapshot | None, token: str, version: int, fingerprint: Fingerprint, config: TopicConfig
    ) -> Snapshot:
        started = time.perf_counter()
        stamps = {"token": token, "version": version, "fingerprint": fingerprint}
        changed = None if snap is None or snap.token != token else self._changed_since(snap, version, fingerprint)
        if changed is None or len(changed) > max(50, REBUILD_SHARE * len(snap.instructors)):
            instructors = {i.doc.id: i for i in indexed_instructors()}
            index = TopicIndex.build([i.doc for i in instructors.values()], config=config)
            logger.info("recommender index built: %d instructors", len(index))
            return Snapshot.create(index, instructors, seconds=time.perf_counter() - started, full_build=True, **stamps)
        index = snap.index if snap.index.config == config else snap.index.with_config(config)
        instructors = snap.instructors
        if changed:
            fresh = {i.doc.id: i for i in indexed_instructors(changed)}
            gone = changed - fresh.keys()
            index = index.updated([i.doc for i in fresh.values()], gone)
            instructors = {pk: i for pk, i in instructors.items() if pk not in gone} | fresh
        return Snapshot.create(index, instructors, seconds=time.perf_counter() - started, full_build=False, **stamps)

    @staticmethod
    def _changed_since(snap: Snapshot, version: int, fingerprint: Fingerprint) -> set[int] | None:
        """Ids changed since the snapshot, or None when the log cannot tell (too far behind)."""
        changed: set[int] = set()
        if version != snap.version:
            logged = list(
                IndexChange.objects.filter(version__gt=snap.version, version__lte=version).values_list(
                    "instructor_ids", flat=True
                )
            )
            if version < snap.version or len(logged) != version - snap.version:
                return None
            for ids in logged:
                changed.update(int(pk) for pk in ids)
        if fingerprint != snap.fingerprint:
            now = active_versions()
            changed.update(pk for pk, at in now.items() if snap.instructors.get(pk) is None)
            changed.update(pk for pk, info in snap.instructors.items() if now.get(pk) != info.updated_at)
        return changed


#: The index of this process.
LIVE = LiveIndex()


def current_snapshot() -> Snapshot:
    return LIVE.current()
