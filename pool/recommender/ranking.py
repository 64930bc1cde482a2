"""为我推荐: the instructors who fit a need best, with why — topic fit blended with the pools the branch
may book from, availability on the date, ratings and load.

Final score (weights in ``settings.RECOMMENDER``)::

    score = topic + category + availability + rating + load
    topic        = w_topic · text similarity / best       (0..1 with category; the best instructor = 1)
    category     = w_topic · category boost / best       (agreement with the category inferred for the need)
    availability = -w_availability when the instructor cannot lecture on the date, else 0
    rating       = w_rating · clip((shrunk mean - pool mean) / span, -1, 1); 0 without ratings
    load         = -w_load · lectures / (lectures + half)  (lectures around the date)

The pools are a hard filter: a branch never sees an instructor it may not book. Availability, load
and ratings are read only for a shortlist that provably contains the top k (see ``_shortlisted``).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import Organization
from orgs.selectors import jurisdiction_of

from ..models import Pool, RatingSummary
from ..registry import load_around, unavailable_on
from ..rules import CATEGORY_NAMES, CATEGORY_WORDS, LEVEL_NAMES
from ..selectors import bookable_pools
from .conf import RecommenderSettings, recommender_settings
from .index import NeedScores
from .live import Snapshot, current_snapshot
from .schema import TopicExplanation

#: Most results one request may ask for.
MAX_K = 50

#: How the page names the instructor's fields in "matched in …".
FIELD_LABELS = {
    "category": _("category"),
    "subareas": _("sub-areas"),
    "topics": _("topics"),
    "abstracts": _("abstract"),
    "bio": _("biography"),
    "employer": _("employer"),
    "title": _("professional title"),
    "lectures": _("past lecture titles"),
}


@dataclass(frozen=True)
class RatingInfo:
    count: int
    mean: float
    adjusted: float  # shrunk toward the pool mean
    pool_mean: float


@dataclass(frozen=True)
class RankedInstructor:
    """One recommended instructor: what the list shows, the score and its parts, and why."""

    id: int
    code: str
    name: str
    category: str  # Category value
    level: str  # Level value
    pool_id: int
    score: float
    parts: dict[str, float]  # topic, category, availability, rating, load (they sum to ``score``)
    topic: TopicExplanation
    available: bool | None  # None without a date
    unavailable_reason: str
    rating: RatingInfo | None
    load: int

    @property
    def category_name(self) -> str:
        return CATEGORY_NAMES.get(self.category, self.category)

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES.get(self.level, self.level)

    @property
    def matched_fields(self) -> list[tuple[str, list[str]]]:
        """(field label, terms found there), in the order of the fields."""
        return [(str(FIELD_LABELS[f]), terms) for f, terms in self.topic.matched_by_field.items() if f in FIELD_LABELS]

    @property
    def expanded_terms(self) -> list[tuple[str, str]]:
        """(related term found, word of the need that brought it in)."""
        return list(self.topic.expanded_from.items())


@dataclass(frozen=True)
class Recommendations:
    need: str
    results: list[RankedInstructor]
    inferred_category: str | None  # Category value, None when the need says nothing recognisable
    category_probability: float
    concepts: list[str]  # domain concepts recognised in the need
    day: date | None
    branch: Organization | None

    @property
    def inferred_category_name(self) -> str:
        return CATEGORY_NAMES.get(self.inferred_category or "", "")


def instructor_recommend(
    *, actor, need: str, k: int = 10, branch: Organization | None = None, day: date | None = None
) -> Recommendations:
    """The ``k`` instructors who fit ``need`` best, best first.

    With ``branch`` only instructors of ``bookable_pools(branch)``; without it every active instructor
    of an active pool (what anyone may see). ``day`` weighs availability; load is counted around
    ``day`` (today without one). Raises PermissionDenied for a branch outside the actor's jurisdiction.
    """
    if branch is not None and not jurisdiction_of(actor).covers(branch):
        raise PermissionDenied
    pools = bookable_pools(branch) if branch is not None else Pool.objects.filter(is_active=True)
    pool_ids = np.fromiter(pools.values_list("pk", flat=True), dtype=np.int64)
    results, need_scores = rank_need(current_snapshot(), need, pool_ids=pool_ids, k=k, day=day)
    guess = need_scores.category_guess
    return Recommendations(
        need=need,
        results=results,
        inferred_category=CATEGORY_WORDS.get(guess.top) if guess.top else None,
        category_probability=guess.confidence if guess.top else 0.0,
        concepts=guess.concepts,
        day=day,
        branch=branch,
    )


def rank_need(
    snap: Snapshot, need: str, *, pool_ids: np.ndarray, k: int = 10, day: date | None = None
) -> tuple[list[RankedInstructor], NeedScores]:
    """The top ``k`` instructors of these pools in a snapshot, and the need's scores (no permission
    check: ``instructor_recommend`` is the entry point; the evaluation ranks a scratch snapshot)."""
    k = max(1, min(int(k), MAX_K))
    need_scores = snap.index.assess(need)
    results = _shortlisted(snap, need_scores, pool_ids, k=k, day=day, conf=recommender_settings())
    return results, need_scores


def _shortlisted(
    snap: Snapshot, need: NeedScores, pool_ids: np.ndarray, *, k: int, day: date | None, conf: RecommenderSettings
) -> list[RankedInstructor]:
    """The exact top ``k`` by final score, reading availability, load and ratings for a shortlist only.

    The other parts can add at most ``w_rating`` to an instructor's topic fit, so once the k-th best
    final score of the shortlist beats the best fit outside it plus ``w_rating``, nobody outside can
    enter the top k; otherwise the shortlist grows.
    """
    fit = need.fit * conf.topic_weight
    eligible = np.flatnonzero(np.isin(snap.pool_of_row, pool_ids) & (need.fit >= conf.min_fit) & (need.fit > 0))
    if eligible.size == 0:
        return []
    ids = snap.id_of_row
    order = eligible[np.lexsort((ids[eligible], -fit[eligible]))]
    size = min(order.size, max(4 * k, 40))
    extras: dict[int, tuple[float, float, float, bool | None, str, RatingInfo | None, int]] = {}
    while True:
        new_rows = [int(r) for r in order[:size] if int(r) not in extras]
        extras.update(_other_parts(snap, new_rows, day=day, conf=conf))
        rows = order[:size]
        finals = np.array([fit[r] + sum(extras[int(r)][:3]) for r in rows])
        top = np.lexsort((ids[rows], -finals))[:k]
        kth = finals[top[-1]]
        if size == order.size or fit[order[size]] + conf.rating_weight < kth:
            break
        size = min(order.size, size * 4)
    chosen = [int(r) for r in rows[top]]
    explanations = need.explain(chosen)
    out = []
    for r, explanation in zip(chosen, explanations, strict=True):
        info = snap.instructors[int(ids[r])]
        availability, rating, load, available, reason, rating_info, lectures = extras[r]
        topic_part = float(need.topic[r]) * conf.topic_weight
        category_part = float(need.category[r]) * conf.topic_weight
        parts = {
            "topic": round(topic_part, 4),
            "category": round(category_part, 4),
            "availability": round(availability, 4),
            "rating": round(rating, 4),
            "load": round(load, 4),
        }
        out.append(
            RankedInstructor(
                id=info.doc.id,
                code=info.code,
                name=info.name,
                category=info.category,
                level=info.level,
                pool_id=info.pool_id,
                score=round(topic_part + category_part + availability + rating + load, 4),
                parts=parts,
                topic=explanation,
                available=available,
                unavailable_reason=reason,
                rating=rating_info,
                load=lectures,
            )
        )
    return out


def _other_parts(snap: Snapshot, rows: Sequence[int], *, day: date | None, conf: RecommenderSettings) -> dict:
    """Row → (availability, rating, load, available, reason, rating info, lectures) for these rows."""
    if not rows:
        return {}
    pks = [int(snap.id_of_row[r]) for r in rows]
    blocked = unavailable_on(pks, day) if day is not None else {}
    lectures = load_around(pks, day or timezone.localdate())
    ratings = _ratings(snap, pks, conf)
    out = {}
    for r, pk in zip(rows, pks, strict=True):
        reason = blocked.get(pk, "")
        available = None if day is None else not reason
        availability = -conf.availability_weight if reason else 0.0
        n = int(lectures.get(pk, 0))
        load = -conf.load_weight * n / (n + conf.load_half) if n > 0 else 0.0
        info = ratings.get(pk)
        rating = 0.0
        if info is not None:
            rating = conf.rating_weight * float(np.clip((info.adjusted - info.pool_mean) / conf.rating_span, -1, 1))
        out[r] = (availability, rating, load, available, reason, info, n)
    return out


def _ratings(snap: Snapshot, pks: list[int], conf: RecommenderSettings) -> dict[int, RatingInfo]:
    """Ratings of recent years, per instructor, shrunk toward the mean of the instructor's pool:
    ``(n · mean + prior · pool mean) / (n + prior)``. An instructor without ratings is absent (no
    penalty); one query for the instructors, one for their pools' means when any has ratings."""
    first_year = timezone.localdate().year - conf.rating_years + 1
    recent = RatingSummary.objects.filter(year__gte=first_year, count__gt=0)
    sums: dict[int, tuple[int, Decimal]] = {}
    for pk, count, mean in recent.filter(instructor_id__in=pks).values_list("instructor_id", "count", "mean"):
        n, s = sums.get(pk, (0, Decimal(0)))
        sums[pk] = (n + count, s + count * mean)
    if not sums:
        return {}
    pool_of = {pk: snap.instructors[pk].pool_id for pk in sums}
    weighted = ExpressionWrapper(F("count") * F("mean"), output_field=DecimalField(max_digits=14, decimal_places=2))
    per_pool = {
        row["instructor__pool_id"]: float(row["s"] / row["n"])
        for row in recent.filter(instructor__pool_id__in=set(pool_of.values()))
        .values("instructor__pool_id")
        .annotate(n=Sum("count"), s=Sum(weighted))
    }
    out = {}
    for pk, (n, s) in sums.items():
        mean = float(s / n)
        pool_mean = per_pool.get(pool_of[pk], mean)
        adjusted = (n * mean + conf.rating_prior * pool_mean) / (n + conf.rating_prior)
        out[pk] = RatingInfo(count=n, mean=mean, adjusted=adjusted, pool_mean=pool_mean)
    return out
