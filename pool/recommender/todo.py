"""The recommender's line on a secretary's to-do list (no query beyond the cached jurisdiction)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orgs.models import Role
from orgs.registry import TodoItem
from orgs.selectors import jurisdiction_of

from ..todo import GROUP


def recommend_todo(user):
    """为我推荐 for everyone who leads a branch."""
    if jurisdiction_of(user).org_ids(Role.SECRETARY):
        yield TodoItem(_("Recommend instructors for your branch's needs"), reverse("pool:recommend"), group=GROUP)
