"""The domain concept table: term matching, query expansion and category votes."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .schema import CATEGORIES
from .text import DATA_DIR, normalize

_ASCII_WORD = re.compile(r"[a-z0-9]")
_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


@dataclass(frozen=True)
class Concept:
    index: int
    name: str  # first term of the line
    category: str
    subarea: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class TermHit:
    term: str
    start: int
    end: int


class Lexicon:
    """Concepts loaded from ``lexicon.tsv`` and a fast longest-match term finder."""

    def __init__(self, concepts: list[Concept]):
        self.concepts = concepts
        self.subareas: list[str] = sorted({c.subarea for c in concepts})
        self.subarea_index = {s: i for i, s in enumerate(self.subareas)}
        self.subarea_category = {c.subarea: c.category for c in concepts}
        term_concepts: dict[str, list[int]] = defaultdict(list)
        for c in concepts:
            for t in c.terms:
                if c.index not in term_concepts[t]:
                    term_concepts[t].append(c.index)
        self.term_concepts: dict[str, tuple[int, ...]] = {t: tuple(v) for t, v in term_concepts.items()}
        # Terms bucketed by their first two characters (single-character terms by that character),
        # longest first, for the scanner.
        buckets: dict[str, list[str]] = defaultdict(list)
        for t in self.term_concepts:
            buckets[t[:2]].append(t)
        self._buckets = {k: sorted(v, key=len, reverse=True) for k, v in buckets.items()}

    @classmethod
    def load(cls, path: Path | None = None) -> Lexicon:
        path = path or DATA_DIR / "lexicon.tsv"
        concepts: list[Concept] = []
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 3 or parts[0] not in CATEGORIES:
                raise ValueError(f"{path.name}:{lineno}: expected '<category>\\t<sub-area>\\t<terms>'")
            terms: list[str] = []
            for raw in parts[2].split("|"):
                t = normalize(raw)
                if (len(t) >= 2 or _CJK_CHAR.fullmatch(t)) and t not in terms:
                    terms.append(t)
            if terms:
                concepts.append(Concept(len(concepts), terms[0], parts[0], parts[1].strip(), tuple(terms)))
        return cls(concepts)

    @property
    def terms(self) -> list[str]:
        return list(self.term_concepts)

    def find(self, text: str) -> list[TermHit]:
        """Term occurrences in normalised text; a hit inside a longer hit is dropped.

        ASCII terms (aed, cpr, 5g) must stand alone, so "ai" does not fire inside "email".
        """
        hits: list[TermHit] = []
        n = len(text)
        for i in range(n):
            bucket = self._buckets.get(text[i : i + 2], ())
            single = self._buckets.get(text[i])
            if single:
                bucket = (*bucket, *single)
            if not bucket:
                continue
            for t in bucket:
                if text.startswith(t, i):
                    end = i + len(t)
                    if t.isascii() and (
                        (i > 0 and _ASCII_WORD.match(text[i - 1])) or (end < n and _ASCII_WORD.match(text[end]))
                    ):
                        continue
                    hits.append(TermHit(t, i, end))
                    break  # longest term starting here
        if len(hits) < 2:
            return hits
        kept = []
        for h in hits:
            if not any(
                o is not h and o.start <= h.start and h.end <= o.end and (o.end - o.start) > (h.end - h.start)
                for o in hits
            ):
                kept.append(h)
        return kept

    def activations(self, hits: list[TermHit]) -> dict[int, float]:
        """Concept index -> activation; a term shared by several concepts splits its vote."""
        act: dict[int, float] = defaultdict(float)
        for h in hits:
            owners = self.term_concepts[h.term]
            for ci in owners:
                act[ci] += 1.0 / len(owners)
        return dict(act)


@lru_cache(maxsize=4)
def load_lexicon(path: str | None = None) -> Lexicon:
    return Lexicon.load(Path(path) if path else None)


def infer_subareas(lexicon: Lexicon, text: str, *, max_n: int = 3, min_share: float = 0.15) -> list[str]:
    """Sub-areas whose concepts the (normalised) text mentions most, best first."""
    weights: dict[str, float] = defaultdict(float)
    for ci, a in lexicon.activations(lexicon.find(text)).items():
        weights[lexicon.concepts[ci].subarea] += a
    total = sum(weights.values())
    if total <= 0:
        return []
    ranked = sorted(weights.items(), key=lambda x: (-x[1], x[0]))
    return [s for s, w in ranked[:max_n] if w / total >= min_share]


def lexicon_without(lexicon: Lexicon, terms: set[str]) -> Lexicon:
    """A copy of the lexicon without the given terms (concepts left empty are dropped)."""
    concepts: list[Concept] = []
    for c in lexicon.concepts:
        kept = tuple(t for t in c.terms if t not in terms)
        if kept:
            concepts.append(Concept(len(concepts), kept[0], c.category, c.subarea, kept))
    return Lexicon(concepts)
