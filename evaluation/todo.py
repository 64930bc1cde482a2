"""The evaluation's lines on the home page's to-do list (a couple of cheap queries per role)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgs.models import Role
from orgs.registry import TodoItem
from orgs.selectors import jurisdiction_of

from .selectors import branch_lectures_unrated, member_for_user, open_windows_for_member, runs_awaiting

GROUP = gettext_lazy("Evaluation")


def member_todo(user):
    """A member: lectures attended whose rating is open and not given yet."""
    member = member_for_user(user)
    if member is None:
        return
    count = len(open_windows_for_member(member))
    if count:
        yield TodoItem(
            gettext_lazy("Lectures open for your rating"), reverse("evaluation:index"), count, "warning", GROUP
        )


def secretary_todo(user):
    """A secretary: the branch's own rating of lectures delivered, while their windows are open."""
    if not jurisdiction_of(user).org_ids(Role.SECRETARY):
        return
    count = branch_lectures_unrated(user)
    if count:
        yield TodoItem(
            gettext_lazy("Lectures delivered without a branch rating"),
            reverse("evaluation:lectures") + "?open=1",
            count,
            "warning",
            GROUP,
        )


def admin_todo(user):
    """A pool's admin: computed yearly evaluations waiting for the admin's confirmation."""
    if not jurisdiction_of(user).org_ids(Role.ORG_ADMIN):
        return
    for run in runs_awaiting(user):
        yield TodoItem(
            _("%(pool)s: yearly evaluation of %(year)s awaiting confirmation")
            % {"pool": run.pool.name, "year": run.year},
            reverse("evaluation:run", args=[run.pk]),
            run.proposals.filter(decision="").count(),
            "danger",
            GROUP,
        )
