import pytest
from django.core.management import call_command
from django.test import Client

from pool.models import Call, Instructor, Pool, RosterVersion
from pool.selectors import bookable_pools

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    call_command("seed_demo", verbosity=0)


def test_demo_builds_the_pools_the_sample_uses(seeded):
    assert Pool.objects.filter(level="province").count() == 1
    assert Pool.objects.filter(level="city").count() == 13
    assert Pool.objects.filter(level="county", organization__full_name="南京市鼓楼区").exists()
    assert RosterVersion.objects.count() == Pool.objects.count()


def test_demo_imports_the_sample_and_the_demo_instructor(seeded):
    demo = Instructor.objects.get(user__username="instructor")

    assert Instructor.objects.filter(status="appointed", code__startswith="D").count() == 300
    assert (demo.status, demo.pool.level, demo.topics.count()) == ("appointed", "province", 3)
    assert demo.letter_number.endswith("001号")


def test_demo_has_an_intake_in_flight(seeded):
    call = Call.objects.get()

    assert call.is_open
    assert sorted(call.recommendations.values_list("instructor__status", flat=True)) == [
        "under_review",
        "under_review",
    ]
    assert call.recommendations.filter(reviews__isnull=False).count() == 1


def test_demo_log_ins_reach_their_pool_pages(seeded):
    client = Client()
    client.login(username="instructor", password="demo12345")
    assert client.get("/pool/me/").status_code == 200
    client.login(username="jiangning_admin", password="demo12345")
    pool = Pool.objects.get(organization__full_name="南京市江宁区")
    assert client.get(f"/pool/manage/{pool.pk}/").status_code == 200


def test_secretary_branch_books_from_county_city_and_province(seeded):
    from orgs.models import RoleAssignment

    branch = RoleAssignment.objects.get(user__username="secretary").organization

    assert sorted(p.organization.full_name for p in bookable_pools(branch)) == ["南京市", "南京市江宁区", "江苏省"]


def test_scale_fills_every_pool(seeded):
    call_command("seed_demo", "--scale", "10", verbosity=0)

    assert Pool.objects.count() == 1 + 13 + 95
    assert 5000 <= Instructor.objects.filter(status="appointed").count() <= 5300
    assert not Pool.objects.filter(level="county", instructors__isnull=True).exists()
