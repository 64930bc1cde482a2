"""Recommendations (``GET /api/v1/instructors/recommend/``) answered from the shared cache (orgs/cache.py).

An answer depends on the need, ``k``, the pools searched (those the branch may book from, read afresh
for every request), the date, today (load is counted around it), the language of the reasons, the
recommender's settings and the index it was ranked on. It does not depend on who asks, once the caller
may ask for that branch (checked before the cache is read). It is stale after any committed write to:

- instructors, topics, pools and sub-areas: namespace ``"pool"``, shared with the roster search
  (``pool/roster_cache.py`` says what bumps it);
- what keeps an instructor from lecturing, and the lectures counted as load: ``"schedule"``, bumped by
  the booking app through :func:`schedule_changed` (bookings, blocked dates, weekly availability);
- ratings: ``"ratings"``, on any save or delete of a ``RatingSummary``.

The index's stamps are part of the key: an answer ranked on one index is never served for another.
"""

from datetime import date

import numpy as np
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import get_language

from orgs import cache

from ..roster_cache import NAMESPACE as POOL
from .conf import recommender_settings
from .live import Snapshot

SCHEDULE = "schedule"
RATINGS = "ratings"
NAMESPACES = (POOL, SCHEDULE, RATINGS)


def schedule_changed(**_kwargs) -> None:
    """What keeps instructors busy changed (a booking, a blocked date, a weekly availability)."""
    cache.bump(SCHEDULE)


def ratings_changed(**_kwargs) -> None:
    cache.bump(RATINGS)


def cached_payload(snap: Snapshot, *, need: str, k: int, pool_ids: np.ndarray, day: date | None, compute):
    """``compute()`` (the answer's JSON-ready payload), or the one kept for the same question."""
    parts = (
        "recommend",
        need,
        k,
        sorted(int(pk) for pk in pool_ids),
        day.isoformat() if day else None,
        timezone.localdate().isoformat(),
        get_language(),
        repr(recommender_settings()),
        snap.token,
        snap.version,
        repr(snap.fingerprint),
    )
    return cache.cached(NAMESPACES, parts, compute)


def connect() -> None:
    from ..models import RatingSummary

    post_save.connect(ratings_changed, sender=RatingSummary, dispatch_uid="pool.recommend_cache.ratings.save")
    post_delete.connect(ratings_changed, sender=RatingSummary, dispatch_uid="pool.recommend_cache.ratings.delete")
