"""A shared cache of computed answers, made stale by version numbers rather than by expiry alone.

Each kind of answer lives under a *namespace* (``"pool"``: the instructor roster; ``"activity:<org id>"``:
one organization's supervision figures). A cached entry's key carries the namespace's current version;
every write that changes what the answer would be calls :func:`bump` for the namespaces it touches, after
its transaction commits, so the next read computes afresh and the old entries are never read again
(they expire by themselves). Readers that raced a write store under the old version, which nobody reads
any more.

The versions and entries live in the ``default`` cache. That is shared by every process only when it is
Redis (``CACHE_URL``); with the per-process memory cache another process would keep serving what this
one has made stale, so the response cache is on only when ``RESPONSE_CACHE`` says so (by default: when
the cache is shared). The cache failing (Redis down) never fails a request or a write: reads compute,
writes go on; an entry that outlives a bump the cache missed (a short outage that kept its data) is
served at most ``RESPONSE_CACHE_SECONDS`` after it was computed.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
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


def _versions(namespaces: Iterable[str]) -> list[int]:
    keys = [_version_key(ns) for ns in namespaces]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            # A fresh start value (not 0): a version that was evicted must not come back as an old one.
            cache.add(key, time.time_ns(), timeout=None)
            found[key] = cache.get(key)
    return [found[key] for key in keys]


def key_for(namespaces: Iterable[str], *parts: Any) -> str | None:
    """The cache key of an answer that depends on ``namespaces`` and ``parts``; None when caching is off
    or the cache does not answer."""
    if not enabled():
        return None
    namespaces = [EVERYTHING, *namespaces]
    try:
        versions = _versions(namespaces)
    except Exception:
        logger.warning("response cache unavailable: computing without it", exc_info=True)
        return None
    raw = repr((namespaces, versions, parts)).encode()
    return "xf:r:" + hashlib.blake2b(raw, digest_size=20).hexdigest()


def get(key: str | None) -> Any:
    if key is None:
        return MISSING
    try:
        return cache.get(key, MISSING)
    except Exception:
        logger.warning("response cache unavailable on read", exc_info=True)
        return MISSING


def put(key: str | None, value: Any) -> None:
    if key is None:
        return
    try:
        cache.set(key, value, timeout=settings.RESPONSE_CACHE_SECONDS)
    except Exception:
        logger.warning("response cache unavailable on write", exc_info=True)


def cached(namespaces: Iterable[str], parts: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()``, or what it gave last time for the same ``parts`` and unchanged namespaces."""
    key = key_for(namespaces, *parts)
    value = get(key)
    if value is MISSING:
        value = compute()
        put(key, value)
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
