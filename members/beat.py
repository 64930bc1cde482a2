"""Periodic tasks of the members app (read by config.settings.base; keep it free of Django imports)."""

from celery.schedules import crontab

SCHEDULE = {
    # Daily: each reminder goes out once per branch and quarter, so a missed day is caught up.
    "members-quarterly-contact-reminders": {
        "task": "members.tasks.remind_quarterly_contacts",
        "schedule": crontab(hour=8, minute=10),
    },
    "members-probation-warnings": {
        "task": "members.tasks.warn_probations_ending",
        "schedule": crontab(hour=8, minute=20),
    },
    # 排查: on 1 December, for every committee with mobile members.
    "members-yearly-census": {
        "task": "members.tasks.take_yearly_census",
        "schedule": crontab(hour=2, minute=30, day_of_month=1, month_of_year=12),
    },
}
