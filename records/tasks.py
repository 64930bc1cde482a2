"""Thin Celery wrappers around the records services."""

from celery import shared_task

from . import services


@shared_task
def flag_dues_arrears() -> int:
    return services.arrears_flags_send()
