from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .registry import TodoItem
from .selectors import jurisdiction_of


def org_admin_todo(user):
    """An admin's starting point: the organizations it administers."""
    j = jurisdiction_of(user)
    if j.admin_paths:
        yield TodoItem(_("Browse the organizations you administer"), reverse("orgs:tree"), group=_("Organizations"))
