import time
from datetime import date

import pytest
from django.conf import settings
from django.utils import timezone

from members import services, tasks
from members.models import Member, MobileCensus, add_months
from notifications.models import Notification
from notifications.selectors import inbox
from tests.members import factories as f

pytestmark = pytest.mark.django_db


def test_beat_schedules_the_three_member_tasks():
    tasks_by_name = {k: v["task"] for k, v in settings.CELERY_BEAT_SCHEDULE.items() if k.startswith("members-")}

    assert tasks_by_name == {
        "members-quarterly-contact-reminders": "members.tasks.remind_quarterly_contacts",
        "members-probation-warnings": "members.tasks.warn_probations_ending",
        "members-yearly-census": "members.tasks.take_yearly_census",
    }
    census = settings.CELERY_BEAT_SCHEDULE["members-yearly-census"]["schedule"]
    assert (census.month_of_year, census.day_of_month) == ({12}, {1})


def test_contact_reminders_overdue_go_to_secretaries_and_admins_once_a_quarter(world):
    secretary = world.secretary(world.branch)
    county_admin = world.admin(world.county)
    f.mobile(f.member(world.branch), left_on=date(2025, 11, 20))
    f.mobile(f.member(world.branch), left_on=date(2025, 12, 1))

    first = services.mobile_contact_reminders_send(today=date(2026, 4, 2))
    again = services.mobile_contact_reminders_send(today=date(2026, 4, 3))

    assert (first, again) == (1, 0)
    notification = Notification.objects.get()
    assert notification.kind == "members_contact_overdue"
    assert notification.title == "季度联系逾期：佳湖社区党支部有2名流动党员上季度未联系上"
    assert sorted(notification.deliveries.filter(channel="inapp").values_list("recipient", flat=True)) == sorted(
        [secretary.pk, county_admin.pk]
    )


def test_contact_due_reminder_comes_in_the_last_month_of_the_quarter(world):
    world.secretary(world.branch)
    f.mobile(f.member(world.branch), left_on=date(2025, 11, 20))

    early = services.mobile_contact_reminders_send(today=date(2026, 2, 10))
    late = services.mobile_contact_reminders_send(today=date(2026, 3, 2))

    assert (early, late) == (0, 1)
    assert list(Notification.objects.values_list("kind", flat=True)) == ["members_contact_due"]


def test_tasks_call_the_services(world):
    world.secretary(world.branch)
    f.member(world.branch, status=Member.Status.PROBATIONARY, joined_on=add_months(timezone.localdate(), -12))
    f.mobile(f.member(world.branch))

    assert tasks.warn_probations_ending.delay().get() == 1
    assert tasks.take_yearly_census.delay().get() == 1
    assert MobileCensus.objects.get().organization == world.committee
    assert tasks.remind_quarterly_contacts.delay().get() >= 0


@pytest.mark.services
def test_probation_warning_runs_on_a_live_worker(celery_worker, world):
    user = world.member(world.branch)
    f.member(
        world.branch, user=user, status=Member.Status.PROBATIONARY, joined_on=add_months(timezone.localdate(), -12)
    )

    tasks.warn_probations_ending.delay()

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not inbox(user).exists():
        time.sleep(0.2)
    assert [d.notification.kind for d in inbox(user)] == ["members_probation_ending"]
