"""The arithmetic of the evaluation, free of the database: the shrunk score and the yearly proposals.

The shrunk score (a Bayesian average) pulls an instructor's mean toward the pool's mean when there are
few ratings, so that two enthusiastic ratings do not outrank forty good ones and one bad afternoon does
not sink a newcomer::

    shrunk = (n · mean + k · pool_mean) / (n + k)

``n`` is the instructor's number of ratings that year, ``mean`` their mean (each rating's score is the
mean of its three 1–5 scores), ``pool_mean`` the mean of every rating of the pool's instructors that
year, and ``k`` the prior weight (``EVALUATION["PRIOR_WEIGHT"]``, default 5): the pool mean counts as k
ratings. With n = k the mean and the pool mean weigh the same; with many ratings the mean dominates.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from .conf import Thresholds
from .models import Outcome

CENT = Decimal("0.01")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def mean_of(total: int, count: int) -> Decimal | None:
    """The mean score of ``count`` ratings whose three scores add up to ``total``."""
    if not count:
        return None
    return _cents(Decimal(total) / (3 * count))


def pool_mean_of(total: int, count: int) -> Decimal | None:
    """The pool's mean, unrounded: the shrunk score is computed from it exactly (round it to show it)."""
    if not count:
        return None
    return Decimal(total) / (3 * count)


def cents(value: Decimal | None) -> Decimal | None:
    return None if value is None else _cents(value)


def shrink(*, total: int, count: int, pool_mean: Decimal, prior_weight: int) -> Decimal | None:
    """(n · mean + k · pool_mean) / (n + k), from the exact sum rather than the rounded mean."""
    if not count:
        return None
    n, k = Decimal(count), Decimal(prior_weight)
    return _cents((Decimal(total) / 3 + k * Decimal(pool_mean)) / (n + k))


@dataclass(frozen=True)
class Candidate:
    """What the run knows about one instructor of the pool."""

    instructor_id: int
    code: str
    status: str  # appointed, suspended or reserve
    rating_count: int = 0
    rating_total: int = 0
    lecture_count: int = 0
    incident_count: int = 0
    reserve_score: Decimal | None = None  # the intake's combined score, to order reserves
    reserve_since: object = None  # when the instructor became a reserve


@dataclass
class Computed:
    instructor_id: int
    status: str
    rating_count: int
    mean: Decimal | None
    shrunk_score: Decimal | None
    lecture_count: int
    incident_count: int
    rank: int | None
    proposed: str
    basis: str


