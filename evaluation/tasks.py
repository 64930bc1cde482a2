"""Thin Celery wrappers around the evaluation services."""

from celery import shared_task

from . import services


@shared_task
def compute_evaluation_run(run_id: int) -> None:
    services.run_compute(run_id=run_id)


@shared_task
def open_missing_rating_windows() -> int:
    return services.rating_windows_catch_up()


@shared_task
def refresh_rating_summaries() -> int:
    return services.rating_summaries_refresh()


@shared_task
def resume_stalled_evaluation_runs() -> int:
    return services.runs_resume()
