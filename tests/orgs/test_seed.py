import pytest
from django.core.management import call_command
from django.test import Client

from orgs.models import Organization, Role, RoleAssignment, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    call_command("seed_demo", verbosity=0)


def test_seed_builds_the_real_divisions(seeded):
    assert Organization.objects.filter(kind="city").count() == 13
    assert Organization.objects.filter(kind="county").count() == 95
    # names repeat across cities; full names do not
    gulou = Organization.objects.filter(kind="county", name="鼓楼区")
    assert sorted(gulou.values_list("full_name", flat=True)) == ["南京市鼓楼区", "徐州市鼓楼区"]


@pytest.mark.parametrize(
    ("username", "role", "org_name"),
    [
        ("province_admin", Role.ORG_ADMIN, "江苏省"),
        ("nanjing_admin", Role.ORG_ADMIN, "南京市"),
        ("jiangning_admin", Role.ORG_ADMIN, "南京市江宁区"),
        ("xuzhou_secretary", Role.SECRETARY, "沛城街道汉兴社区党支部"),
        ("member", Role.MEMBER, "东山街道佳湖社区党支部"),
    ],
)
def test_demo_accounts_hold_their_roles(seeded, username, role, org_name):
    assignment = RoleAssignment.objects.get(user__username=username, role=role)

    assert assignment.organization.full_name == org_name


def test_both_demo_secretaries_lead_branches_in_jiangning(seeded):
    jiangning = Organization.objects.get(full_name="南京市江宁区")
    branches = [
        RoleAssignment.objects.get(user__username=u, role=Role.SECRETARY).organization
        for u in ("secretary", "secretary2")
    ]

    assert branches[0] != branches[1]
    assert all(b.is_within(jiangning) for b in branches)


def test_demo_password_logs_in(seeded):
    assert Client().login(username="secretary", password="demo12345")


def test_seed_twice_adds_nothing(seeded):
    before = (Organization.objects.count(), User.objects.count())

    call_command("seed_demo", verbosity=0)

    assert (Organization.objects.count(), User.objects.count()) == before


def test_seed_password_option(db):
    call_command("seed_demo", "--password", "another-pass-9", verbosity=0)

    assert Client().login(username="province_admin", password="another-pass-9")


def test_scale_adds_that_many_branches(seeded):
    before = Organization.objects.filter(kind="branch").count()

    call_command("seed_demo", "--scale", "200", verbosity=0)

    assert Organization.objects.filter(kind="branch").count() == before + 200
    assert Organization.objects.find_problems() == ([], [], [], [], [])


def test_seed_outside_demo_mode_needs_a_password(db, settings):
    from django.core.management.base import CommandError

    settings.DEMO_MODE = False

    with pytest.raises(CommandError):
        call_command("seed_demo", verbosity=0)
    assert not Organization.objects.exists()
