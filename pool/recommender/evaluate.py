"""Offline evaluation on a folder in the recsys-dev layout.

    python -m recommender.evaluate /path/to/recsys-dev            # model vs. baselines
    python -m recommender.evaluate /path/to/recsys-dev --cv 5     # plus 5-fold CV of the tuning
    python -m recommender.evaluate /path/to/recsys-dev --tune     # tune on all queries, print config

Metrics (README of the dev set): NDCG@10 with gain 2^g-1 and discount log2(rank+1), MRR@10 of the
first grade>=2 result, Recall@10 of grade>=2 results out of min(n, 10).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .baselines import BM25Baseline, CharTfidfBaseline, baseline_text
from .config import TopicConfig
from .dataset import load_devset
from .index import TopicIndex
from .lexicon import Lexicon, lexicon_without, load_lexicon
from .metrics import all_metrics, mean_metrics
from .text import normalize
from .tuning import NEUTRAL_CONFIG, Evaluator, cross_validate, tune


def _rank_codes(scores: np.ndarray, codes: list[str], k: int = 10) -> list[str]:
    order = np.lexsort((np.arange(len(scores)), -scores))[:k]
    return [codes[i] for i in order]


def _run(score: Callable[[str], np.ndarray], queries: dict[str, str], qrels, codes) -> dict[str, dict[str, float]]:
    return {q: all_metrics(_rank_codes(score(text), codes), qrels.get(q, {})) for q, text in queries.items()}


def query_only_terms(lexicon: Lexicon, queries: dict[str, str], rows: list[dict[str, str]]) -> set[str]:
    """Lexicon terms found in the needs but nowhere in the instructors' text: the colloquial
    triggers whose value on this set could come from knowing its needs."""
    corpus = normalize(" ".join(" ".join(r.values()) for r in rows))
    found = {h.term for text in queries.values() for h in lexicon.find(normalize(text))}
    return {t for t in found if t not in corpus}


def _ablated_index(ds, config: TopicConfig | None) -> tuple[TopicIndex, set[str]]:
    """Robustness check: an index whose lexicon lacks every term that only the needs contain, as
    if the needs had been phrased with words the lexicon does not know."""
    removed = query_only_terms(load_lexicon(), ds.queries, ds.rows)
    return TopicIndex.build(ds.docs, config=config, lexicon=lexicon_without(load_lexicon(), removed)), removed


def evaluate_folder(
    path: str | Path,
    *,
    config: TopicConfig | None = None,
    cv_folds: int = 0,
    ablate_query_terms: bool = True,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Model (``config`` or the shipped defaults) and both baselines on the folder's queries.

    With ``ablate_query_terms`` it also runs the model with a lexicon stripped of every term that
    occurs in the needs but in no instructor's text (a stand-in for needs phrased in words the
    lexicon does not know). With ``cv_folds`` >= 2 it cross-validates the tuning procedure:
    parameters are tuned on k-1 folds of queries (objective: mean NDCG@10 with the full and the
    stripped lexicon), starting from a neutral hand-set configuration, and measured on the
    held-out fold.
    """
    ds = load_devset(path)
    codes = [d.code for d in ds.docs]
    texts = [baseline_text(r) for r in ds.rows]
    t0 = time.perf_counter()
    index = TopicIndex.build(ds.docs, config=config)
    build_s = time.perf_counter() - t0
    result: dict[str, Any] = {"n_docs": len(ds.docs), "n_queries": len(ds.queries), "build_seconds": build_s}
    per_query = {
        "bm25": _run(BM25Baseline(texts).scores, ds.queries, ds.qrels, codes),
        "tfidf_char": _run(CharTfidfBaseline(texts).scores, ds.queries, ds.qrels, codes),
        "model": _run(index.scores, ds.queries, ds.qrels, codes),
    }
    result["per_query"] = per_query
    for name, pq in per_query.items():
        result[name] = mean_metrics(pq)
    best = max(("bm25", "tfidf_char"), key=lambda b: result[b]["ndcg@10"])
    result["best_baseline"] = best
    result["ndcg_gain_vs_best_baseline"] = result["model"]["ndcg@10"] / result[best]["ndcg@10"] - 1.0
    ablated = None
    if ablate_query_terms:
        ablated, removed = _ablated_index(ds, config)
        per_query["model_ablated"] = _run(ablated.scores, ds.queries, ds.qrels, codes)
        result["model_ablated"] = mean_metrics(per_query["model_ablated"])
        result["ablated_terms"] = sorted(removed)
    if cv_folds >= 2:
        evaluator = Evaluator(index, ds.queries, ds.qrels, codes, stress=[ablated] if ablated else [])
        qids = list(ds.queries)
        result["neutral"] = mean_metrics(evaluator.per_query(NEUTRAL_CONFIG, qids))
        cv = cross_validate(evaluator, qids, k=cv_folds, start=NEUTRAL_CONFIG, log=log)
        result["cv"] = cv
        result["cv_ndcg_gain_vs_best_baseline"] = cv["held_out"]["ndcg@10"] / result[best]["ndcg@10"] - 1.0
    return result


