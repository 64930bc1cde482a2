"""Thin Celery wrappers around the booking services."""

from celery import shared_task

from . import services


@shared_task
def expire_unanswered() -> int:
    return services.bookings_expire()


@shared_task
def send_day_before_reminders() -> int:
    return services.lecture_reminders_send()
