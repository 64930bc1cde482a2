"""Thin Celery wrappers around the members services."""

from celery import shared_task

from . import services


@shared_task
def remind_quarterly_contacts() -> int:
    return services.mobile_contact_reminders_send()


@shared_task
def warn_probations_ending() -> int:
    return services.probation_warnings_send()


@shared_task
def take_yearly_census() -> int:
    return services.census_take_all()
