"""Predicates about organizations: ``can_<verb>_<thing>(user, obj)``."""

from .models import Organization, User
from .selectors import jurisdiction_of


def can_view_org(user: User, org: Organization) -> bool:
    j = jurisdiction_of(user)
    return j.covers(org) or any(org.pk in ids for ids in j.roles.values())


def can_admin_org(user: User, org: Organization) -> bool:
    return jurisdiction_of(user).administers(org)


def can_lead_branch(user: User, org: Organization) -> bool:
    """Secretary of ``org`` (or its branch), or an admin above it."""
    j = jurisdiction_of(user)
    return j.leads(org) or j.administers(org)
