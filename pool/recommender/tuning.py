"""Parameter tuning by coordinate ascent, and k-fold cross-validation over queries.

Only a handful of global parameters are tuned (field, view and blend weights); nothing is specific
to a query. Cross-validation tunes on the training folds and scores the held-out fold, so the
cross-validated figure estimates how the tuned model does on needs it has not seen.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .config import TopicConfig
from .index import TopicIndex
from .metrics import all_metrics, mean_metrics

#: Hand-set starting point of all tuning (fixed before any tuning was run, and kept so that the
#: cross-validation always starts from the same untuned configuration, not from the shipped one).
NEUTRAL_CONFIG = TopicConfig(
    field_weights={
        "category": 0.3,
        "subareas": 0.3,
        "topics": 1.0,
        "abstracts": 0.6,
        "bio": 0.5,
        "employer": 0.2,
        "title": 0.1,
        "lectures": 0.6,
    },
    view_weights={"word": 0.35, "char": 0.35, "concept": 0.3},
    expansion_weight=0.6,
    expansion_power=0.5,
    subarea_weight=0.3,
    prf_docs=5,
    prf_weight=0.3,
    prf_terms=40,
    category_weight=0.1,
    category_lexicon_share=0.5,
    category_floor=0.05,
    context_weight=0.5,
)

# One axis per tunable parameter: (name, candidate values). Field and view weights are addressed
# as "field:<name>" and "view:<name>".
SEARCH_SPACE: list[tuple[str, list[Any]]] = [
    ("view:concept", [0.0, 0.15, 0.3, 0.45, 0.6]),
    ("view:char", [0.15, 0.35, 0.55]),
    ("expansion_weight", [0.0, 0.3, 0.6, 1.0, 1.5]),
    ("expansion_power", [0.0, 0.5, 1.0]),
    ("subarea_weight", [0.0, 0.15, 0.3, 0.6]),
    ("prf_weight", [0.0, 0.15, 0.3, 0.5, 0.8]),
    ("prf_docs", [3, 5, 8]),
    ("category_weight", [0.0, 0.05, 0.1, 0.2, 0.3]),
    ("category_lexicon_share", [0.25, 0.5, 0.75]),
    ("context_weight", [0.3, 0.5, 0.7, 1.0]),
    ("field:bio", [0.25, 0.5, 0.75, 1.0]),
    ("field:subareas", [0.0, 0.3, 0.6]),
    ("field:employer", [0.0, 0.1, 0.2, 0.4]),
    ("field:title", [0.0, 0.1, 0.2]),
]


def apply_param(config: TopicConfig, name: str, value: Any) -> TopicConfig:
    if name.startswith("field:"):
        return config.with_changes(field_weights={name[6:]: value})
    if name.startswith("view:"):
        return config.with_changes(view_weights={name[5:]: value})
    return config.with_changes(**{name: value})


def get_param(config: TopicConfig, name: str) -> Any:
    if name.startswith("field:"):
        return config.field_weights.get(name[6:])
    if name.startswith("view:"):
        return config.view_weights.get(name[5:])
    return getattr(config, name)


@dataclass
class Evaluator:
    """Scores a configuration on a set of queries with graded judgements.

    ``base`` is the index the figures are reported for. ``stress`` are further indexes over the
    same instructors (e.g. built with a lexicon that lacks the needs' colloquial words); the
    tuning objective averages over all of them, so parameters that only work when the lexicon
    knows the exact phrasing of a need are not preferred.
    """

    base: TopicIndex
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    codes: list[str]
    stress: Sequence[TopicIndex] = ()

    def per_query(
        self, config: TopicConfig, qids: Sequence[str], index: TopicIndex | None = None
    ) -> dict[str, dict[str, float]]:
        index = (index or self.base).with_config(config)
        out = {}
        for q in qids:
            s = index.scores(self.queries[q])
            order = np.lexsort((np.arange(len(s)), -s))[:10]
            out[q] = all_metrics([self.codes[i] for i in order], self.qrels.get(q, {}))
        return out

    def objective(self, config: TopicConfig, qids: Sequence[str]) -> tuple[float, float]:
        runs = [mean_metrics(self.per_query(config, qids, idx)) for idx in (self.base, *self.stress)]
        return (float(np.mean([m["ndcg@10"] for m in runs])), float(np.mean([m["mrr@10"] for m in runs])))


def tune(
    evaluator: Evaluator,
    qids: Sequence[str],
    *,
    start: TopicConfig | None = None,
    passes: int = 2,
    min_gain: float = 0.002,
    log: Callable[[str], None] | None = None,
) -> TopicConfig:
    """Coordinate ascent: for each parameter in turn keep the value with the best mean NDCG@10
    (MRR@10 breaks ties); a change must gain at least ``min_gain`` to be taken."""
    best = start or TopicConfig()
    best_score = evaluator.objective(best, qids)
    for p in range(passes):
        changed = False
        for name, values in SEARCH_SPACE:
            current = get_param(best, name)
            for v in values:
                if v == current:
                    continue
                cand = apply_param(best, name, v)
                score = evaluator.objective(cand, qids)
                if score[0] > best_score[0] + min_gain or (
                    abs(score[0] - best_score[0]) <= 1e-12 and score[1] > best_score[1] + min_gain
                ):
                    best, best_score, changed = cand, score, True
                    if log:
                        log(f"  pass {p + 1}: {name}={v} -> ndcg {score[0]:.4f} mrr {score[1]:.4f}")
        if not changed:
            break
    return best


def folds(qids: Sequence[str], k: int = 5, seed: int = 13) -> list[list[str]]:
    shuffled = list(qids)
    random.Random(seed).shuffle(shuffled)
    return [shuffled[i::k] for i in range(k)]


def cross_validate(
    evaluator: Evaluator,
    qids: Sequence[str],
    *,
    k: int = 5,
    seed: int = 13,
    start: TopicConfig | None = None,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Tune on k-1 folds, measure on the held-out one; returns pooled held-out metrics, the
    training-fold metrics (to show the gap) and each fold's tuned configuration."""
    held_out: dict[str, dict[str, float]] = {}
    train_scores = []
    configs = []
    for i, test in enumerate(folds(qids, k, seed)):
        train = [q for q in qids if q not in test]
        if log:
            log(f"fold {i + 1}/{k}: tuning on {len(train)} queries")
        cfg = tune(evaluator, train, start=start, log=log)
        configs.append(cfg)
        train_scores.append(mean_metrics(evaluator.per_query(cfg, train)))
        held_out.update(evaluator.per_query(cfg, test))
    return {
        "held_out": mean_metrics(held_out),
        "held_out_per_query": held_out,
        "train": {m: float(np.mean([t[m] for t in train_scores])) for m in train_scores[0]},
        "configs": [c.as_dict() for c in configs],
    }
