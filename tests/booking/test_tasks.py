import time as clock
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from booking import services, tasks
from booking.models import Booking
from notifications.selectors import inbox
from tests.booking.factories import at, request_lecture

pytestmark = pytest.mark.django_db


def test_beat_schedules_expiry_and_reminders():
    entries = {k: v["task"] for k, v in settings.CELERY_BEAT_SCHEDULE.items() if k.startswith("booking-")}

    assert entries == {
        "booking-expire-unanswered": "booking.tasks.expire_unanswered",
        "booking-day-before-reminders": "booking.tasks.send_day_before_reminders",
    }


def test_tasks_call_the_services(world, teacher, secretary):
    request_lecture(secretary, world.branch, teacher)

    assert tasks.expire_unanswered.delay().get() == 0
    assert tasks.send_day_before_reminders.delay().get() == 0


@pytest.mark.services
def test_the_day_before_reminder_runs_on_a_live_worker(celery_worker, world, teacher, secretary):
    tomorrow = timezone.localdate() + timedelta(days=1)
    booking = request_lecture(secretary, world.branch, teacher, starts_at=at(tomorrow, 9), ends_at=at(tomorrow, 11))
    services.booking_accept(booking=booking, actor=teacher.user)

    tasks.send_day_before_reminders.delay()

    deadline = clock.monotonic() + 30
    while clock.monotonic() < deadline and not inbox(secretary).filter(notification__kind="booking_reminder").exists():
        clock.sleep(0.2)
    assert [d.notification.kind for d in inbox(secretary).filter(notification__kind="booking_reminder")] == [
        "booking_reminder"
    ]
    assert Booking.objects.get().reminded_at is not None
