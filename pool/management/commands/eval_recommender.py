"""manage.py eval_recommender DIR — NDCG@10, MRR@10 and Recall@10 of the recommender and two baselines."""

import json
import sys
import time
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from pool.imports import ImportRejected
from pool.recommender.conf import recommender_settings
from pool.recommender.dataset import DEV_SET, load_devset
from pool.recommender.evaluate import evaluate, format_per_query, format_table, tuned_config
from pool.recommender.index import TopicIndex
from pool.recommender.live import Snapshot
from pool.recommender.ranking import rank_need
from pool.recommender.scratch import scratch_import


class Command(BaseCommand):
    help = (
        "Measure the recommender on a folder in the layout of data/recsys-dev (instructors.csv, queries.jsonl, "
        "qrels.tsv): the folder's instructors are imported through the pool's importer in a transaction that is "
        "rolled back, every need is ranked as the API ranks it, and the table shows NDCG@10, MRR@10 and "
        "Recall@10 beside BM25 (rank-bm25 on jieba tokens) and TF-IDF on character 2-3-grams."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", nargs="?", default=str(DEV_SET), help=f"the data folder (default: {DEV_SET})")
        parser.add_argument("--cv", type=int, default=0, metavar="K", help="also cross-validate the tuning (K folds)")
        parser.add_argument("--per-query", action="store_true", help="print NDCG@10 of every need")
        parser.add_argument("--no-ablation", action="store_true", help="skip the run without need-only lexicon terms")
        parser.add_argument("--json", metavar="FILE", help="also write the figures to this JSON file")
        parser.add_argument(
            "--tune",
            action="store_true",
            help="re-derive the topic parameters on all needs (from the neutral config) and print them as JSON",
        )

    def handle(self, *args, folder, cv=0, per_query=False, no_ablation=False, json=None, tune=False, **options):
        started = time.perf_counter()
        try:
            devset = load_devset(folder)
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        config = recommender_settings().topic_config()

        def served_rankings(instructors):
            index = TopicIndex.build([i.doc for i in instructors], config=config)
            snapshot = Snapshot.create(
                index,
                {i.doc.id: i for i in instructors},
                token="evaluation",
                version=0,
                fingerprint=(len(instructors), None),
                seconds=0.0,
                full_build=True,
            )
            pool_ids = np.unique(snapshot.pool_of_row)
            rankings = {
                qid: [r.code for r in rank_need(snapshot, text, pool_ids=pool_ids, k=10)[0]]
                for qid, text in devset.queries.items()
            }
            return [i.doc for i in instructors], rankings

        try:
            docs, served = scratch_import(devset.instructors_csv, served_rankings)
        except ImportRejected as exc:
            for error in exc.errors[:20]:
                self.stderr.write(f"row {error.row}, column {error.column or '-'}: {error.message}")
            raise CommandError(f"{devset.instructors_csv}: {len(exc.errors)} problems; nothing was evaluated.") from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        log = (lambda line: self.stderr.write(line)) if options.get("verbosity", 1) > 1 else None
        if tune:
            self.stdout.write(_json_dumps(tuned_config(docs, devset.queries, devset.qrels, log=log).as_dict()))
            return
        result = evaluate(
            docs,
            devset.queries,
            devset.qrels,
            served=served,
            config=config,
            cv_folds=cv,
            ablate_query_terms=not no_ablation,
            log=log,
        )
        self.stdout.write(format_table(result, model_label="model (as the API ranks)"))
        if per_query:
            self.stdout.write("")
            self.stdout.write(format_per_query(result, devset.queries))
        self.stdout.write(f"\n({time.perf_counter() - started:.1f} s)")
        if json:
            path = Path(json)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(_json_dumps(result), encoding="utf-8")

    def execute(self, *args, **options):
        # Figures go to stdout; make sure a pipe in a non-UTF-8 locale does not break on Chinese.
        if hasattr(sys.stdout, "reconfigure"):
            sys.stdout.reconfigure(errors="replace")
        return super().execute(*args, **options)


def _json_dumps(result) -> str:
    return json.dumps(result, ensure_ascii=False, indent=2, default=float)
