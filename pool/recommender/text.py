"""Text normalisation and the two token views: jieba words and character n-grams."""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import jieba

DATA_DIR = Path(__file__).resolve().parent / "data"

# A "run" is a stretch of CJK ideographs or ASCII letters/digits; n-grams never cross runs, so
# punctuation, emoji and spaces act as separators.
_RUN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+(?:[+.][a-z0-9]+)*\+?")
_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORDLIKE_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaffa-z0-9]")
_SPACES_RE = re.compile(r"\s+")

#: Longest query that is analysed; anything beyond is ignored (a need is a sentence or two).
MAX_QUERY_CHARS = 500


# How a need asks for the lecture ("…，想请人讲讲怎么照顾好留守老人"): what follows the last of these
# is the topic; what comes before is often context (who the audience is, what happened).
_REQUEST_RE = re.compile(r"讲一讲|讲讲|谈一谈|谈谈|聊聊|说说|讲解|介绍一下|分享一下|教教|学学|听听|了解一下|指导一下")
_MIN_FOCUS_CJK = 2


def split_request(text: str) -> tuple[str, str]:
    """``(context, focus)`` of a normalised need: the focus is the text after the last request
    phrase when at least two ideographs follow it; otherwise the whole need (and no context)."""
    matches = list(_REQUEST_RE.finditer(text))
    if not matches:
        return "", text
    last = matches[-1]
    focus = text[last.end() :]
    if len(_CJK_RE.findall(focus)) < _MIN_FOCUS_CJK:
        return "", text
    return text[: last.start()], focus


def normalize(text: str | None) -> str:
    """NFKC (full-width to half-width), lower case, single spaces."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", str(text)).lower()
    return _SPACES_RE.sub(" ", text).strip()


def read_word_list(path: Path) -> list[str]:
    """Lines of a data file, without comments and blanks."""
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.append(line)
    return words


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(normalize(w) for w in read_word_list(DATA_DIR / "stopwords.txt"))


@lru_cache(maxsize=1)
def _stop_phrase_re() -> re.Pattern[str]:
    phrases = sorted({normalize(p) for p in read_word_list(DATA_DIR / "stop_phrases.txt")}, key=len, reverse=True)
    return re.compile("|".join(re.escape(p) for p in phrases))


def strip_filler(text: str) -> str:
    """Remove generic bio filler ("讲课接地气", "深受基层党员欢迎") from normalised text."""
    return _stop_phrase_re().sub("，", text)


class _Segmenter:
    """A private jieba tokenizer with the domain vocabulary (the global one is left untouched)."""

    def __init__(self, words: Iterable[str]):
        jieba.setLogLevel(logging.WARNING)
        self._tk = jieba.Tokenizer()
        self._tk.initialize()
        for line in read_word_list(DATA_DIR / "userdict.txt"):
            parts = line.split()
            self._tk.add_word(normalize(parts[0]), int(parts[1]) if len(parts) > 1 else 2000)
        for w in words:
            if _CJK_RE.search(w) and len(w) >= 2:
                self._tk.add_word(w, 2000)
        self._lock = threading.Lock()

    def cut_precise(self, text: str) -> list[str]:
        with self._lock:
            return list(self._tk.cut(text, HMM=True))

    def search_subwords(self, word: str) -> list[str]:
        """The dictionary 2- and 3-grams inside a long word, as jieba's search mode emits them
        (农产品网络营销 -> 农产, 产品, 网络, 营销, 农产品, …): a need can then match part of a
        compound term and vice versa."""
        freq = self._tk.FREQ
        out = []
        if len(word) > 2:
            out.extend(g for g in (word[i : i + 2] for i in range(len(word) - 1)) if freq.get(g))
        if len(word) > 3:
            out.extend(g for g in (word[i : i + 3] for i in range(len(word) - 2)) if freq.get(g))
        return out


class Analyzer:
    """Turns normalised text into word tokens (jieba) and character n-grams."""

    def __init__(self, domain_words: Iterable[str], char_ngrams: tuple[int, int] = (2, 3)):
        self._segmenter = _Segmenter(domain_words)
        self._stop = stopwords()
        self.char_ngrams = char_ngrams

    def words(self, text: str) -> list[str]:
        return self.analyse(text)[0]

    def _keep_word(self, tok: str) -> bool:
        return (
            bool(tok)
            and tok not in self._stop
            and bool(_WORDLIKE_RE.search(tok))
            and not (tok.isascii() and len(tok) < 2)
        )

    def analyse(self, text: str) -> tuple[list[str], list[str]]:
        """Word tokens (jieba search mode: long words plus their dictionary sub-words) and
        character n-grams (not crossing stop words or punctuation), from a single segmentation."""
        words: list[str] = []
        pieces: list[str] = []
        for tok in self._segmenter.cut_precise(text):
            stripped = tok.strip()
            if stripped in self._stop:
                pieces.append(" ")
                continue
            pieces.append(tok)
            if self._keep_word(stripped):
                words.extend(w for w in self._segmenter.search_subwords(stripped) if self._keep_word(w))
                words.append(stripped)
        return words, self._ngrams("".join(pieces))

    def without_stopwords(self, text: str) -> str:
        """The text with stop words replaced by a separator (keeps n-grams off the filler)."""
        return "".join(" " if tok in self._stop else tok for tok in self._segmenter.cut_precise(text))

    def chars(self, text: str, *, drop_stopwords: bool = True) -> list[str]:
        return self._ngrams(self.without_stopwords(text) if drop_stopwords else text)

    def _ngrams(self, text: str) -> list[str]:
        lo, hi = self.char_ngrams
        out = []
        for run in _RUN_RE.findall(text):
            if run.isascii():
                if len(run) >= 2:
                    out.append(run)  # a Latin word or number is one unit
                continue
            n_run = len(run)
            for n in range(lo, hi + 1):
                for i in range(n_run - n + 1):
                    out.append(run[i : i + n])
        return out
