"""Booking's cards on the instructor's own page (pool.registry.register_instructor_panel).

师资的权利 · 获取一定的劳动报酬: the schedule at a glance and the lecture fees of delivered lectures.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pool.registry import InstructorPanel

from .fees import format_yuan
from .selectors import format_moment, lecture_summary


def instructor_panels(instructor):
    s = lecture_summary(instructor)
    next_lecture = format_moment(s["next_start"]) if s["next_start"] else "—"
    yield InstructorPanel(
        title=_("Lecture schedule"),
        lines=[
            (_("Requests awaiting your answer"), str(s["pending"])),
            (_("Upcoming lectures"), str(s["upcoming"])),
            (_("Next lecture"), next_lecture),
            (_("Lectures this month"), f"{s['this_month']} / {instructor.monthly_limit}"),
        ],
        url=reverse("booking:schedule"),
        link_label=_("Schedule and calendar"),
        order=20,
    )
    yield InstructorPanel(
        title=_("Lecture fees"),
        lines=[
            (_("Lectures given"), str(s["delivered"])),
            (_("Fees this year"), format_yuan(s["fees_this_year"] or 0)),
            (_("Fees in total"), format_yuan(s["fees_total"] or 0)),
        ],
        url=reverse("booking:list") + "?status=delivered",
        link_label=_("All lectures given"),
        order=21,
    )
