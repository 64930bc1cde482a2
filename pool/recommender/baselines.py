"""The two lexical baselines of the dev set's README, for comparison in the same run."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

import jieba
import numpy as np
from rank_bm25 import BM25Okapi
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize

from .schema import InstructorDoc

_WORDLIKE = re.compile(r"[\u4e00-\u9fff0-9A-Za-z]")


def baseline_text(doc: InstructorDoc) -> str:
    """The plain text of the dev set's README baselines: 类别 + 专题 + 简介 + 工作单位 + 职称."""
    topics = "；".join(title for title, _abstract in doc.topics)
    return " ".join((doc.category, topics, doc.bio, doc.employer, doc.title))


class BM25Baseline:
    """rank_bm25.BM25Okapi over plain jieba tokens (default dictionary, no stop words; tokens
    without a letter, digit or ideograph, i.e. punctuation and spaces, are dropped)."""

    def __init__(self, texts: Sequence[str]):
        jieba.setLogLevel(logging.WARNING)
        self._bm25 = BM25Okapi([self._tokens(t) for t in texts])

    @staticmethod
    def _tokens(text: str) -> list[str]:
        return [t for t in jieba.lcut(text) if _WORDLIKE.search(t)]

    def scores(self, query: str) -> np.ndarray:
        return np.asarray(self._bm25.get_scores(self._tokens(query)))


class CharTfidfBaseline:
    """scikit-learn TF-IDF on character 2-3-grams, cosine similarity."""

    def __init__(self, texts: Sequence[str]):
        self._vec = TfidfVectorizer(analyzer="char", ngram_range=(2, 3))
        self._x = self._vec.fit_transform(texts)

    def scores(self, query: str) -> np.ndarray:
        q = l2_normalize(self._vec.transform([query]))
        return np.asarray((self._x @ q.T).todense()).ravel()
