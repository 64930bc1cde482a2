"""Activity test data, built through the services."""

from datetime import date

from activity import services
from activity.models import Activity, DayRule
from orgs.models import Organization, User
from tests.members import factories as mf


def rule(org: Organization, *, day: int = 10, effective_from: date = date(2026, 1, 1), **kwargs) -> DayRule:
    """A day rule entered on ``effective_from`` (the service refuses rules for passed months)."""
    kwargs.setdefault("kind", DayRule.Kind.DAY_OF_MONTH if "week" not in kwargs else DayRule.Kind.WEEKDAY)
    if kwargs["kind"] == DayRule.Kind.DAY_OF_MONTH:
        kwargs["day"] = day
    return services.day_rule_set(
        actor=mf.superuser(), organization=org, effective_from=effective_from, today=effective_from, **kwargs
    )


def plan(branch: Organization, held_on: date, *, actor: User | None = None, **kwargs) -> Activity:
    kwargs.setdefault("theme", "学习党章党规")
    kwargs.setdefault("content_types", ["study"])
    kwargs.setdefault("is_activity_day", False)
    return services.activity_plan(actor=actor or mf.superuser(), branch=branch, held_on=held_on, **kwargs)


def everyone(members, status: str = "present", overrides: dict | None = None) -> list[dict]:
    """Attendance entries: ``status`` for every member, ``overrides`` by member pk → (status, reason)."""
    out = []
    for m in members:
        s, reason = (overrides or {}).get(m.pk, (status, "有事请假" if status == "excused" else ""))
        out.append({"member": m.pk, "status": s, "reason": reason})
    return out


def record(activity: Activity, members, *, actor: User | None = None, status: str = "present", **kwargs) -> Activity:
    overrides = kwargs.pop("overrides", {})
    return services.activity_record(
        actor=actor or mf.superuser(),
        activity=activity,
        attendance=everyone(members, status, overrides),
        today=kwargs.pop("today", date(2026, 11, 28)),
        **kwargs,
    )
