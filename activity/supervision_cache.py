"""Supervision figures answered from the shared cache (orgs/cache.py), one namespace per organization.

An organization's report counts what happened in its subtree, so a write in a branch makes stale the
reports of that branch and of every organization above it, and of nothing else: namespace
``"supervision:<path>"`` for each ancestor path. The writes that count: activities (their attendance is
written with them; absence streaks that change rows of other activities say so themselves), monthly
reports, questions, excellent cases, members (leading cadres; a transfer touches both branches) and
organizations (units). Bulk writes that bypass ``save`` (member import, organization seeding) call
:func:`changed_under` themselves. Reports also depend on the day (``today`` is part of the key).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models.signals import post_delete, post_save, pre_save

from members.models import Member
from orgs import cache
from orgs.models import Organization

from .models import Activity, ExcellentCase, MonthlyReport, Question

PREFIX = "supervision"


def namespace(path: str) -> str:
    return f"{PREFIX}:{path}"


def namespaces_above(paths: Iterable[str]) -> set[str]:
    """The namespaces of each path and of every organization above it."""
    step = Organization.steplen
    return {namespace(path[:end]) for path in paths if path for end in range(step, len(path) + 1, step)}


def changed_under(paths: Iterable[str]) -> None:
    """Writes in the subtrees of ``paths`` (inside the current transaction) change their supervision."""
    cache.bump(*namespaces_above(paths))


def changed_in(org_ids: Iterable[int | None]) -> None:
    ids = {pk for pk in org_ids if pk}
    if ids and cache.enabled():
        changed_under(Organization.objects.filter(pk__in=ids).values_list("path", flat=True))


def _branch_saved(sender, instance, **_kwargs) -> None:
    changed_in([instance.branch_id, getattr(instance, "_supervision_old_branch_id", None)])


def _case_saved(sender, instance, **_kwargs) -> None:
    if cache.enabled():
        changed_in(Activity.objects.filter(pk=instance.activity_id).values_list("branch_id", flat=True))


def _org_saved(sender, instance, **_kwargs) -> None:
    changed_under([instance.path])


def _member_moving(sender, instance, **_kwargs) -> None:
    """Before a member is saved: the branch they leave is changed too."""
    if instance.pk and cache.enabled():
        instance._supervision_old_branch_id = (
            Member.objects.filter(pk=instance.pk).values_list("branch_id", flat=True).first()
        )


def connect() -> None:
    for model in (Activity, MonthlyReport, Question, Member):
        post_save.connect(_branch_saved, sender=model, dispatch_uid=f"activity.supervision.save.{model.__name__}")
        post_delete.connect(_branch_saved, sender=model, dispatch_uid=f"activity.supervision.delete.{model.__name__}")
    pre_save.connect(_member_moving, sender=Member, dispatch_uid="activity.supervision.member_moving")
    post_save.connect(_case_saved, sender=ExcellentCase, dispatch_uid="activity.supervision.case.save")
    post_delete.connect(_case_saved, sender=ExcellentCase, dispatch_uid="activity.supervision.case.delete")
    post_save.connect(_org_saved, sender=Organization, dispatch_uid="activity.supervision.org.save")
    post_delete.connect(_org_saved, sender=Organization, dispatch_uid="activity.supervision.org.delete")
