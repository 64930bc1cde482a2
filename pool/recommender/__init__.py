"""为我推荐: ranks instructors for a need written in the members' own words (docs/recommender.md).

The text model in this package's ``text``, ``lexicon``, ``index``, ``config`` and ``schema`` modules is
pure Python (no Django)::

    from pool.recommender import InstructorDoc, TopicIndex
    index = TopicIndex.build(docs)
    need = index.assess("村里老人没人照顾")   # NeedScores: fit of every instructor, category guess
    need.explain(rows)                        # why, for the few instructors shown
    index.rank("村里老人没人照顾", k=10)       # -> list[TopicMatch], best first

The Django side: ``ranking.instructor_recommend`` (the selector behind the API and the page),
``live.LIVE`` (this process's index, kept current), ``freshness.index_touch`` (for the apps above pool).
"""

from .config import FIELDS, TopicConfig
from .index import NeedScores, TopicIndex
from .schema import CATEGORIES, CategoryGuess, DocId, InstructorDoc, TopicExplanation, TopicMatch

__all__ = [
    "CATEGORIES",
    "FIELDS",
    "CategoryGuess",
    "DocId",
    "InstructorDoc",
    "NeedScores",
    "TopicConfig",
    "TopicExplanation",
    "TopicIndex",
    "TopicMatch",
]