def reward_slots(rated: int, share: Decimal) -> int:
    """How many may be rewarded: the share of the rated instructors, rounded half up."""
    return int((Decimal(rated) * share).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _fmt(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def classify(candidates: Iterable[Candidate], *, pool_mean: Decimal | None, t: Thresholds) -> list[Computed]:
    """The proposals of a yearly run, one per candidate, in rank order (reserves last).

    - removal (教学质量评估不佳): at least ``min_ratings_to_remove`` ratings and a shrunk score below
      ``remove_below``;
    - warning: a shrunk score below ``warn_below`` (also a low score with too few ratings to remove);
    - reward (贡献突出): the best ``reward_share`` of the rated instructors by shrunk score, among the active
      ones with at least ``reward_min_lectures`` lectures that year, no discipline incident and a score
      not under ``warn_below``;
    - keep: everyone else, the unrated included;
    - promotion: as many reserves as removals free seats (best intake score first, then the longest
      waiting); the other reserves stay in the reserve.
    """
    candidates = list(candidates)
    evaluated = [c for c in candidates if c.status != "reserve"]
    reserves = [c for c in candidates if c.status == "reserve"]
    out: dict[int, Computed] = {}
    for c in evaluated:
        mean = mean_of(c.rating_total, c.rating_count)
        shrunk = (
            shrink(total=c.rating_total, count=c.rating_count, pool_mean=pool_mean, prior_weight=t.prior_weight)
            if c.rating_count and pool_mean is not None
            else None
        )
        out[c.instructor_id] = Computed(
            instructor_id=c.instructor_id,
            status=c.status,
            rating_count=c.rating_count,
            mean=mean,
            shrunk_score=shrunk,
            lecture_count=c.lecture_count,
            incident_count=c.incident_count,
            rank=None,
            proposed=Outcome.KEEP,
            basis="",
        )
    by_code = {c.instructor_id: c.code for c in candidates}
    rated = sorted(
        (x for x in out.values() if x.shrunk_score is not None),
        key=lambda x: (-x.shrunk_score, -x.rating_count, by_code[x.instructor_id]),
    )
    for rank, x in enumerate(rated, start=1):
        x.rank = rank

    for x in out.values():
        figures = _("%(n)s ratings, mean %(mean)s, adjusted score %(shrunk)s") % {
            "n": x.rating_count,
            "mean": _fmt(x.mean),
            "shrunk": _fmt(x.shrunk_score),
        }
        if x.shrunk_score is None:
            x.basis = _("No ratings this year.")
        elif x.shrunk_score < t.remove_below and x.rating_count >= t.min_ratings_to_remove:
            x.proposed = Outcome.REMOVE
            x.basis = _("Poor teaching quality: %(figures)s, below %(limit)s with at least %(min)s ratings.") % {
                "figures": figures,
                "limit": _fmt(t.remove_below),
                "min": t.min_ratings_to_remove,
            }
        elif x.shrunk_score < t.warn_below:
            x.proposed = Outcome.WARN
            if x.shrunk_score < t.remove_below:
                x.basis = _("%(figures)s: below %(limit)s, but fewer than %(min)s ratings, too few to remove.") % {
                    "figures": figures,
                    "limit": _fmt(t.remove_below),
                    "min": t.min_ratings_to_remove,
                }
            else:
                x.basis = _("%(figures)s: below the warning line %(limit)s.") % {
                    "figures": figures,
                    "limit": _fmt(t.warn_below),
                }
        else:
            x.basis = _("%(figures)s.") % {"figures": figures}

    slots = reward_slots(len(rated), t.reward_share)
    eligible = [
        x
        for x in rated
        if x.status == "appointed"
        and x.proposed == Outcome.KEEP
        and x.lecture_count >= t.reward_min_lectures
        and x.incident_count == 0
    ]
    for x in eligible[:slots]:
        x.proposed = Outcome.REWARD
        x.basis = _("Outstanding contribution: rank %(rank)s of %(rated)s, %(figures)s, %(lectures)s lectures.") % {
            "rank": x.rank,
            "rated": len(rated),
            "figures": _("%(n)s ratings, mean %(mean)s, adjusted score %(shrunk)s")
            % {"n": x.rating_count, "mean": _fmt(x.mean), "shrunk": _fmt(x.shrunk_score)},
            "lectures": x.lecture_count,
        }
    for x in out.values():
        if x.incident_count:
            x.basis += " " + _("Discipline incidents recorded this year: %(n)s.") % {"n": x.incident_count}

    freed = sum(1 for x in out.values() if x.proposed == Outcome.REMOVE)
    ordered_reserves = sorted(
        reserves,
        key=lambda c: (
            c.reserve_score is None,
            -(c.reserve_score or 0),
            c.reserve_since is None,
            c.reserve_since or 0,
            c.code,
        ),
    )
    result = sorted(out.values(), key=lambda x: (x.rank is None, x.rank or 0, by_code[x.instructor_id]))
    for position, c in enumerate(ordered_reserves, start=1):
        promote = position <= freed
        score = "" if c.reserve_score is None else _("intake score %(s)s") % {"s": _fmt(c.reserve_score)}
        if promote:
            basis = _("Reserve no. %(n)s, promoted into a seat freed by a removal.") % {"n": position}
        else:
            basis = _("Reserve no. %(n)s; no seat freed for it this year.") % {"n": position}
        result.append(
            Computed(
                instructor_id=c.instructor_id,
                status=c.status,
                rating_count=0,
                mean=None,
                shrunk_score=None,
                lecture_count=0,
                incident_count=c.incident_count,
                rank=None,
                proposed=Outcome.PROMOTE if promote else Outcome.STAY_RESERVE,
                basis=f"{basis} {score}".strip(),
            )
        )
    return result
