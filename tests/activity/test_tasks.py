import time
from datetime import date

import pytest
from django.conf import settings

from activity import tasks
from notifications.selectors import inbox
from tests.activity import factories as af
from tests.members import factories as mf

pytestmark = pytest.mark.django_db


def test_beat_schedules_the_two_reminders():
    schedule = {k: v for k, v in settings.CELERY_BEAT_SCHEDULE.items() if k.startswith("activity-")}

    assert {k: v["task"] for k, v in schedule.items()} == {
        "activity-upcoming-day-reminders": "activity.tasks.remind_upcoming_days",
        "activity-unrecorded-day-reminders": "activity.tasks.remind_unrecorded_days",
    }
    assert schedule["activity-unrecorded-day-reminders"]["schedule"].day_of_month == {25}


def test_tasks_call_the_services(world):
    af.rule(world.county, day=1, effective_from=date(2026, 1, 1))
    world.secretary(world.branch)
    mf.member(world.branch)

    assert tasks.remind_upcoming_days.delay().get() >= 0
    assert tasks.remind_unrecorded_days.delay().get() == 1


@pytest.mark.services
def test_the_unrecorded_reminder_runs_on_a_live_worker(celery_worker, world):
    af.rule(world.county, day=1, effective_from=date(2026, 1, 1))
    secretary = world.secretary(world.branch)
    mf.member(world.branch)

    tasks.remind_unrecorded_days.delay()

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not inbox(secretary).exists():
        time.sleep(0.2)
    assert [d.notification.kind for d in inbox(secretary)] == ["activity_day_unrecorded"]
