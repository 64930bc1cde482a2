"""The evaluation's settings: the ``EVALUATION`` block of the settings, with a default for every key.

Thresholds are read when they are used, so a test or an operator who changes the settings changes the
next computation; a yearly run stores the figures it used with its proposals.
"""

from dataclasses import asdict, dataclass
from decimal import Decimal

from django.conf import settings

DEFAULTS = {
    "WINDOW_DAYS": 14,
    "PRIOR_WEIGHT": 5,
    "REMOVE_BELOW": 3.0,
    "WARN_BELOW": 3.5,
    "MIN_RATINGS_TO_REMOVE": 10,
    "REWARD_SHARE": 0.10,
    "REWARD_MIN_LECTURES": 3,
    "MAX_LINKS": 300,
}


@dataclass(frozen=True)
class Thresholds:
    """The figures of one computation (stored with a yearly run as ``thresholds``)."""

    prior_weight: int
    remove_below: Decimal
    warn_below: Decimal
    min_ratings_to_remove: int
    reward_share: Decimal
    reward_min_lectures: int

    def as_json(self) -> dict:
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict) -> "Thresholds":
        return cls(
            prior_weight=int(data["prior_weight"]),
            remove_below=Decimal(str(data["remove_below"])),
            warn_below=Decimal(str(data["warn_below"])),
            min_ratings_to_remove=int(data["min_ratings_to_remove"]),
            reward_share=Decimal(str(data["reward_share"])),
            reward_min_lectures=int(data["reward_min_lectures"]),
        )


def setting(key: str):
    return {**DEFAULTS, **getattr(settings, "EVALUATION", {})}[key]


def window_days() -> int:
    return int(setting("WINDOW_DAYS"))


def max_links() -> int:
    return int(setting("MAX_LINKS"))


def prior_weight() -> int:
    return int(setting("PRIOR_WEIGHT"))


def thresholds() -> Thresholds:
    return Thresholds(
        prior_weight=prior_weight(),
        remove_below=Decimal(str(setting("REMOVE_BELOW"))),
        warn_below=Decimal(str(setting("WARN_BELOW"))),
        min_ratings_to_remove=int(setting("MIN_RATINGS_TO_REMOVE")),
        reward_share=Decimal(str(setting("REWARD_SHARE"))),
        reward_min_lectures=int(setting("REWARD_MIN_LECTURES")),
    )
