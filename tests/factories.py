"""Shared test data, built through the real services where a service exists."""

import itertools
from dataclasses import dataclass

import factory

from orgs.models import Organization, Role, User
from orgs.services import org_create, role_grant

_seq = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "pass12345")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def org(parent: Organization | None, name: str | None = None, kind: str = Organization.Kind.BRANCH) -> Organization:
    return org_create(parent=parent, name=name or f"组织{next(_seq)}", kind=kind)


def user_with_role(role: str, organization: Organization, **kwargs) -> User:
    user = UserFactory(**kwargs)
    role_grant(user=user, role=role, organization=organization)
    return user


@dataclass
class World:
    """A small province: two cities, two counties in the first, committees and branches."""

    province: Organization
    city: Organization
    other_city: Organization
    county: Organization
    sibling_county: Organization
    other_city_county: Organization
    committee: Organization
    branch: Organization
    sibling_branch: Organization
    group: Organization
    sibling_county_branch: Organization
    other_city_branch: Organization

    def admin(self, organization: Organization, **kwargs) -> User:
        return user_with_role(Role.ORG_ADMIN, organization, **kwargs)

    def secretary(self, branch: Organization | None = None, **kwargs) -> User:
        return user_with_role(Role.SECRETARY, branch or self.branch, **kwargs)

    def member(self, branch: Organization | None = None, **kwargs) -> User:
        return user_with_role(Role.MEMBER, branch or self.branch, **kwargs)


def build_world() -> World:
    K = Organization.Kind
    province = org(None, "江苏省", K.PROVINCE)
    city = org(province, "南京市", K.CITY)
    other_city = org(province, "徐州市", K.CITY)
    county = org(city, "江宁区", K.COUNTY)
    sibling_county = org(city, "玄武区", K.COUNTY)
    other_city_county = org(other_city, "沛县", K.COUNTY)
    committee = org(county, "东山街道党工委", K.COMMITTEE)
    branch = org(committee, "佳湖社区党支部")
    sibling_branch = org(committee, "上坊村党支部")
    group = org(branch, "第一党小组", K.GROUP)
    sibling_committee = org(sibling_county, "玄武门街道党工委", K.COMMITTEE)
    sibling_county_branch = org(sibling_committee, "新华社区党支部")
    other_committee = org(other_city_county, "沛城街道党工委", K.COMMITTEE)
    other_city_branch = org(other_committee, "汉兴社区党支部")
    return World(
        province=province,
        city=city,
        other_city=other_city,
        county=county,
        sibling_county=sibling_county,
        other_city_county=other_city_county,
        committee=committee,
        branch=branch,
        sibling_branch=sibling_branch,
        group=group,
        sibling_county_branch=sibling_county_branch,
        other_city_branch=other_city_branch,
    )
