"""Text-ranking core of the instructor recommender (pure Python, no Django).

Public API::

    from recommender import InstructorDoc, TopicIndex, TopicConfig
    index = TopicIndex.build(docs)
    index.rank("村里老人没人照顾", k=10)       # -> list[TopicMatch], best first
    index.infer_category("村里老人没人照顾")   # -> CategoryGuess
"""

from .config import FIELDS, TopicConfig
from .index import TopicIndex
from .schema import CATEGORIES, CategoryGuess, DocId, InstructorDoc, TopicExplanation, TopicMatch

__all__ = [
    "CATEGORIES",
    "FIELDS",
    "CategoryGuess",
    "DocId",
    "InstructorDoc",
    "TopicConfig",
    "TopicExplanation",
    "TopicIndex",
    "TopicMatch",
]
