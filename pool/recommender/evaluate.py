"""Offline evaluation of the model against two lexical baselines, computed in the same run.

Metrics (README of the dev set): NDCG@10 with gain 2^g-1 and discount log2(rank+1), MRR@10 of the
first grade>=2 result, Recall@10 of grade>=2 results out of min(n, 10). ``manage.py eval_recommender``
imports a folder's instructors into a scratch transaction and calls ``evaluate`` with the documents
and the rankings the recommender served.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from .baselines import BM25Baseline, CharTfidfBaseline, baseline_text
from .config import TopicConfig
from .index import TopicIndex
from .lexicon import Lexicon, lexicon_without, load_lexicon
from .metrics import all_metrics, mean_metrics
from .schema import InstructorDoc
from .text import normalize
from .tuning import NEUTRAL_CONFIG, Evaluator, cross_validate, tune

Rankings = dict[str, list[str]]  # qid -> codes, best first


def _top_codes(scores: np.ndarray, codes: list[str], k: int = 10) -> list[str]:
    order = np.lexsort((np.arange(len(scores)), -scores))[:k]
    return [codes[i] for i in order]


def rankings_of(score: Callable[[str], np.ndarray], queries: dict[str, str], codes: list[str]) -> Rankings:
    return {q: _top_codes(score(text), codes) for q, text in queries.items()}


def _metrics(rankings: Rankings, qrels: dict[str, dict[str, int]]) -> dict[str, dict[str, float]]:
    return {q: all_metrics(ranked, qrels.get(q, {})) for q, ranked in rankings.items()}


def query_only_terms(lexicon: Lexicon, queries: dict[str, str], docs: list[InstructorDoc]) -> set[str]:
    """Lexicon terms found in the needs but nowhere in the instructors' text: the colloquial
    triggers whose value on this set could come from knowing its needs."""
    corpus = normalize(" ".join(baseline_text(d) + " " + " ".join(d.subareas) for d in docs))
    found = {h.term for text in queries.values() for h in lexicon.find(normalize(text))}
    return {t for t in found if t not in corpus}


def evaluate(
    docs: list[InstructorDoc],
    queries: dict[str, str],
    qrels: dict[str, dict[str, int]],
    *,
    served: Rankings | None = None,
    config: TopicConfig | None = None,
    cv_folds: int = 0,
    ablate_query_terms: bool = True,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Figures of the model and both baselines on these instructors and needs.

    ``served`` are the rankings the recommender returned (the "model" row); without them the topic
    index's own ranking stands in. With ``ablate_query_terms`` the model also runs with a lexicon
    stripped of every term that occurs in the needs but in no instructor's text (a stand-in for needs
    phrased in words the lexicon does not know). With ``cv_folds`` >= 2 the tuning procedure is
    cross-validated: parameters tuned on k-1 folds of needs from a neutral hand-set configuration,
    measured on the held-out fold.
    """
    codes = [d.code for d in docs]
    texts = [baseline_text(d) for d in docs]
    t0 = time.perf_counter()
    index = TopicIndex.build(docs, config=config)
    build_s = time.perf_counter() - t0
    runs: dict[str, Rankings] = {
        "bm25": rankings_of(BM25Baseline(texts).scores, queries, codes),
        "tfidf_char": rankings_of(CharTfidfBaseline(texts).scores, queries, codes),
        "model": served if served is not None else rankings_of(index.scores, queries, codes),
    }
    per_query = {name: _metrics(r, qrels) for name, r in runs.items()}
    result: dict[str, Any] = {
        "n_docs": len(docs),
        "n_queries": len(queries),
        "build_seconds": build_s,
        "per_query": per_query,
    }
    ablated = None
    if ablate_query_terms:
        removed = query_only_terms(load_lexicon(), queries, docs)
        ablated = TopicIndex.build(docs, config=config, lexicon=lexicon_without(load_lexicon(), removed))
        per_query["model_ablated"] = _metrics(rankings_of(ablated.scores, queries, codes), qrels)
        result["ablated_terms"] = sorted(removed)
    for name, pq in per_query.items():
        result[name] = mean_metrics(pq)
    best = max(("bm25", "tfidf_char"), key=lambda b: result[b]["ndcg@10"])
    result["best_baseline"] = best
    result["ndcg_gain_vs_best_baseline"] = _gain(result["model"]["ndcg@10"], result[best]["ndcg@10"])
    if cv_folds >= 2:
        evaluator = Evaluator(index, queries, qrels, codes, stress=[ablated] if ablated else [])
        qids = list(queries)
        result["neutral"] = mean_metrics(evaluator.per_query(NEUTRAL_CONFIG, qids))
        cv = cross_validate(evaluator, qids, k=cv_folds, start=NEUTRAL_CONFIG, log=log)
        result["cv"] = cv
        result["cv_ndcg_gain_vs_best_baseline"] = _gain(cv["held_out"]["ndcg@10"], result[best]["ndcg@10"])
    return result


