"""Booking's lines on the home page's to-do list (one or two cheap queries per role)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orgs.models import Role
from orgs.registry import TodoItem
from orgs.selectors import jurisdiction_of
from pool.selectors import instructor_for_user

from .selectors import branch_todo_counts, instructor_todo_counts

GROUP = _("Lectures")


def branch_todo(user):
    """For a secretary: answers to pick, proposed times to decide, lectures to confirm as delivered."""
    if not jurisdiction_of(user).org_ids(Role.SECRETARY):
        return
    counts = branch_todo_counts(user)
    url = reverse("booking:list")
    if counts.get("to_pick"):
        yield TodoItem(
            _("Open requests with answers to pick from"), f"{url}?status=open", counts["to_pick"], "warning", GROUP
        )
    if counts.get("proposals"):
        yield TodoItem(
            _("Proposed times to accept or refuse"), f"{url}?status=proposed", counts["proposals"], "warning", GROUP
        )
    if counts.get("to_confirm"):
        yield TodoItem(
            _("Lectures to confirm as delivered"), f"{url}?status=accepted", counts["to_confirm"], "primary", GROUP
        )
    yield TodoItem(_("Find an instructor and request a lecture"), reverse("booking:find"), group=GROUP)


def instructor_todo(user):
    """For an instructor: requests to answer, open requests that fit, lectures to confirm."""
    if not jurisdiction_of(user).org_ids(Role.INSTRUCTOR):
        return
    instructor = instructor_for_user(user)
    if instructor is None:
        return
    counts = instructor_todo_counts(instructor)
    url = reverse("booking:inbox")
    if counts["to_answer"]:
        yield TodoItem(_("Lecture requests to answer"), url, counts["to_answer"], "danger", GROUP)
    if counts["open"]:
        yield TodoItem(_("Open requests you may answer"), f"{url}#open-requests", counts["open"], "info", GROUP)
    if counts["to_confirm"]:
        yield TodoItem(
            _("Lectures to confirm as delivered"), f"{url}#to-confirm", counts["to_confirm"], "primary", GROUP
        )