def format_table(result: dict[str, Any]) -> str:
    rows = [
        ("BM25 (jieba tokens, BM25Okapi)", result["bm25"]),
        ("TF-IDF (char 2-3-grams)", result["tfidf_char"]),
        ("model, shipped config", result["model"]),
    ]
    if "model_ablated" in result:
        rows.append((f"model, without {len(result['ablated_terms'])} need-only lexicon terms", result["model_ablated"]))
    if "cv" in result:
        rows.append(("model, neutral untuned config", result["neutral"]))
        rows.append((f"model, {len(result['cv']['configs'])}-fold CV: train folds", result["cv"]["train"]))
        rows.append((f"model, {len(result['cv']['configs'])}-fold CV: held-out", result["cv"]["held_out"]))
    width = max(len(r[0]) for r in rows) + 2
    lines = [
        f"{result['n_queries']} queries, {result['n_docs']} instructors"
        f" (index built in {result['build_seconds']:.2f} s)",
        f"{'system':<{width}}{'NDCG@10':>9}{'MRR@10':>9}{'Recall@10':>11}",
        "-" * (width + 29),
    ]
    for name, m in rows:
        lines.append(f"{name:<{width}}{m['ndcg@10']:>9.3f}{m['mrr@10']:>9.3f}{m['recall@10']:>11.3f}")
    best = result["best_baseline"]
    lines.append("")
    lines.append(f"NDCG@10 vs best baseline ({best}): {result['ndcg_gain_vs_best_baseline']:+.1%} (shipped config)")
    if "cv" in result:
        lines.append(
            f"NDCG@10 vs best baseline ({best}): {result['cv_ndcg_gain_vs_best_baseline']:+.1%} (cross-validated)"
        )
    return "\n".join(lines)


def format_per_query(result: dict[str, Any], queries: dict[str, str]) -> str:
    lines = [
        f"{'qid':<5}{'bm25':>6}{'tfidf':>7}{'model':>7}"
        + (" ablatd" if "model_ablated" in result else "")
        + ("   cv" if "cv" in result else "")
        + "  need"
    ]
    cvq = result.get("cv", {}).get("held_out_per_query", {})
    for q, text in queries.items():
        pq = result["per_query"]
        line = f"{q:<5}{pq['bm25'][q]['ndcg@10']:>6.2f}{pq['tfidf_char'][q]['ndcg@10']:>7.2f}"
        line += f"{pq['model'][q]['ndcg@10']:>7.2f}"
        if "model_ablated" in pq:
            line += f"{pq['model_ablated'][q]['ndcg@10']:>7.2f}"
        if cvq:
            line += f"{cvq[q]['ndcg@10']:>6.2f}"
        lines.append(f"{line}  {text}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m recommender.evaluate", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("path", help="folder with instructors.csv, queries.jsonl, qrels.tsv")
    parser.add_argument(
        "--cv", type=int, default=5, metavar="K", help="folds for cross-validating the tuning (0 = off; default 5)"
    )
    parser.add_argument("--config", help="JSON file with TopicConfig parameters (default: shipped config)")
    parser.add_argument("--per-query", action="store_true", help="print NDCG@10 of every query")
    parser.add_argument(
        "--tune", action="store_true", help="tune on all queries (from the neutral config) and print the result"
    )
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--no-ablation", action="store_true", help="skip the run without need-only lexicon terms")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    log = (lambda s: print(s, file=sys.stderr)) if args.verbose else None
    config = TopicConfig.from_dict(json.loads(Path(args.config).read_text())) if args.config else None
    if args.tune:
        ds = load_devset(args.path)
        index = TopicIndex.build(ds.docs)
        ablated, _ = _ablated_index(ds, None)
        ev = Evaluator(index, ds.queries, ds.qrels, [d.code for d in ds.docs], stress=[ablated])
        cfg = tune(ev, list(ds.queries), start=NEUTRAL_CONFIG, log=log)
        print(json.dumps(cfg.as_dict(), ensure_ascii=False, indent=2))
        return 0
    result = evaluate_folder(
        args.path, config=config, cv_folds=args.cv, ablate_query_terms=not args.no_ablation, log=log
    )
    print(format_table(result))
    if args.per_query:
        print()
        print(format_per_query(result, load_devset(args.path).queries))
    if args.json:
        out = Path(args.json)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
