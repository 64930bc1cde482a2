"""Home-page to-do items of the records app (a few cheap counts)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orgs.models import Role
from orgs.registry import TodoItem
from orgs.selectors import jurisdiction_of

from . import selectors


def member_todo(user):
    """A member: the entries of their record waiting for their confirmation."""
    count = selectors.entries_to_confirm(user).count()
    if count:
        yield TodoItem(_("Record entries to confirm"), reverse("records:me"), count, "warning", _("Records"))


def secretary_todo(user):
    """Secretaries and admins: disputes to resolve; secretaries also the six-month dues flag."""
    j = jurisdiction_of(user)
    if not (j.has_role(Role.SECRETARY) or j.has_role(Role.ORG_ADMIN)):
        return
    group = _("Records")
    disputes = selectors.disputes_to_resolve(actor=user).count()
    if disputes:
        yield TodoItem(_("Disputed entries to resolve"), reverse("records:disputes"), disputes, "danger", group)
    flagged = len(selectors.arrears_flagged_for_secretary(user))
    if flagged:
        yield TodoItem(_("Dues unpaid for six months"), reverse("records:arrears"), flagged, "danger", group)
