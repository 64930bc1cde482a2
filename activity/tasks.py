"""Thin Celery wrappers around the activity services."""

from celery import shared_task

from . import services


@shared_task
def remind_upcoming_days() -> int:
    return services.day_reminders_send()


@shared_task
def remind_unrecorded_days() -> int:
    return services.unrecorded_reminders_send()
