"""Records test data, built through the services."""

from datetime import date
from decimal import Decimal

from members.models import Member
from orgs.models import Organization, Role
from records import services
from records.models import RecordEntry
from tests.factories import user_with_role
from tests.members import factories as mf


def member(branch: Organization, **kwargs) -> Member:
    """A member of ``branch`` who logs in (role member) and so can confirm entries."""
    user = kwargs.pop("user", None) or user_with_role(Role.MEMBER, branch)
    kwargs.setdefault("monthly_income", Decimal("4000.00"))
    return mf.member(branch, user=user, **kwargs)


def merit(m: Member, *, actor=None, title: str = "优秀共产党员", merit: str = "reward", **kwargs) -> RecordEntry:
    return services.merit_entry_create(
        actor=actor or mf.superuser(),
        member=m,
        merit=merit,
        occurred_on=kwargs.pop("occurred_on", date(2026, 7, 1)),
        title=title,
        **kwargs,
    )


def confirmed(entry: RecordEntry) -> RecordEntry:
    return services.entry_confirm(actor=entry.member.user, entry=entry)