def tuned_config(
    docs: list[InstructorDoc],
    queries: dict[str, str],
    qrels: dict[str, dict[str, int]],
    *,
    log: Callable[[str], None] | None = None,
) -> TopicConfig:
    """Coordinate ascent from the neutral configuration on all needs, with the stripped lexicon as
    a stress index (how the shipped defaults in ``config.py`` were derived)."""
    codes = [d.code for d in docs]
    removed = query_only_terms(load_lexicon(), queries, docs)
    stress = TopicIndex.build(docs, lexicon=lexicon_without(load_lexicon(), removed))
    evaluator = Evaluator(TopicIndex.build(docs), queries, qrels, codes, stress=[stress])
    return tune(evaluator, list(queries), start=NEUTRAL_CONFIG, log=log)


def _gain(value: float, reference: float) -> float:
    return value / reference - 1.0 if reference > 0 else float("inf") if value > 0 else 0.0


BASELINE_LABELS = {
    "bm25": "BM25 (rank-bm25 on jieba tokens)",
    "tfidf_char": "TF-IDF (char 2-3-grams, sklearn)",
}


def format_table(result: dict[str, Any], *, model_label: str = "model") -> str:
    rows = [
        (BASELINE_LABELS["bm25"], result["bm25"]),
        (BASELINE_LABELS["tfidf_char"], result["tfidf_char"]),
        (model_label, result["model"]),
    ]
    if "model_ablated" in result:
        rows.append((f"model without {len(result['ablated_terms'])} need-only lexicon terms", result["model_ablated"]))
    if "cv" in result:
        folds = len(result["cv"]["configs"])
        rows.append(("model, neutral untuned config", result["neutral"]))
        rows.append((f"model, {folds}-fold CV: train folds", result["cv"]["train"]))
        rows.append((f"model, {folds}-fold CV: held-out", result["cv"]["held_out"]))
    width = max(len(r[0]) for r in rows) + 2
    lines = [
        f"{result['n_queries']} queries, {result['n_docs']} instructors",
        f"{'system':<{width}}{'NDCG@10':>9}{'MRR@10':>9}{'Recall@10':>11}",
        "-" * (width + 29),
    ]
    for name, m in rows:
        lines.append(f"{name:<{width}}{m['ndcg@10']:>9.3f}{m['mrr@10']:>9.3f}{m['recall@10']:>11.3f}")
    best = result["best_baseline"]
    lines.append("")
    lines.append(f"NDCG@10 vs best baseline ({best}): {result['ndcg_gain_vs_best_baseline']:+.1%}")
    if "cv" in result:
        lines.append(
            f"NDCG@10 vs best baseline ({best}), cross-validated: {result['cv_ndcg_gain_vs_best_baseline']:+.1%}"
        )
    return "\n".join(lines)


def format_per_query(result: dict[str, Any], queries: dict[str, str]) -> str:
    pq = result["per_query"]
    cvq = result.get("cv", {}).get("held_out_per_query", {})
    head = f"{'qid':<6}{'bm25':>6}{'tfidf':>7}{'model':>7}"
    head += " ablatd" if "model_ablated" in pq else ""
    head += "   cv" if cvq else ""
    lines = [head + "  need"]
    for q, text in queries.items():
        line = f"{q:<6}{pq['bm25'][q]['ndcg@10']:>6.2f}{pq['tfidf_char'][q]['ndcg@10']:>7.2f}"
        line += f"{pq['model'][q]['ndcg@10']:>7.2f}"
        if "model_ablated" in pq:
            line += f"{pq['model_ablated'][q]['ndcg@10']:>7.2f}"
        if cvq:
            line += f"{cvq[q]['ndcg@10']:>6.2f}"
        lines.append(f"{line}  {text}")
    return "\n".join(lines)
