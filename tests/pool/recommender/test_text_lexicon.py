"""Text normalisation, segmentation and the concept lexicon."""

from __future__ import annotations

from pool.recommender import InstructorDoc, TopicConfig, TopicIndex
from pool.recommender.lexicon import infer_subareas, load_lexicon
from pool.recommender.schema import CATEGORIES
from pool.recommender.text import normalize, split_request, strip_filler
from tests.pool.recommender.small_pool import SMALL_POOL


def test_normalize_full_width_and_case():
    assert normalize("ＡＥＤ　使用") == "aed 使用"


def test_strip_filler_removes_generic_bio_praise():
    assert "深受基层党员欢迎" not in strip_filler(normalize("讲课接地气，深受基层党员欢迎。"))


def test_lexicon_categories_are_the_six():
    lexicon = load_lexicon()

    assert {c.category for c in lexicon.concepts} <= set(CATEGORIES)
    assert {c.category for c in lexicon.concepts} == set(CATEGORIES)
    assert len(lexicon.concepts) > 150


def test_lexicon_prefers_longest_term():
    lexicon = load_lexicon()

    terms = [h.term for h in lexicon.find("孩子沉迷手机怎么办")]

    assert "沉迷手机" in terms
    assert "手机" not in terms


def test_lexicon_ascii_terms_need_word_boundaries():
    lexicon = load_lexicon()

    assert [h.term for h in lexicon.find("aed使用")] == ["aed使用"]
    assert lexicon.find("email") == []


def test_colloquial_terms_share_a_concept_with_formal_ones():
    lexicon = load_lexicon()

    def concepts(term: str) -> set[str]:
        return {lexicon.concepts[i].name for i in lexicon.term_concepts[term]}

    assert concepts("留守老人") & concepts("居家养老")
    assert concepts("网上卖货") & concepts("电子商务")
    assert concepts("借钱不还") & concepts("民间借贷")


def test_infer_subareas_from_text():
    assert infer_subareas(load_lexicon(), "居家养老服务和社会保障")[0] == "民生建设"


def test_split_request_separates_context_from_the_asked_topic():
    assert split_request("村里年轻人都出去打工了，想请人讲讲怎么照顾好留守老人") == (
        "村里年轻人都出去打工了，想请人",
        "怎么照顾好留守老人",
    )
    assert split_request("猪场里猪仔拉稀死了好几头，请兽医来讲讲") == ("", "猪场里猪仔拉稀死了好几头，请兽医来讲讲")
    assert split_request("党史学习教育专题党课") == ("", "党史学习教育专题党课")


def test_the_asked_topic_outweighs_the_audience_named_before_it():
    calligrapher = InstructorDoc(11, "A", "甲", "人文社科", [], [("书法艺术欣赏", "")], bio="书法家，讲授楷书和行书。")
    focused = TopicIndex.build([*SMALL_POOL, calligrapher])
    flat = focused.with_config(TopicConfig(context_weight=1.0))
    need = "村里的老人们想听听怎么写好毛笔字"

    assert [m.id for m in focused.rank(need, k=2)] == [11, 1]  # 书法 first, 居家养老 second
    assert [m.id for m in flat.rank(need, k=2)] == [1, 11]
