"""What the recommender indexes of each active instructor, read from the database in a few queries."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from ..models import Instructor, Topic
from ..registry import lecture_titles
from ..rules import CATEGORY_NAMES
from .schema import InstructorDoc

#: Ids per ``IN (…)`` clause (SQLite allows a few thousand parameters at most on older builds).
CHUNK = 900


@dataclass(frozen=True)
class IndexedInstructor:
    """An instructor's document plus what a result shows and filters on, without another query."""

    doc: InstructorDoc
    code: str
    name: str
    category: str  # Category value (``theory`` …)
    level: str  # the pool's Level value
    pool_id: int
    updated_at: datetime


def _chunks(ids: list[int]):
    it = iter(ids)
    while chunk := list(islice(it, CHUNK)):
        yield chunk


def indexed_instructors(ids: Collection[int] | None = None) -> list[IndexedInstructor]:
    """Active (appointed) instructors, all of them or those among ``ids`` (the others are absent).

    One query for the instructors, one for their topics, one for their sub-areas (per chunk of ids
    when ``ids`` is given), plus the registered lecture-titles providers.
    """
    active = Instructor.objects.filter(status=Instructor.Status.APPOINTED)
    fields = ("id", "code", "name", "category", "bio", "employer", "title", "pool_id", "pool__level", "updated_at")
    through = Instructor.sub_areas.through
    if ids is None:
        rows = list(active.order_by("id").values_list(*fields))
        topic_rows = Topic.objects.filter(instructor__status=Instructor.Status.APPOINTED)
        area_rows = through.objects.filter(instructor__status=Instructor.Status.APPOINTED)
        topics = _topics(topic_rows)
        areas = _areas(area_rows)
    else:
        rows, topics, areas = [], {}, {}
        for chunk in _chunks(sorted({int(pk) for pk in ids})):
            rows += active.filter(pk__in=chunk).order_by("id").values_list(*fields)
            topics.update(_topics(Topic.objects.filter(instructor_id__in=chunk)))
            areas.update(_areas(through.objects.filter(instructor_id__in=chunk)))
    lectures = lecture_titles([row[0] for row in rows]) if rows else {}
    out = []
    for pk, code, name, category, bio, employer, title, pool_id, level, updated_at in rows:
        doc = InstructorDoc(
            id=pk,
            code=code,
            name=name,
            category=CATEGORY_NAMES.get(category, ""),
            subareas=areas.get(pk, []),
            topics=topics.get(pk, []),
            bio=bio,
            employer=employer,
            title=title,
            lecture_titles=lectures.get(pk, []),
        )
        out.append(IndexedInstructor(doc, code, name, category, level, pool_id, updated_at))
    return out


def _topics(qs) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {}
    for pk, title, abstract in qs.order_by("instructor_id", "order", "id").values_list(
        "instructor_id", "title", "abstract"
    ):
        out.setdefault(pk, []).append((title, abstract))
    return out


def _areas(qs) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for pk, name in qs.order_by("instructor_id", "subarea__order", "subarea_id").values_list(
        "instructor_id", "subarea__name"
    ):
        out.setdefault(pk, []).append(name)
    return out


def active_versions() -> dict[int, datetime]:
    """``{id: updated_at}`` of every active instructor (to find rows changed outside the services)."""
    return dict(Instructor.objects.filter(status=Instructor.Status.APPOINTED).values_list("id", "updated_at"))
