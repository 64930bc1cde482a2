"""The app's settings, with their defaults (override any of them in the Django settings)."""

from django.conf import settings

DEFAULTS = {
    # Reports of a month are due by this day of the next month.
    "ACTIVITY_REPORT_DUE_DAY": 5,
    # A member's question is due this many days after it was asked, unless the branch sets a date.
    "ACTIVITY_QUESTION_DAYS": 30,
    # Secretaries are reminded this many days before their branch's activity day.
    "ACTIVITY_REMIND_DAYS_BEFORE": 3,
    # Attachments: at most this many bytes each, and this many per activity.
    "ACTIVITY_ATTACHMENT_MAX_BYTES": 10 * 1024 * 1024,
    "ACTIVITY_ATTACHMENTS_PER_ACTIVITY": 20,
}


def setting(name: str):
    return getattr(settings, name, DEFAULTS[name])
