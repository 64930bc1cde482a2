"""Periodic tasks of the evaluation app (read by config.settings.base; keep it free of Django imports)."""

from datetime import timedelta

from celery.schedules import crontab

SCHEDULE = {
    # Delivered lectures whose rating window was not opened (a lost signal) get it within the hour.
    "evaluation-open-missing-windows": {
        "task": "evaluation.tasks.open_missing_rating_windows",
        "schedule": timedelta(hours=1),
    },
    # Each rating moves its pool's mean: the shrunk scores of the whole year are refreshed nightly.
    "evaluation-refresh-summaries": {
        "task": "evaluation.tasks.refresh_rating_summaries",
        "schedule": crontab(hour=2, minute=40),
    },
    # Yearly runs left queued while the broker was down, or stuck after a worker died, are computed.
    "evaluation-resume-runs": {
        "task": "evaluation.tasks.resume_stalled_evaluation_runs",
        "schedule": timedelta(minutes=5),
    },
}
