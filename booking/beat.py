"""Periodic tasks of the booking app (read by config.settings.base; keep it free of Django imports)."""

from datetime import timedelta

from celery.schedules import crontab

SCHEDULE = {
    # Requests nobody answered by their deadline expire; hourly, so a deadline is kept within the hour.
    "booking-expire-unanswered": {"task": "booking.tasks.expire_unanswered", "schedule": timedelta(hours=1)},
    # The day before a lecture both sides are reminded (each lecture once; a missed run catches up).
    "booking-day-before-reminders": {
        "task": "booking.tasks.send_day_before_reminders",
        "schedule": crontab(hour=8, minute=30),
    },
}
