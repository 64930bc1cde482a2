"""Periodic tasks of the activity app (read by config.settings.base; keep it free of Django imports)."""

from celery.schedules import crontab

SCHEDULE = {
    # Daily: each branch is reminded once a month, a few days before its day (a missed day is caught up).
    "activity-upcoming-day-reminders": {
        "task": "activity.tasks.remind_upcoming_days",
        "schedule": crontab(hour=8, minute=30),
    },
    # On the 25th: branches that have not recorded this month's activity day.
    "activity-unrecorded-day-reminders": {
        "task": "activity.tasks.remind_unrecorded_days",
        "schedule": crontab(hour=9, minute=0, day_of_month=25),
    },
}
