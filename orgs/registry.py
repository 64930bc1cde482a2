"""Extension points for the apps above orgs.

Higher apps register into these lists from their ``AppConfig.ready`` so that the home page,
the navigation and ``seed_demo`` can show and build their parts without orgs importing them.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    """A link in the top navigation. ``roles`` empty: every logged-in user; ``public``: anonymous too."""

    label: str | Promise
    url_name: str
    order: int = 100
    roles: frozenset[str] = field(default_factory=frozenset)
    public: bool = False


@dataclass(frozen=True)
class TodoItem:
    """One line of a user's to-do list on the home page."""

    label: str | Promise
    url: str
    count: int = 0
    level: str = "primary"  # bootstrap contextual class: primary, warning, danger, info
    group: str | Promise = ""


@dataclass(frozen=True)
class SeedStep:
    """Dotted paths of functions that add one app's part to ``seed_demo``."""

    order: int
    name: str
    demo: str | None = None  # called as demo(ctx) with the SeedContext
    scale: str | None = None  # called as scale(ctx, n)


NAV_ITEMS: list[NavItem] = []
TODO_PROVIDERS: list[Callable[[object], Iterable[TodoItem]]] = []
SEED_STEPS: list[SeedStep] = []


def register_nav(*items: NavItem) -> None:
    for item in items:
        if item not in NAV_ITEMS:
            NAV_ITEMS.append(item)
    NAV_ITEMS.sort(key=lambda i: i.order)


def register_todo(provider: Callable[[object], Iterable[TodoItem]]) -> None:
    if provider not in TODO_PROVIDERS:
        TODO_PROVIDERS.append(provider)


def register_seed(step: SeedStep) -> None:
    if all(s.name != step.name for s in SEED_STEPS):
        SEED_STEPS.append(step)
    SEED_STEPS.sort(key=lambda s: s.order)
