"""Ranking metrics as defined in the dev set's README (all at cut-off 10)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def ndcg_at_k(ranked: Sequence[str], grades: dict[str, int], k: int = 10) -> float:
    """Gain 2^g - 1, discount log2(rank + 1), ideal from the judged grades."""
    dcg = sum((2 ** grades.get(c, 0) - 1) / math.log2(i + 2) for i, c in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def mrr_at_k(ranked: Sequence[str], grades: dict[str, int], k: int = 10) -> float:
    """Reciprocal rank of the first result with grade >= 2."""
    for i, c in enumerate(ranked[:k]):
        if grades.get(c, 0) >= 2:
            return 1.0 / (i + 1)
    return 0.0


def recall_at_k(ranked: Sequence[str], grades: dict[str, int], k: int = 10) -> float:
    """Share of grade >= 2 items in the top k, out of min(their number, k)."""
    relevant = {c for c, g in grades.items() if g >= 2}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / min(len(relevant), k)


def all_metrics(ranked: Sequence[str], grades: dict[str, int], k: int = 10) -> dict[str, float]:
    return {
        "ndcg@10": ndcg_at_k(ranked, grades, k),
        "mrr@10": mrr_at_k(ranked, grades, k),
        "recall@10": recall_at_k(ranked, grades, k),
    }


def mean_metrics(per_query: dict[str, dict[str, float]]) -> dict[str, float]:
    if not per_query:
        return {"ndcg@10": 0.0, "mrr@10": 0.0, "recall@10": 0.0}
    keys = next(iter(per_query.values())).keys()
    return {m: sum(v[m] for v in per_query.values()) / len(per_query) for m in keys}
