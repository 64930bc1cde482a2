"""Tunable parameters of the topic index.

The defaults come from the procedure ``manage.py eval_recommender --tune`` runs (run on the dev set
before the package moved into the pool; ``context_weight`` was added afterwards, set by hand to 0.5):
coordinate ascent from the hand-set ``tuning.NEUTRAL_CONFIG`` over global parameters only, the
objective being mean NDCG@10 over the dev needs with the full lexicon and with a lexicon stripped of
the needs' own colloquial words. The same procedure, cross-validated over 5 folds of needs, is what
``eval_recommender --cv 5`` reports; the dev figures are flat around these values (±0.005).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

#: Instructor fields, in the order used everywhere (matrices, explanations).
FIELDS: tuple[str, ...] = ("category", "subareas", "topics", "abstracts", "bio", "employer", "title", "lectures")

#: The three text views that are blended.
VIEWS: tuple[str, ...] = ("word", "char", "concept")


def _default_field_weights() -> dict[str, float]:
    return {
        "category": 0.3,
        "subareas": 0.3,
        "topics": 1.0,
        "abstracts": 0.6,
        "bio": 0.75,
        "employer": 0.2,
        "title": 0.1,
        "lectures": 0.6,
    }


def _default_view_weights() -> dict[str, float]:
    return {"word": 0.35, "char": 0.35, "concept": 0.3}


@dataclass(frozen=True)
class TopicConfig:
    """Parameters of :class:`~recommender.index.TopicIndex`.

    field_weights      how much each instructor field counts (term counts are scaled before the
                       sublinear tf, BM25F-style)
    view_weights       blend of the jieba-word, character 2–3-gram and domain-concept cosines
    expansion_weight   mass of the related terms a recognised concept adds to the need, relative to
                       the need's own words (0 disables expansion)
    expansion_power    a concept's mass is spread over its terms as 1 / n_terms ** power
    subarea_weight     in the concept view, weight of the sub-area a concept belongs to (lets
                       "养老服务" meet "社会保障" within 民生建设)
    prf_docs, prf_weight, prf_terms
                       pseudo-relevance feedback: the top ``prf_docs`` instructors of a first pass
                       add their strongest ``prf_terms`` features per view with weight ``prf_weight``
    category_weight    weight of P(instructor's category | need) added to the text score
    category_lexicon_share  how much the category guess trusts recognised concepts vs. the
                       categories of the first-pass top instructors
    category_floor     probability mass spread uniformly over the six categories
    context_weight     weight of the words before a need's last request phrase ("村里年轻人都出去
                       打工了，想请人讲讲…"): context rather than topic (1 treats them alike)
    """

    field_weights: dict[str, float] = field(default_factory=_default_field_weights)
    view_weights: dict[str, float] = field(default_factory=_default_view_weights)
    expansion_weight: float = 0.6
    expansion_power: float = 0.5
    subarea_weight: float = 0.3
    prf_docs: int = 5
    prf_weight: float = 0.8
    prf_terms: int = 40
    category_weight: float = 0.1
    category_lexicon_share: float = 0.5
    category_floor: float = 0.05
    context_weight: float = 0.5

    def with_changes(self, **changes: Any) -> TopicConfig:
        """A copy with some parameters changed; ``field_weights``/``view_weights`` may be partial."""
        for key in ("field_weights", "view_weights"):
            if key in changes:
                changes[key] = {**getattr(self, key), **changes[key]}
        return replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TopicConfig:
        return cls().with_changes(**data)
