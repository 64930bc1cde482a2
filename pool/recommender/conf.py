"""The recommender's settings: ``settings.RECOMMENDER`` over these defaults (see docs/recommender.md)."""

from dataclasses import dataclass

from django.conf import settings

from .config import TopicConfig

DEFAULTS = {
    # Parts of the final score: topic fit (0..1) plus the category boost, minus a penalty when the
    # instructor cannot lecture on the date, plus the rating's deviation from the pool mean (-1..1),
    # minus the load (0..1).
    "WEIGHTS": {"topic": 1.0, "category": 0.1, "availability": 1.0, "rating": 0.1, "load": 0.1},
    # Topic fit (relative to the best instructor for the need) below which nobody is recommended.
    "MIN_FIT": 0.15,
    # Ratings: pseudo-ratings at the pool mean (shrinkage), years counted, and how many points of
    # difference from the pool mean count fully (ratings are 1-5).
    "RATING_PRIOR": 5.0,
    "RATING_YEARS": 2,
    "RATING_SPAN": 1.0,
    # Load: lectures around the date at which half of the load weight applies.
    "LOAD_HALF": 2.0,
    # Seconds between two reads of the instructors' fingerprint (count and latest change), which
    # catches writes that bypass the services; the version row is read on every request.
    "FINGERPRINT_SECONDS": 2.0,
}


@dataclass(frozen=True)
class RecommenderSettings:
    topic_weight: float
    category_weight: float
    availability_weight: float
    rating_weight: float
    load_weight: float
    min_fit: float
    rating_prior: float
    rating_years: int
    rating_span: float
    load_half: float
    fingerprint_seconds: float

    def topic_config(self) -> TopicConfig:
        return TopicConfig().with_changes(category_weight=self.category_weight)


def recommender_settings() -> RecommenderSettings:
    given = getattr(settings, "RECOMMENDER", {}) or {}
    weights = {**DEFAULTS["WEIGHTS"], **given.get("WEIGHTS", {})}
    merged = {**DEFAULTS, **given}
    return RecommenderSettings(
        topic_weight=float(weights["topic"]),
        category_weight=float(weights["category"]),
        availability_weight=float(weights["availability"]),
        rating_weight=float(weights["rating"]),
        load_weight=float(weights["load"]),
        min_fit=float(merged["MIN_FIT"]),
        rating_prior=float(merged["RATING_PRIOR"]),
        rating_years=max(1, int(merged["RATING_YEARS"])),
        rating_span=max(0.01, float(merged["RATING_SPAN"])),
        load_half=max(0.01, float(merged["LOAD_HALF"])),
        fingerprint_seconds=max(0.0, float(merged["FINGERPRINT_SECONDS"])),
    )
