"""Extension point of the instructor's own page (/pool/me/) for the apps above pool.

Booking registers the schedule and the lecture fees received, evaluation the ratings and comments:
``register_instructor_panel(fn)`` from their ``AppConfig.ready``, where ``fn(instructor)`` yields
``InstructorPanel`` items. Keep each provider to a couple of cheap queries.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.utils.functional import Promise


@dataclass(frozen=True)
class InstructorPanel:
    """A card on the instructor's page: a title, label/value lines and an optional link."""

    title: str | Promise
    lines: list[tuple[str | Promise, str]] = field(default_factory=list)
    url: str = ""
    link_label: str | Promise = ""
    order: int = 100


INSTRUCTOR_PANELS: list[Callable[[object], Iterable[InstructorPanel]]] = []


def register_instructor_panel(provider: Callable[[object], Iterable[InstructorPanel]]) -> None:
    if provider not in INSTRUCTOR_PANELS:
        INSTRUCTOR_PANELS.append(provider)


def instructor_panels(instructor) -> list[InstructorPanel]:
    panels = [panel for provider in INSTRUCTOR_PANELS for panel in provider(instructor)]
    return sorted(panels, key=lambda p: p.order)


# --- What the recommender needs to know from booking -------------------------------------------
#
# The recommender lives in pool, below booking, so booking tells it about schedules through these
# providers (registered from BookingConfig.ready). Without a provider every instructor counts as
# available and unloaded.
#
# An availability provider takes instructor ids and a date and returns, for each instructor who
# cannot lecture that day, the reason (blocked date, fully booked, monthly limit reached, no
# availability that weekday …); instructors it leaves out are available.
# A load provider takes instructor ids and a date and returns the number of accepted or delivered
# lectures of each instructor in the window around that date that the provider chooses (e.g. the
# 30 days before and after); instructors it leaves out have none.

AvailabilityProvider = Callable[[Sequence[int], date], dict[int, str]]
LoadProvider = Callable[[Sequence[int], date], dict[int, int]]

AVAILABILITY_PROVIDERS: list[AvailabilityProvider] = []
LOAD_PROVIDERS: list[LoadProvider] = []


def register_availability_provider(provider: AvailabilityProvider) -> None:
    if provider not in AVAILABILITY_PROVIDERS:
        AVAILABILITY_PROVIDERS.append(provider)


def register_load_provider(provider: LoadProvider) -> None:
    if provider not in LOAD_PROVIDERS:
        LOAD_PROVIDERS.append(provider)


def unavailable_on(instructor_ids: Sequence[int], day: date) -> dict[int, str]:
    """Instructor id → why that instructor cannot lecture on ``day``; the available are absent."""
    reasons: dict[int, str] = {}
    for provider in AVAILABILITY_PROVIDERS:
        for pk, reason in provider(instructor_ids, day).items():
            reasons.setdefault(pk, reason)
    return reasons


def load_around(instructor_ids: Sequence[int], day: date) -> dict[int, int]:
    """Instructor id → lectures accepted or given around ``day``."""
    load: dict[int, int] = {}
    for provider in LOAD_PROVIDERS:
        for pk, count in provider(instructor_ids, day).items():
            load[pk] = load.get(pk, 0) + count
    return load


# A lecture-titles provider takes instructor ids (all active instructors when the recommender builds
# its index, so chunk large lists) and returns the titles of the lectures each one has given; the
# recommender indexes them beside the instructor's topics. After a lecture is delivered, the provider's
# app tells the recommender with ``pool.recommender.freshness.index_touch(instructor_ids=[...])``.

LectureTitlesProvider = Callable[[Sequence[int]], dict[int, list[str]]]

LECTURE_TITLE_PROVIDERS: list[LectureTitlesProvider] = []


def register_lecture_titles_provider(provider: LectureTitlesProvider) -> None:
    if provider not in LECTURE_TITLE_PROVIDERS:
        LECTURE_TITLE_PROVIDERS.append(provider)


def lecture_titles(instructor_ids: Sequence[int]) -> dict[int, list[str]]:
    """Instructor id → titles of lectures given (instructors without any are absent)."""
    titles: dict[int, list[str]] = {}
    for provider in LECTURE_TITLE_PROVIDERS:
        for pk, items in provider(instructor_ids).items():
            titles.setdefault(pk, []).extend(items)
    return titles
