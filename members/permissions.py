"""Who may do what with members and mobile members: ``can_<verb>_<thing>(user, obj)``.

A branch's secretary (or an org admin above the branch) manages its members. A mobile member is
managed by the outflow branch, and while away also by the inflow branch; both branches' supervisors
see them too. Approvals (probation decisions, exemptions) belong to the org admins above the branch.
"""

from orgs.models import Organization, User
from orgs.selectors import jurisdiction_of

from .models import Activist, Member, MobileMembership, Partnership, PersonalDataAccess


def can_manage_branch_members(user: User, branch: Organization) -> bool:
    j = jurisdiction_of(user)
    return j.leads(branch) or j.administers(branch)


def can_manage_member(user: User, member: Member) -> bool:
    return can_manage_branch_members(user, member.branch)


def _open_inflow(member: Member) -> MobileMembership | None:
    return (
        member.mobile_memberships.filter(status__in=MobileMembership.OPEN, inflow_branch__isnull=False)
        .select_related("inflow_branch")
        .first()
    )


def can_view_member(user: User, member: Member) -> bool:
    if member.user_id is not None and member.user_id == user.pk:
        return True
    if jurisdiction_of(user).covers(member.branch):
        return True
    inflow = _open_inflow(member)
    return inflow is not None and jurisdiction_of(user).covers(inflow.inflow_branch)


def can_reveal_personal_data(user: User, subject: Member | Activist, field: str) -> bool:
    """Full ID numbers: the member, and who manages the member's branch. Phones also the inflow branch
    of a mobile member, which has to reach them."""
    if isinstance(subject, Member) and subject.user_id is not None and subject.user_id == user.pk:
        return True
    if can_manage_branch_members(user, subject.branch):
        return True
    if isinstance(subject, Member) and field == PersonalDataAccess.Field.PHONE:
        inflow = _open_inflow(subject)
        return inflow is not None and can_manage_branch_members(user, inflow.inflow_branch)
    return False


def can_approve_for_branch(user: User, branch: Organization) -> bool:
    """Approval by the party committee above: an org admin whose subtree holds the branch."""
    return jurisdiction_of(user).administers(branch)


def can_manage_outflow(user: User, membership: MobileMembership) -> bool:
    return can_manage_branch_members(user, membership.outflow_branch)


def can_manage_inflow(user: User, membership: MobileMembership) -> bool:
    return (
        membership.inflow_branch_id is not None
        and membership.is_open
        and can_manage_branch_members(user, membership.inflow_branch)
    )


def can_view_mobile(user: User, membership: MobileMembership) -> bool:
    j = jurisdiction_of(user)
    if membership.member.user_id is not None and membership.member.user_id == user.pk:
        return True
    if j.covers(membership.outflow_branch):
        return True
    return membership.is_open and membership.inflow_branch_id is not None and j.covers(membership.inflow_branch)


def can_run_census(user: User, org: Organization) -> bool:
    return jurisdiction_of(user).administers(org)


def can_manage_partnership(user: User, partnership: Partnership) -> bool:
    j = jurisdiction_of(user)
    return any(j.administers(o) or j.leads(o) for o in (partnership.outflow_org, partnership.inflow_org))


def can_view_partnership(user: User, partnership: Partnership) -> bool:
    j = jurisdiction_of(user)
    return any(j.covers(o) for o in (partnership.outflow_org, partnership.inflow_org))
