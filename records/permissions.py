"""Who may do what with member records: ``can_<verb>_<thing>(user, obj)``.

A member sees and confirms their own record; the branch's secretary keeps the records of the branch and
an org admin those of its subtree; points rules belong to the org admins of the committee that sets them.
"""

from members.models import Member
from orgs.models import Organization, User
from orgs.selectors import jurisdiction_of

from .models import PointTable, RecordEntry


def can_keep_records(user: User, branch: Organization) -> bool:
    j = jurisdiction_of(user)
    return j.leads(branch) or j.administers(branch)


def is_own(user: User, member: Member) -> bool:
    return member.user_id is not None and member.user_id == user.pk


def can_view_member_records(user: User, member: Member) -> bool:
    return is_own(user, member) or jurisdiction_of(user).covers(member.branch)


def can_view_entry(user: User, entry: RecordEntry) -> bool:
    """The member, the branch that wrote the entry and the member's own branch (an inflow branch writes
    the entries of a mobile member attending there; the outflow branch keeps the whole record), and the
    admins above either: the same scope as ``selectors.entry_list``."""
    j = jurisdiction_of(user)
    return is_own(user, entry.member) or j.covers(entry.branch) or j.covers(entry.member.branch)


def can_answer_entry(user: User, entry: RecordEntry) -> bool:
    """Only the member confirms or disputes an entry of their record."""
    return is_own(user, entry.member)


def can_set_point_rules(user: User, organization: Organization) -> bool:
    return jurisdiction_of(user).administers(organization)


def can_view_point_table(user: User, table: PointTable) -> bool:
    if jurisdiction_of(user).covers(table.branch):
        return True
    member = getattr(user, "member", None) if user.is_authenticated else None
    # A member of the branch now (as selectors.point_table_list): one who left no longer sees its table.
    return table.is_published and member is not None and member.left_on is None and member.branch_id == table.branch_id
