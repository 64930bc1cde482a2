import pytest
from django.core.management import call_command

from orgs.models import User
from records import selectors
from records.models import ActivityCard, PointTable, RecordEntry

pytestmark = pytest.mark.django_db


def test_demo_member_has_a_card_and_an_entry_to_confirm(db):
    # Inside the test transaction the attendance entries (made after each step commits) are not built.
    call_command("seed_demo", verbosity=0)
    user = User.objects.get(username="member")
    secretary = User.objects.get(username="secretary")

    assert ActivityCard.objects.filter(member__user=user).count() == 1
    kinds = set(selectors.entries_to_confirm(user).values_list("kind", flat=True))
    assert kinds == {"dues"}
    confirmed = RecordEntry.objects.filter(member__user=user, status="confirmed")
    assert {"merit", "role", "dues"} <= set(confirmed.values_list("kind", flat=True))
    assert len(selectors.arrears_flagged_for_secretary(secretary)) >= 1
    assert PointTable.objects.filter(published_at__isnull=False).count() == 1
