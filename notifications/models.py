"""The outbox: a notification and one delivery row per recipient and channel.

Rows are written in the same transaction as the change that causes them; a Celery task sends
them after commit and a periodic task resends whatever is still pending, so a broker outage
delays a message but never loses it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """What happened, written once; its deliveries carry it to people and robots."""

    kind = models.CharField(_("kind"), max_length=60, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    payload = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class WebhookEndpoint(models.Model):
    """A group-chat robot (WeCom, DingTalk, Feishu) or any JSON webhook."""

    class Style(models.TextChoices):
        WECOM = "wecom", _("WeCom robot")
        DINGTALK = "dingtalk", _("DingTalk robot")
        FEISHU = "feishu", _("Feishu robot")
        JSON = "json", _("Generic JSON")

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("address"), max_length=500)
    style = models.CharField(_("style"), max_length=20, choices=Style.choices, default=Style.JSON)
    kinds = models.JSONField(_("notification kinds"), default=list, blank=True, help_text=_("Empty: every kind."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.name

    def wants(self, kind: str) -> bool:
        return self.is_active and (not self.kinds or kind in self.kinds)


class Delivery(models.Model):
    """One message to one recipient (or robot) over one channel; the in-app ones form the inbox."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    notification = models.ForeignKey(
        Notification, verbose_name=_("notification"), on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=20)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("webhook"), on_delete=models.CASCADE, null=True, blank=True
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notif_delivery_due"),
            models.Index(fields=["recipient", "channel", "status", "read_at"], name="notif_inbox"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel", "recipient"],
                condition=models.Q(endpoint__isnull=True),
                name="notif_delivery_once_per_recipient",
            ),
            models.UniqueConstraint(
                fields=["notification", "endpoint"],
                condition=models.Q(endpoint__isnull=False),
                name="notif_delivery_once_per_endpoint",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification} → {self.recipient or self.endpoint} ({self.channel})"
