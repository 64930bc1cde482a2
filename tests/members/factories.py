"""Members test data, built through the services."""

import itertools
from datetime import date, timedelta

from members import services
from members.identity import make_id_number
from members.models import Member, MobileMembership
from orgs.models import Organization, User
from tests.factories import UserFactory

_serial = itertools.count(1)


def id_number(*, born: date | None = None, male: bool = True) -> str:
    n = next(_serial)
    return make_id_number("320115", born or date(1970, 1, 1) + timedelta(days=n), n, male=male)


def phone() -> str:
    return f"138{next(_serial):08d}"


def superuser() -> User:
    user = User.objects.filter(username="members_root").first()
    return user or UserFactory(username="members_root", is_superuser=True, is_staff=True)


def member(branch: Organization, *, actor: User | None = None, **kwargs) -> Member:
    kwargs.setdefault("name", f"党员{next(_serial)}")
    kwargs.setdefault("id_number", id_number())
    kwargs.setdefault("phone", phone())
    kwargs.setdefault("joined_on", date(2005, 7, 1))
    return services.member_create(actor=actor or superuser(), branch=branch, **kwargs)


def mobile(
    m: Member,
    *,
    left_on: date = date(2025, 1, 10),
    inflow_branch: Organization | None = None,
    register: bool = False,
    actor: User | None = None,
    **kwargs,
) -> MobileMembership:
    kwargs.setdefault("destination", "苏州市昆山市")
    kwargs.setdefault("certificate_issued_on", left_on)
    kwargs.setdefault("certificate_valid_until", date(2030, 12, 31))
    membership = services.mobile_outflow_register(
        actor=actor or superuser(), member=m, left_on=left_on, inflow_branch=inflow_branch, **kwargs
    )
    if register:
        membership = services.mobile_inflow_register(
            actor=superuser(),
            membership=membership,
            branch=inflow_branch,
            registered_on=left_on + timedelta(days=5),
            certificate_verified=True,
        )
    return membership


def contact(membership: MobileMembership, on: date, *, reached: bool = True):
    return services.mobile_contact_record(
        actor=superuser(),
        membership=membership,
        contacted_on=on,
        method="phone",
        reached=reached,
        situation="思想稳定" if reached else "",
    )
