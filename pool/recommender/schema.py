"""Public data types of the recommender: documents in, matches and guesses out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

DocId: TypeAlias = int | str

#: The six categories of the instructor pool, in the order of the source document.
CATEGORIES: tuple[str, ...] = ("理论政策", "经济发展", "人文社科", "综合管理", "技能素养", "先进模范")


@dataclass
class InstructorDoc:
    """What the recommender needs to know about one instructor."""

    id: DocId
    code: str
    name: str
    category: str  # one of CATEGORIES
    subareas: list[str]
    topics: list[tuple[str, str]]  # (title, abstract); abstract may be ""
    bio: str = ""
    employer: str = ""
    title: str = ""  # 职称
    lecture_titles: list[str] = field(default_factory=list)


@dataclass
class TopicExplanation:
    """Why an instructor fits a need ("why this instructor").

    ``matched_terms``: the need's terms (its own words first, then expansion terms) found in the
    instructor's text; ``matched_by_field``: the same per field; ``expanded_from``: for an
    expansion term, the word of the need that brought it in (e.g. 居家养老 <- 留守老人);
    ``field_scores``: the text score split over the instructor's fields (sums to the text part of
    ``TopicMatch.raw_score``).
    """

    matched_terms: list[str] = field(default_factory=list)
    matched_by_field: dict[str, list[str]] = field(default_factory=dict)
    expanded_from: dict[str, str] = field(default_factory=dict)
    field_scores: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class TopicMatch:
    """Topic fit of one instructor for one need.

    ``score`` is the topic fit relative to the best-fitting instructor of the whole index for this
    need (the best one gets 1.0, an instructor sharing nothing with the need gets 0.0), so it can be
    blended with other 0..1 signals. ``raw_score`` is the absolute blended similarity before that
    scaling (text similarity plus ``category_boost``, the part that comes from the category
    inferred for the need). ``explanation`` is filled for the top results only (one allocation per
    result otherwise keeps a full ranking of thousands of instructors cheap); the shortcuts
    ``matched_terms`` and ``field_scores`` read it and are empty without it.
    """

    id: DocId
    score: float
    raw_score: float = 0.0
    category_boost: float = 0.0
    explanation: TopicExplanation | None = None

    @property
    def matched_terms(self) -> list[str]:
        return self.explanation.matched_terms if self.explanation else []

    @property
    def field_scores(self) -> dict[str, float]:
        return self.explanation.field_scores if self.explanation else {}


@dataclass
class CategoryGuess:
    """Which of the six categories (and which sub-areas) a need is about."""

    probabilities: dict[str, float]  # category -> probability, sums to 1
    top: str | None  # most probable category, None when the need says nothing recognisable
    confidence: float  # probability of ``top`` (1/6 when nothing was recognised)
    subareas: list[tuple[str, float]]  # (sub-area, weight), best first
    concepts: list[str]  # names of the domain concepts recognised in the need
