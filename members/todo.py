"""Home-page to-do items of members and mobile members (a few cheap counts)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import Role
from orgs.registry import TodoItem
from orgs.selectors import jurisdiction_of

from . import selectors


def secretary_todo(user):
    """Secretaries and admins: overdue contacts, probations ending, members to register, approvals."""
    j = jurisdiction_of(user)
    if not (j.has_role(Role.SECRETARY) or j.has_role(Role.ORG_ADMIN)):
        return
    today = timezone.localdate()
    group = _("Members")
    overdue = selectors.contacts_overdue(actor=user, on=today).count()
    if overdue:
        yield TodoItem(_("Quarterly contacts overdue"), reverse("members:contacts-overdue"), overdue, "danger", group)
    ending = selectors.probation_list(actor=user, ending_within=selectors.PROBATION_WARNING_DAYS, on=today).count()
    if ending:
        yield TodoItem(_("Probations ending within 30 days"), reverse("members:probations"), ending, "warning", group)
    pending = selectors.mobile_pending_registration(actor=user).count()
    if pending:
        yield TodoItem(_("Mobile members to register"), reverse("members:mobile-register"), pending, "primary", group)
    feedback = selectors.probation_feedback_due(actor=user, on=today).count()
    if feedback:
        yield TodoItem(_("Probation feedback to write"), reverse("members:mobile"), feedback, "warning", group)
    notices = selectors.unread_notices(actor=user).count()
    if notices:
        yield TodoItem(_("Unread co-management notices"), reverse("members:mobile"), notices, "info", group)
    if j.has_role(Role.ORG_ADMIN):
        decisions = selectors.probation_decisions_to_approve(actor=user).count()
        exemptions = selectors.exemptions_to_approve(actor=user).count()
        if decisions:
            yield TodoItem(
                _("Probation decisions to approve"), reverse("members:probations"), decisions, "warning", group
            )
        if exemptions:
            yield TodoItem(_("Exemptions to approve"), reverse("members:exemptions"), exemptions, "warning", group)
        reviews = selectors.partnerships_review_due(actor=user, on=today).count()
        if reviews:
            yield TodoItem(_("Agreement reviews due"), reverse("members:partnerships"), reviews, "info", group)


def member_todo(user):
    """A member: a link to their own record."""
    member = selectors.member_for_user(user)
    if member is not None:
        yield TodoItem(_("My membership"), reverse("members:me"), group=_("Members"))
