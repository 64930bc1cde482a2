import pytest

from orgs.models import Organization, Role
from orgs.selectors import jurisdiction_of, org_list
from orgs.services import role_grant
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def names(qs):
    return sorted(o.name for o in qs)


def test_province_admin_sees_the_whole_tree(world):
    admin = world.admin(world.province)

    assert org_list(actor=admin).count() == Organization.objects.count()


def test_city_admin_sees_its_city_subtree_not_the_other_city(world):
    admin = world.admin(world.city)

    visible = set(org_list(actor=admin).values_list("pk", flat=True))

    assert visible == set(world.city.subtree().values_list("pk", flat=True))
    assert world.other_city_branch.pk not in visible
    assert world.province.pk not in visible


def test_county_admin_sees_its_county_not_the_sibling_county(world):
    admin = world.admin(world.county)

    visible = names(org_list(actor=admin))

    assert visible == sorted(["江宁区", "东山街道党工委", "佳湖社区党支部", "上坊村党支部", "第一党小组"])


def test_secretary_sees_its_branch_and_groups_only(world):
    secretary = world.secretary(world.branch)

    assert names(org_list(actor=secretary)) == sorted(["佳湖社区党支部", "第一党小组"])


def test_member_sees_only_its_own_branch(world):
    member = world.member(world.branch)

    assert names(org_list(actor=member)) == ["佳湖社区党支部"]


def test_user_without_roles_sees_nothing(db, world):
    assert org_list(actor=UserFactory()).count() == 0


def test_superuser_sees_everything(world):
    root = UserFactory(is_superuser=True)

    assert org_list(actor=root).count() == Organization.objects.count()


def test_several_roles_combine_without_duplicates(world):
    user = world.admin(world.county)
    role_grant(user=user, role=Role.SECRETARY, organization=world.branch)
    role_grant(user=user, role=Role.MEMBER, organization=world.sibling_county_branch)

    visible = org_list(actor=user)

    assert visible.count() == len(set(visible.values_list("pk", flat=True)))
    assert world.sibling_county_branch in visible
    assert world.sibling_county not in visible
    assert jurisdiction_of(user).paths == (world.county.path,)


def test_jurisdiction_q_scopes_other_models_by_their_organization(world):
    from orgs.models import RoleAssignment

    admin = world.admin(world.county)
    inside = world.secretary(world.sibling_branch)
    outside = world.secretary(world.other_city_branch)

    scoped = RoleAssignment.objects.filter(jurisdiction_of(admin).q("organization"))

    users = set(scoped.values_list("user_id", flat=True))
    assert inside.pk in users
    assert outside.pk not in users


def test_jurisdiction_is_recomputed_after_a_role_is_granted(world):
    user = UserFactory()
    assert org_list(actor=user).count() == 0

    role_grant(user=user, role=Role.ORG_ADMIN, organization=world.sibling_county)

    assert world.sibling_county_branch in org_list(actor=user)
