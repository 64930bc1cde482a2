from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from members.models import Activist, Member, MobileMembership, Partnership
from members.selectors import member_list, members_attending
from orgs.models import Organization, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    call_command("seed_demo", verbosity=0)


def test_demo_branches_have_their_members(seeded):
    counts = [
        Member.objects.filter(branch=b).count()
        for b in Organization.objects.filter(kind="branch").exclude(name__contains="农业农村厅")
    ]

    assert len(counts) == 11
    assert all(12 <= c <= 24 for c in counts)


def test_demo_member_user_is_linked_in_secretarys_branch(seeded):
    user = User.objects.get(username="member")
    secretary = User.objects.get(username="secretary")

    assert user.member.branch == secretary.roles.get().organization
    assert list(member_list(actor=user)) == [user.member]


def test_demo_has_the_special_cases(seeded):
    branch = User.objects.get(username="secretary").roles.get().organization
    today = timezone.localdate()

    assert Member.objects.filter(branch=branch, is_leading_cadre=True).count() == 1
    assert Member.objects.filter(branch=branch, records_exempt=True).count() == 1
    ending = Member.objects.get(branch=branch, status="probationary").probation.ends_on
    assert today < ending <= today + timedelta(days=30)
    assert sorted(Activist.objects.values_list("status", flat=True)) == ["activist", "activist", "candidate"]
    assert Partnership.objects.count() == 1


def test_demo_mobile_members_flow_from_secretary_to_xuzhou(seeded):
    branch = User.objects.get(username="secretary").roles.get().organization
    xuzhou = User.objects.get(username="xuzhou_secretary").roles.get().organization
    registered = MobileMembership.objects.get(status="registered")
    pending = MobileMembership.objects.get(status="outflow")

    assert (registered.outflow_branch, registered.inflow_branch) == (branch, xuzhou)
    assert registered.contacts.count() >= 1
    assert pending.inflow_branch == xuzhou
    assert pending.certificate_number == f"320115-{date.today().year}-00002"
    guests = [m for m in members_attending(xuzhou, on=date.today()) if m.is_mobile_guest]
    assert guests == [registered.member]


def test_scale_adds_about_twenty_members_per_branch(seeded):
    before = Member.objects.count()

    call_command("seed_demo", "--scale", "50", verbosity=0)

    added = Member.objects.count() - before
    assert 18 * 50 <= added <= 22 * 50
    assert Member.objects.filter(status="probationary").count() >= 50
