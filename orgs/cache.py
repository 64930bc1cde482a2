"""A shared cache of computed answers, made stale by version numbers rather than by expiry alone.

Each kind of answer lives under *namespaces* (``"pool"``: the instructor roster; ``"supervision:<path>"``:
one organization's supervision figures). Every write that changes what an answer would be calls
:func:`bump` for the namespaces it touches, and their versions go up once its transaction commits.

An entry is kept under a key of its namespaces and parts, together with the versions of those
namespaces it was computed under; a read fetches the entry and the current versions in one round trip
and uses the entry only when they are equal, so the first read after a write computes afresh. A reader
that raced a write stores its answer with the old versions, which no later read accepts.

The versions and entries live in the ``default`` cache. That is shared by every process only when it
is Redis (``CACHE_URL``); with the per-process memory cache another process would keep serving what
this one has made stale, so the response cache is on only when ``RESPONSE_CACHE`` says so (by default:
when the cache is shared). The cache failing (Redis down) never fails a request or a write: reads
compute, writes go on; an entry that outlives a bump the cache missed (a short outage that kept its
data) is served at most ``RESPONSE_CACHE_SECONDS`` after it was computed."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

MISSING = object()
#: Part of every key: :func:`invalidate_all` (a new demo world, a restored database) makes everything stale.
EVERYTHING = "all"


def enabled() -> bool:
    return bool(getattr(settings, "RESPONSE_CACHE", False))


def _version_key(namespace: str) -> str:
    return f"xf:v:{namespace}"


@dataclass(frozen=True)
class Slot:
    """Where an answer is kept, and the namespace versions it must have been computed under."""

    key: str
    versions: tuple


def fetch(namespaces: Iterable[str], parts: tuple) -> tuple[Slot | None, Any]:
    """The answer kept for ``parts`` under ``namespaces`` if no namespace was bumped since, else
    MISSING; and the slot to :func:`put` a fresh one in (None when caching is off or the cache does not
    answer). One round trip to the cache: the entry holds the versions it was computed under, read
    together with the current ones."""
    if not enabled():
        return None, MISSING
    namespaces = [EVERYTHING, *namespaces]
    key = "xf:r:" + hashlib.blake2b(repr((namespaces, parts)).encode(), digest_size=20).hexdigest()
    version_keys = [_version_key(ns) for ns in namespaces]
    try:
        found = cache.get_many([key, *version_keys])
        for version_key in version_keys:
            if version_key not in found:
                # A fresh start value (not 0): a version that was evicted must not come back as an old one.
                cache.add(version_key, time.time_ns(), timeout=None)
                found[version_key] = cache.get(version_key)
    except Exception:  # the cache is an optimisation: never fail a request for it
        logger.warning("response cache unavailable: computing without it", exc_info=True)
        return None, MISSING
    slot = Slot(key=key, versions=tuple(found[k] for k in version_keys))
    kept = found.get(key)
    if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == slot.versions:
        return slot, kept[1]
    return slot, MISSING


def put(slot: Slot | None, value: Any) -> None:
    if slot is None:
        return
    try:
        cache.set(slot.key, (slot.versions, value), timeout=settings.RESPONSE_CACHE_SECONDS)
    except Exception:
        logger.warning("response cache unavailable on write", exc_info=True)


def cached(namespaces: Iterable[str], parts: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()``, or what it gave last time for the same ``parts`` and unchanged namespaces."""
    slot, value = fetch(namespaces, parts)
    if value is MISSING:
        value = compute()
        put(slot, value)
    return value


def _bump_now(namespaces: Iterable[str]) -> None:
    for namespace in namespaces:
        key = _version_key(namespace)
        try:
            try:
                cache.incr(key)
            except ValueError:  # never read yet, or evicted: any new value will do
                cache.set(key, time.time_ns(), timeout=None)
        except Exception:
            logger.warning("response cache unavailable: version %s not bumped", namespace, exc_info=True)


_pending = threading.local()


def _flush() -> None:
    names = getattr(_pending, "names", None)
    if names:
        _pending.names = set()
        _bump_now(sorted(names))


def bump(*namespaces: str) -> None:
    """What is cached under ``namespaces`` is stale once the current transaction commits.

    A transaction that writes many rows bumps each namespace once: the names wait in a per-thread set
    that the first of the transaction's commit callbacks empties (a rolled-back transaction's names are
    bumped with the next commit's: once too often, never too few).
    """
    if not namespaces or not enabled():
        return
    names = getattr(_pending, "names", None)
    if names is None:
        names = _pending.names = set()
    names.update(namespaces)
    transaction.on_commit(_flush)


def invalidate_all() -> None:
    """Everything cached is stale, now (after seeding a world or restoring a database)."""
    if enabled():
        _bump_now([EVERYTHING])
