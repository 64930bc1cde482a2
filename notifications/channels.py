"""Delivery channels. Each takes one Delivery and sends it, raising on failure.

Channels are pluggable: ``settings.NOTIFICATION_CHANNELS`` maps a name to a class path.
"""

import json
import urllib.request
from functools import cache

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from .models import Delivery, WebhookEndpoint


class Channel:
    name = ""

    def applies_to(self, recipient) -> bool:
        """Whether this channel can reach ``recipient``; a delivery it cannot make is skipped."""
        return recipient is not None

    def send(self, delivery: Delivery) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class InAppChannel(Channel):
    """The inbox: a sent in-app delivery is what the recipient sees on the notifications page."""

    name = "inapp"

    def send(self, delivery: Delivery) -> None:
        return None


class EmailChannel(Channel):
    name = "email"

    def applies_to(self, recipient) -> bool:
        return recipient is not None and bool(recipient.email)

    def send(self, delivery: Delivery) -> None:
        n = delivery.notification
        body = n.body
        if n.url:
            body = (
                f"{body}\n\n{settings.SITE_URL.rstrip('/')}{n.url}" if n.url.startswith("/") else f"{body}\n\n{n.url}"
            )
        send_mail(n.title, body, None, [delivery.recipient.email], fail_silently=False)


class WebhookChannel(Channel):
    """Posts to a group-chat robot in the robot's own message format."""

    name = "webhook"

    def applies_to(self, recipient) -> bool:
        return True

    @staticmethod
    def message(endpoint: WebhookEndpoint, delivery: Delivery) -> dict:
        n = delivery.notification
        text = f"**{n.title}**\n{n.body}".strip()
        if endpoint.style == WebhookEndpoint.Style.WECOM:
            return {"msgtype": "markdown", "markdown": {"content": text}}
        if endpoint.style == WebhookEndpoint.Style.DINGTALK:
            return {"msgtype": "markdown", "markdown": {"title": n.title, "text": text}}
        if endpoint.style == WebhookEndpoint.Style.FEISHU:
            return {"msg_type": "text", "content": {"text": f"{n.title}\n{n.body}".strip()}}
        return {"kind": n.kind, "title": n.title, "body": n.body, "url": n.url, "data": n.payload}

    def send(self, delivery: Delivery) -> None:
        endpoint = delivery.endpoint
        data = json.dumps(self.message(endpoint, delivery), ensure_ascii=False).encode()
        request = urllib.request.Request(
            endpoint.url,
            data=data,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                # Lets a receiver drop the copy it already took when a retry follows a lost answer.
                "X-Idempotency-Key": f"delivery-{delivery.pk}",
            },
        )
        with urllib.request.urlopen(request, timeout=settings.NOTIFICATION_WEBHOOK_TIMEOUT) as response:
            if response.status >= 300:
                raise RuntimeError(f"webhook answered {response.status}")


@cache
def channel(name: str) -> Channel:
    return import_string(settings.NOTIFICATION_CHANNELS[name])()
