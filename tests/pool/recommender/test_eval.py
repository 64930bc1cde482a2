"""manage.py eval_recommender: the metrics, the scratch import, and the dev-set regression guard."""

import json
import math
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from orgs.models import Organization
from pool.models import Instructor, Pool
from pool.recommender.dataset import DEV_SET
from pool.recommender.metrics import mrr_at_k, ndcg_at_k, recall_at_k
from tests.pool.recommender.small_pool import SMALL_POOL

HEADER = "编号,姓名,性别,工作单位,职称,层级,所属,类别,专题,简介,手机,是否党员"


def test_ndcg_perfect_and_swapped():
    grades = {"a": 3, "b": 2, "c": 1}

    assert ndcg_at_k(["a", "b", "c"], grades) == pytest.approx(1.0)
    swapped = (3 + 7 / math.log2(3) + 1 / 2) / (7 + 3 / math.log2(3) + 1 / 2)
    assert ndcg_at_k(["b", "a", "c"], grades) == pytest.approx(swapped)


def test_mrr_counts_only_grade_two_and_up():
    assert mrr_at_k(["x", "c", "b"], {"b": 2, "c": 1}) == pytest.approx(1 / 3)
    assert mrr_at_k(["x"], {"b": 2}) == 0.0


def test_recall_out_of_min_n_10():
    grades = {f"d{i}": 2 for i in range(12)}

    assert recall_at_k([f"d{i}" for i in range(10)], grades) == pytest.approx(1.0)
    assert recall_at_k(["d0", "x"], {"d0": 3, "d1": 2}) == pytest.approx(0.5)


def _folder(tmp_path, rows=None):
    lines = [HEADER]
    for d in SMALL_POOL:
        topics = "；".join(t for t, _ in d.topics)
        lines.append(
            f"{d.code},{d.name},男,{d.employer},{d.title or '无'},县级,江宁区,{d.category},{topics},{d.bio},,是"
        )
    lines += rows or []
    (tmp_path / "instructors.csv").write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    queries = [("q1", "老人没人照顾"), ("q2", "网上卖土特产"), ("q3", "汛期准备")]
    (tmp_path / "queries.jsonl").write_text(
        "\n".join(json.dumps({"qid": q, "text": t}, ensure_ascii=False) for q, t in queries), encoding="utf-8"
    )
    qrels = ["qid\tcode\tgrade", "q1\tT001\t3", "q2\tT003\t3", "q3\tT005\t3", "q3\tT007\t1"]
    (tmp_path / "qrels.tsv").write_text("\n".join(qrels) + "\n", encoding="utf-8")
    return tmp_path


@pytest.mark.django_db
def test_a_small_folder_is_evaluated_and_nothing_stays(tmp_path):
    out = StringIO()

    call_command(
        "eval_recommender", str(_folder(tmp_path)), "--per-query", "--json", str(tmp_path / "r.json"), stdout=out
    )

    result = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert (result["n_docs"], result["n_queries"]) == (8, 3)
    assert result["model"] == {"ndcg@10": pytest.approx(1.0, abs=0.05), "mrr@10": 1.0, "recall@10": 1.0}
    table = out.getvalue()
    assert "model (as the API ranks)" in table
    assert "BM25 (rank-bm25 on jieba tokens)" in table
    assert "TF-IDF (char 2-3-grams, sklearn)" in table
    assert "q2  " in table
    assert (Instructor.objects.count(), Pool.objects.count(), Organization.objects.count()) == (0, 0, 0)


@pytest.mark.django_db
def test_a_folder_that_does_not_import_is_reported_by_row(tmp_path):
    folder = _folder(tmp_path, rows=["X9,某人,男,某单位,无,县级,火星县,理论政策,专题,简介,,是"])
    err = StringIO()

    with pytest.raises(CommandError, match="1 problems"):
        call_command("eval_recommender", str(folder), stderr=err)

    assert "row 10, column 所属" in err.getvalue()
    assert Instructor.objects.count() == 0


def test_a_missing_folder_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match=r"instructors\.csv"):
        call_command("eval_recommender", str(tmp_path / "nowhere"))


@pytest.mark.django_db
def test_the_bundled_dev_set_meets_the_targets(tmp_path):
    """Regression guard (about 5 s): NDCG@10 at least 15 % above the best baseline, MRR@10 not below it."""
    call_command("eval_recommender", str(DEV_SET), "--json", str(tmp_path / "dev.json"), stdout=StringIO())

    result = json.loads((tmp_path / "dev.json").read_text(encoding="utf-8"))
    baselines = [result["bm25"], result["tfidf_char"]]
    assert (result["n_docs"], result["n_queries"]) == (300, 40)
    assert result["model"]["ndcg@10"] >= 1.15 * max(b["ndcg@10"] for b in baselines)
    assert result["model"]["mrr@10"] >= max(b["mrr@10"] for b in baselines)
    assert result["model_ablated"]["ndcg@10"] >= 1.15 * max(b["ndcg@10"] for b in baselines)
