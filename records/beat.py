"""Periodic tasks of the records app (read by config.settings.base; keep it free of Django imports)."""

from celery.schedules import crontab

SCHEDULE = {
    # Daily: each flag goes to the branch once per member and month, so a missed day is caught up.
    "records-dues-arrears-flags": {
        "task": "records.tasks.flag_dues_arrears",
        "schedule": crontab(hour=8, minute=40),
    },
}
