import pytest

from orgs.errors import DomainError
from orgs.models import Organization, Role
from orgs.services import org_bulk_create, org_create, role_grant, role_revoke, user_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
K = Organization.Kind


def test_county_full_name_carries_its_city(world):
    assert world.county.full_name == "南京市江宁区"
    assert world.branch.full_name == "佳湖社区党支部"


def test_a_branch_cannot_be_placed_under_a_province(world):
    with pytest.raises(DomainError) as exc:
        org_create(parent=world.province, name="错位支部", kind=K.BRANCH)

    assert exc.value.field == "kind"


def test_only_a_province_is_a_root(db):
    with pytest.raises(DomainError):
        org_create(parent=None, name="孤立支部", kind=K.BRANCH)


def test_bulk_create_keeps_the_tree_consistent(world):
    world.committee.refresh_from_db()
    before = world.committee.numchild
    created = org_bulk_create(
        parent=world.committee, children=[{"name": f"批量支部{i}", "kind": K.BRANCH} for i in range(50)]
    )
    world.committee.refresh_from_db()

    assert len(created) == 50
    assert all(o.pk for o in created)
    assert world.committee.numchild == before + 50
    assert all(o.parent_id == world.committee.pk for o in created)
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    # a node added the ordinary way after a bulk insert takes the next free path
    late = org_create(parent=world.committee, name="后来的支部", kind=K.BRANCH)
    assert late.path > max(o.path for o in created)


def test_subtree_and_lineage(world):
    assert list(world.group.lineage().values_list("name", flat=True)) == [
        "江苏省",
        "南京市",
        "江宁区",
        "东山街道党工委",
        "佳湖社区党支部",
        "第一党小组",
    ]
    assert world.group.nearest(K.COUNTY) == world.county
    assert set(world.committee.subtree()) == {world.committee, world.branch, world.sibling_branch, world.group}


def test_secretary_role_only_at_a_branch(world):
    user = UserFactory()

    with pytest.raises(DomainError):
        role_grant(user=user, role=Role.SECRETARY, organization=world.county)


def test_role_grant_twice_keeps_one_row_and_revoke_keeps_history(world):
    user = UserFactory()
    role_grant(user=user, role=Role.MEMBER, organization=world.branch)
    role_grant(user=user, role=Role.MEMBER, organization=world.branch)
    role_revoke(user=user, role=Role.MEMBER, organization=world.branch)

    rows = list(user.roles.all())
    assert len(rows) == 1
    assert rows[0].is_active is False


def test_user_create_refuses_a_taken_name_and_a_weak_password(db):
    user_create(username="wang", password="Str0ng-passphrase")

    with pytest.raises(DomainError) as taken:
        user_create(username="wang", password="Str0ng-passphrase")
    with pytest.raises(DomainError) as weak:
        user_create(username="li", password="123")

    assert taken.value.field == "username"
    assert weak.value.field == "password"
