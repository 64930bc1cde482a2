"""Thin Celery wrappers around the delivery services."""

from celery import shared_task

from . import services


@shared_task
def deliver_notification(notification_id: int) -> int:
    return services.notification_deliver(notification_id=notification_id)


@shared_task
def resend_pending() -> int:
    return services.deliveries_resend()
