"""Who may do what with activity days: ``can_<verb>_<thing>(user, obj)``.

A branch's secretary (or an org admin above it) plans and records its activities and answers its
questions; the admins above supervise, fix the day (a county or provincial unit) and mark excellent cases;
a member sees its own attendance and asks questions; the national holiday calendar is entered at the top.
"""

from members.models import Member
from orgs.models import Organization, User
from orgs.selectors import jurisdiction_of

from .models import Activity, DayRule, ExcellentCase, Question


def can_manage_activities(user: User, branch: Organization) -> bool:
    j = jurisdiction_of(user)
    return j.leads(branch) or j.administers(branch)


def can_view_activity(user: User, activity: Activity) -> bool:
    return jurisdiction_of(user).covers(activity.branch)


def can_set_day_rule(user: User, org: Organization) -> bool:
    return org.kind in DayRule.RULE_ORG_KINDS and jurisdiction_of(user).administers(org)


def can_enter_calendar(user: User) -> bool:
    """The holiday calendar is national: a superuser or an admin of the province (a root organization)."""
    j = jurisdiction_of(user)
    return j.is_superuser or any(len(p) == Organization.steplen for p in j.admin_paths)


def can_supervise(user: User, org: Organization) -> bool:
    return jurisdiction_of(user).administers(org)


def can_mark_case(user: User, activity: Activity) -> bool:
    """A higher organization: admins hold no role at branches, so administering the branch means above it."""
    return jurisdiction_of(user).administers(activity.branch)


def can_publish_case(user: User, case: ExcellentCase) -> bool:
    return jurisdiction_of(user).administers(case.organization)


def can_view_question(user: User, question: Question) -> bool:
    return is_asker(user, question) or jurisdiction_of(user).covers(question.branch)


def can_answer_question(user: User, question: Question) -> bool:
    return can_manage_activities(user, question.branch)


def can_close_question(user: User, question: Question) -> bool:
    return is_asker(user, question) or can_answer_question(user, question)


def is_asker(user: User, question: Question) -> bool:
    member: Member | None = question.asked_by
    return member is not None and member.user_id is not None and member.user_id == user.pk
