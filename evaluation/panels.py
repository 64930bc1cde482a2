"""The evaluation's card on the instructor's own page (pool.registry.register_instructor_panel)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pool.registry import InstructorPanel

from .selectors import instructor_summary


def _figure(value) -> str:
    return "—" if value is None else f"{value:.2f}"


def instructor_panels(instructor):
    year = timezone.localdate().year
    this, last = instructor_summary(instructor, year), instructor_summary(instructor, year - 1)
    yield InstructorPanel(
        title=_("My ratings"),
        lines=[
            (_("Ratings this year"), str(this.count)),
            (_("Mean this year"), _figure(this.mean)),
            (_("Adjusted score this year"), _figure(this.shrunk_score)),
            (_("Ratings last year"), f"{last.count} · {_figure(last.mean)}"),
        ],
        url=reverse("evaluation:me"),
        link_label=_("Ratings and comments"),
        order=30,
    )
