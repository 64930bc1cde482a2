"""Home-page to-do items of activity days (a few cheap queries each)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.selectors import member_for_user
from orgs.models import Role
from orgs.registry import TodoItem
from orgs.selectors import jurisdiction_of

from . import selectors
from .models import Activity, MonthlyReport, Question
from .workdays import month_start

GROUP = gettext_lazy("Activity day")


def secretary_todo(user):
    """This month's day and whether it is recorded, questions due, last month's report."""
    j = jurisdiction_of(user)
    if not j.has_role(Role.SECRETARY):
        return
    today = timezone.localdate()
    month = month_start(today)
    managed = selectors.branches_managed_by(user)
    branches = list(managed.filter(pk__in=j.org_ids(Role.SECRETARY))[:5]) or list(managed[:5])
    if not branches:
        return
    days = selectors.planned_days(branches, month)
    recorded = set(
        Activity.objects.filter(
            branch__in=branches, month=month, is_activity_day=True, status=Activity.Status.RECORDED
        ).values_list("branch_id", flat=True)
    )
    reported = set(
        MonthlyReport.objects.filter(branch__in=branches, month=selectors.report_due_month(on=today)).values_list(
            "branch_id", flat=True
        )
    )
    for branch in branches:
        planned = days[branch.pk]
        url = reverse("activity:home") + f"?branch={branch.pk}"
        if branch.pk in recorded:
            yield TodoItem(
                _("%(branch)s: this month's activity day is recorded") % {"branch": branch.name}, url, 0, "info", GROUP
            )
        elif planned.missing_year:
            yield TodoItem(
                _("%(branch)s: the holiday calendar for %(year)s is missing; set this month's day")
                % {"branch": branch.name, "year": planned.missing_year},
                url,
                0,
                "warning",
                GROUP,
            )
        elif planned.date is not None:
            level = "danger" if planned.date < today else "primary"
            yield TodoItem(
                _("%(branch)s: activity day %(day)s, not recorded yet")
                % {"branch": branch.name, "day": f"{planned.date.month}月{planned.date.day}日"},
                url,
                0,
                level,
                GROUP,
            )
        else:
            yield TodoItem(
                _("%(branch)s: no activity day rule yet") % {"branch": branch.name}, url, 0, "warning", GROUP
            )
        due = selectors.report_due_on(selectors.report_due_month(on=today))
        if branch.pk not in reported:
            yield TodoItem(
                _("%(branch)s: monthly report due %(day)s")
                % {"branch": branch.name, "day": f"{due.month}月{due.day}日"},
                reverse("activity:report-submit") + f"?branch={branch.pk}",
                0,
                "danger" if due < today else "warning",
                GROUP,
            )
    pending = Question.objects.filter(branch__in=branches, status__in=Question.PENDING)
    overdue = pending.filter(due_on__lt=today).count()
    open_count = pending.count()
    if open_count:
        yield TodoItem(
            _("Questions to answer"),
            reverse("activity:questions"),
            open_count,
            "danger" if overdue else "warning",
            GROUP,
        )


def member_todo(user):
    """A member: their own attendance, and answers to their questions."""
    member = member_for_user(user)
    if member is None:
        return
    yield TodoItem(_("My attendance"), reverse("activity:me"), group=GROUP)
    answered = Question.objects.filter(asked_by=member, status=Question.Status.ANSWERED).count()
    if answered:
        yield TodoItem(_("Answers to your questions"), reverse("activity:questions"), answered, "info", GROUP)


def admin_todo(user):
    """An admin: overdue questions below, and the supervision page."""
    j = jurisdiction_of(user)
    if not j.has_role(Role.ORG_ADMIN):
        return
    overdue = selectors.overdue_questions(actor=user).count()
    if overdue:
        yield TodoItem(
            _("Overdue questions in your organizations"),
            reverse("activity:questions") + "?overdue=true",
            overdue,
            "danger",
            GROUP,
        )
    yield TodoItem(_("Activity day supervision"), reverse("activity:supervision"), group=GROUP)
