"""Extension point of the instructor's own page (/pool/me/) for the apps above pool.

Booking registers the schedule and the lecture fees received, evaluation the ratings and comments:
``register_instructor_panel(fn)`` from their ``AppConfig.ready``, where ``fn(instructor)`` yields
``InstructorPanel`` items. Keep each provider to a couple of cheap queries.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

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
