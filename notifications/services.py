"""Writing to the outbox and delivering from it."""

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .channels import channel
from .models import Delivery, Notification, WebhookEndpoint

logger = logging.getLogger(__name__)


def notification_queue(
    *,
    recipients: Iterable,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    payload: dict | None = None,
    channels: Iterable[str] | None = None,
    webhooks: Iterable[WebhookEndpoint] = (),
) -> Notification | None:
    """Write a notification and its deliveries into the outbox, in the caller's transaction.

    Side effects, in order:
    1. one Notification row, and a Delivery row per recipient and channel (a channel that cannot
       reach a recipient, such as e-mail without an address, is written as skipped) and per webhook
       that wants this kind;
    2. after the surrounding transaction commits, a Celery task to send the pending deliveries.
       If the broker is down the rows stay pending and ``resend_pending`` sends them later.

    Returns None when there is nobody to tell.
    """
    recipients = {r.pk: r for r in recipients if r is not None}
    hooks = [w for w in webhooks if w.wants(kind)]
    if not recipients and not hooks:
        return None
    channel_names = list(channels if channels is not None else settings.NOTIFICATION_DEFAULT_CHANNELS)
    notification = Notification.objects.create(
        kind=kind, title=str(title)[:200], body=str(body), url=url, payload=payload or {}
    )
    rows = []
    for recipient in recipients.values():
        for name in channel_names:
            ok = channel(name).applies_to(recipient)
            rows.append(
                Delivery(
                    notification=notification,
                    channel=name,
                    recipient=recipient,
                    status=Delivery.Status.PENDING if ok else Delivery.Status.SKIPPED,
                )
            )
    rows += [Delivery(notification=notification, channel="webhook", endpoint=hook) for hook in hooks]
    Delivery.objects.bulk_create(rows)
    transaction.on_commit(lambda: dispatch(notification.pk))
    return notification


def dispatch(notification_id: int) -> None:
    """Queue the sending task; a broker that is down is logged, not raised (the rows wait)."""
    from .tasks import deliver_notification

    try:
        deliver_notification.delay(notification_id)
    except Exception as exc:  # kombu raises OperationalError and friends when the broker is away
        logger.warning("broker unavailable, notification %s left for resend: %s", notification_id, exc)


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2**attempts, 24 * 60))


def delivery_send(*, delivery_id: int) -> bool:
    """Send one pending delivery once; True when it was sent by this call.

    The row is locked (``skip_locked``) and re-checked, so two workers holding the same task, or
    the on-commit task racing the periodic resend, never send it twice.
    """
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("notification", "recipient", "endpoint")
            .filter(pk=delivery_id, status=Delivery.Status.PENDING)
            .first()
        )
        if delivery is None:
            return False
        delivery.attempts += 1
        try:
            channel(delivery.channel).send(delivery)
        except Exception as exc:
            delivery.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
            if delivery.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
                delivery.status = Delivery.Status.FAILED
            delivery.next_attempt_at = timezone.now() + _backoff(delivery.attempts)
            logger.warning("delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, exc)
            delivery.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            return False
        delivery.status = Delivery.Status.SENT
        delivery.sent_at = timezone.now()
        delivery.last_error = ""
        delivery.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        return True


def notification_deliver(*, notification_id: int) -> int:
    """Send every pending delivery of one notification; returns how many were sent."""
    ids = Delivery.objects.filter(
        notification_id=notification_id, status=Delivery.Status.PENDING, next_attempt_at__lte=timezone.now()
    ).values_list("pk", flat=True)
    return sum(delivery_send(delivery_id=pk) for pk in list(ids))


def deliveries_resend(*, limit: int = 500) -> int:
    """Send pending deliveries that are due and older than the on-commit grace period."""
    now = timezone.now()
    ids = (
        Delivery.objects.filter(
            status=Delivery.Status.PENDING,
            next_attempt_at__lte=now,
            created_at__lte=now - settings.NOTIFICATION_RESEND_AFTER,
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(delivery_send(delivery_id=pk) for pk in list(ids))


def inbox_mark_read(*, user, delivery_ids: Iterable[int] | None = None) -> int:
    """Mark the user's in-app notifications read (all of them when ``delivery_ids`` is None)."""
    qs = Delivery.objects.filter(recipient=user, channel="inapp", read_at__isnull=True)
    if delivery_ids is not None:
        qs = qs.filter(pk__in=list(delivery_ids))
    return qs.update(read_at=timezone.now())
