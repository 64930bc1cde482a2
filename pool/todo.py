"""The pool's lines on the home page's to-do list (a couple of cheap queries per role)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import Role
from orgs.registry import TodoItem
from orgs.selectors import jurisdiction_of

from .models import Call, Instructor, Suggestion
from .selectors import call_list, calls_closing_soon, instructor_for_user, pools_managed_by, reviews_awaited_from

GROUP = _("Instructor pool")


def pool_admin_todo(user):
    """Calls closing soon, recommendations to review, candidates to appoint, suggestions to answer."""
    j = jurisdiction_of(user)
    if not j.org_ids(Role.ORG_ADMIN):
        return
    pools = pools_managed_by(user)
    counts = Instructor.objects.filter(pool__in=pools).aggregate(
        recommended=Count("id", filter=Q(status=Instructor.Status.RECOMMENDED)),
        under_review=Count("id", filter=Q(status=Instructor.Status.UNDER_REVIEW)),
        approved=Count("id", filter=Q(status=Instructor.Status.APPROVED)),
    )
    closing = calls_closing_soon(user).count()
    if closing:
        yield TodoItem(
            _("Calls for instructors closing within a week"), reverse("pool:calls"), closing, "warning", GROUP
        )
    waiting = counts["recommended"] + counts["under_review"]
    if waiting:
        yield TodoItem(_("Recommendations to review"), reverse("pool:calls"), waiting, "primary", GROUP)
    if counts["approved"]:
        yield TodoItem(_("Approved candidates to appoint"), reverse("pool:calls"), counts["approved"], "primary", GROUP)
    open_suggestions = Suggestion.objects.filter(pool__in=pools, status=Suggestion.Status.OPEN).count()
    if open_suggestions:
        yield TodoItem(_("Suggestions to answer"), reverse("pool:suggestions"), open_suggestions, "danger", GROUP)
    yield TodoItem(_("Manage your instructor pool"), reverse("pool:manage"), group=GROUP)


def reviewer_todo(user):
    """Candidates waiting for the user's scores, in calls where the user reviews."""
    waiting = reviews_awaited_from(user).count()
    if waiting:
        yield TodoItem(_("Candidates awaiting your scores"), reverse("pool:calls"), waiting, "warning", GROUP)


def recommender_todo(user):
    """Open calls the user's organizations may answer (not the ones it publishes itself)."""
    j = jurisdiction_of(user)
    if not j.paths:
        return
    today = timezone.localdate()
    open_calls = (
        call_list(actor=user)
        .filter(status=Call.Status.OPEN, deadline__gte=today)
        .exclude(pool__organization_id__in=j.org_ids(Role.ORG_ADMIN))
        .count()
    )
    if open_calls:
        yield TodoItem(
            _("Open calls for instructors you may recommend to"), reverse("pool:calls"), open_calls, "info", GROUP
        )


def instructor_todo(user):
    if not jurisdiction_of(user).org_ids(Role.INSTRUCTOR):
        return
    instructor = instructor_for_user(user)
    if instructor is not None:
        yield TodoItem(_("Keep your profile and topics up to date"), reverse("pool:me"), group=GROUP)
