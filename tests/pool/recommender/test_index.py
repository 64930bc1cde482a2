"""TopicIndex behaviour on a small hand-written pool."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pool.recommender import CATEGORIES, InstructorDoc, TopicIndex
from tests.pool.recommender.small_pool import SMALL_POOL


@pytest.mark.parametrize(
    ("need", "expected_id"),
    [
        ("村里年轻人都在外面，老人没人照顾怎么办", 1),  # colloquial -> 居家养老 / 养老服务
        ("想在网上把咱村的土特产卖出去", 3),  # -> 电子商务 / 网络营销
        ("邻居借了钱一直不还，能不能打官司", 4),  # -> 民间借贷 / 法律
        ("马上要进入汛期了，村里怎么提前准备", 5),  # -> 防汛抗旱
        ("桃树梨树怎么剪枝", 2),  # -> 果树整形修剪
        ("让党员都学会在有人晕倒时怎么急救", 7),  # -> 心肺复苏 / 急救
        ("请一位劳模讲讲奋斗故事", 8),
    ],
)
def test_rank_colloquial_need_finds_instructor_with_formal_terms(small_index, need, expected_id):
    result = small_index.rank(need, k=3)

    assert result[0].id == expected_id


def test_rank_reports_matched_terms_and_their_origin(small_index):
    result = small_index.rank("老人没人照顾怎么办", k=1)[0]

    assert result.id == 1
    assert result.matched_terms == ["养老机构", "医养结合", "居家养老服务"]
    assert result.explanation.matched_by_field == {"topics": ["医养结合", "居家养老服务"], "bio": ["养老机构"]}
    assert result.explanation.expanded_from == dict.fromkeys(result.matched_terms, "老人没人照顾")


def test_rank_field_scores_add_up_to_text_score(small_index):
    result = small_index.rank("民间借贷纠纷", k=1)[0]

    assert result.id == 4
    assert math.isclose(sum(result.field_scores.values()), result.raw_score - result.category_boost, rel_tol=1e-4)
    assert max(result.field_scores, key=result.field_scores.get) == "topics"


def test_rank_candidates_restricts_results(small_index):
    result = small_index.rank("老人没人照顾", candidates=[2, 3, 99], k=None)

    assert sorted(m.id for m in result) == [2, 3]


def test_rank_empty_candidates_returns_nothing(small_index):
    assert small_index.rank("养老服务", candidates=[], k=None) == []


def test_rank_without_k_returns_every_instructor_sorted(small_index):
    result = small_index.rank("防汛抢险", k=None)

    assert len(result) == len(SMALL_POOL)
    scores = [m.score for m in result]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] == pytest.approx(1.0)
    assert all(0.0 <= s <= 1.0 for s in scores)


def test_rank_explains_only_the_requested_top(small_index):
    result = small_index.rank("防汛抢险", k=None, explain=2)

    assert [m.explanation is not None for m in result[:3]] == [True, True, False]
    assert result[5].matched_terms == []


def test_rank_k_larger_than_pool_returns_all(small_index):
    assert len(small_index.rank("党史", k=100)) == len(SMALL_POOL)


def test_rank_scores_relative_to_best_of_whole_index(small_index):
    full = {m.id: m.score for m in small_index.rank("心肺复苏", k=None)}
    subset = small_index.rank("心肺复苏", candidates=[2, 3], k=None)

    assert [m.score for m in subset] == [full[m.id] for m in subset]


@pytest.mark.parametrize(
    "need",
    [
        "",
        "   ",
        "！？。，、……",
        "😀🎉👍🙏",
        "hello world, party building!",
        "a" * 2000,
        "养老" * 1000,
        "的了吗呢",
        "\n\t",
        "12345",
    ],
)
def test_rank_garbage_needs_do_not_crash(small_index, need):
    result = small_index.rank(need, k=None)

    assert len(result) == len(SMALL_POOL)
    assert all(0.0 <= m.score <= 1.0 and np.isfinite(m.raw_score) for m in result)


@pytest.mark.parametrize("need", ["", "！？。，", "😀🎉👍", "hello world"])
def test_rank_unrecognisable_need_scores_zero(small_index, need):
    result = small_index.rank(need, k=None)

    assert [m.score for m in result] == [0.0] * len(SMALL_POOL)
    assert small_index.infer_category(need).top is None


def test_rank_none_query_is_treated_as_empty(small_index):
    assert [m.score for m in small_index.rank(None, k=3)] == [0.0, 0.0, 0.0]  # type: ignore[arg-type]


def test_infer_category_colloquial_needs(small_index):
    assert small_index.infer_category("大棚里的菜老是生虫子").top == "技能素养"
    assert small_index.infer_category("党史学习教育").top == "理论政策"
    assert small_index.infer_category("村里老人没人照顾").top == "综合管理"


def test_infer_category_probabilities_sum_to_one(small_index):
    guess = small_index.infer_category("网上卖土特产")

    assert set(guess.probabilities) == set(CATEGORIES)
    assert sum(guess.probabilities.values()) == pytest.approx(1.0)
    assert guess.top == "经济发展"
    assert guess.subareas[0][0] == "互联网经济"


def test_explain_one_instructor(small_index):
    match = small_index.explain("老人没人照顾", 1)

    assert match.id == 1
    assert match.score == pytest.approx(1.0)
    assert match.matched_terms


def test_explain_unknown_instructor_raises(small_index):
    with pytest.raises(KeyError):
        small_index.explain("养老", 12345)


def test_with_document_equals_full_rebuild(small_index):
    new = InstructorDoc(
        id=9,
        code="T009",
        name="讲师9",
        category="技能素养",
        subareas=[],
        topics=[("小龙虾稻田综合种养", "稻虾共作的技术要点与效益")],
        bio="水产技术推广站站长。",
    )
    changed = SMALL_POOL[1].__class__(**{**SMALL_POOL[1].__dict__, "topics": [("葡萄避雨栽培", "")]})

    incremental = small_index.with_document(new).with_document(changed)
    rebuilt = TopicIndex.build([d if d.id != changed.id else changed for d in SMALL_POOL] + [new])

    for need in ("稻田里养虾", "葡萄怎么种", "老人没人照顾", "果树修剪"):
        a = {m.id: m.raw_score for m in incremental.rank(need, k=None)}
        b = {m.id: m.raw_score for m in rebuilt.rank(need, k=None)}
        assert a.keys() == b.keys()
        assert all(a[i] == pytest.approx(b[i], abs=1e-6) for i in a)
    assert len(small_index) == len(SMALL_POOL)  # the original index is unchanged


def test_without_document_removes_instructor(small_index):
    smaller = small_index.without_document(1)

    assert len(smaller) == len(SMALL_POOL) - 1
    assert 1 not in {m.id for m in smaller.rank("养老服务", k=None)}


def test_build_rejects_duplicate_ids():
    with pytest.raises(ValueError):
        TopicIndex.build([SMALL_POOL[0], SMALL_POOL[0]])


def test_build_empty_pool():
    index = TopicIndex.build([])

    assert len(index) == 0
    assert index.rank("养老", k=None) == []


def test_size_bytes_is_positive(small_index):
    assert small_index.size_bytes() > 0


def test_fit_scores_match_rank_scores(small_index):
    ranked = {m.id: m.score for m in small_index.rank("防汛抢险", k=None)}

    assert small_index.fit_scores("防汛抢险") == pytest.approx(ranked)
    assert small_index.fit_scores("防汛抢险", candidates=[5, 99]) == pytest.approx({5: ranked[5]})
