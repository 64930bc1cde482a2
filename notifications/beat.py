"""Periodic tasks of this app (read by config.settings.base; keep it free of Django imports)."""

from datetime import timedelta

SCHEDULE = {
    "notifications-resend-pending": {"task": "notifications.tasks.resend_pending", "schedule": timedelta(minutes=1)},
}
