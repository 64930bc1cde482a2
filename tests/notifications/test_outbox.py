import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction

from notifications import services
from notifications.models import Delivery, Notification, WebhookEndpoint
from notifications.selectors import inbox, unread_count
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def queue(users, **kwargs):
    kwargs.setdefault("kind", "test")
    kwargs.setdefault("title", "新的讲课请求")
    return services.notification_queue(recipients=users, **kwargs)


def test_queue_writes_one_delivery_per_recipient_and_channel(db):
    with_mail, without_mail = UserFactory(), UserFactory(email="")

    notification = queue([with_mail, without_mail])

    rows = sorted((d.recipient_id, d.channel, d.status) for d in notification.deliveries.all())
    assert rows == sorted(
        [
            (with_mail.pk, "inapp", "pending"),
            (with_mail.pk, "email", "pending"),
            (without_mail.pk, "inapp", "pending"),
            (without_mail.pk, "email", "skipped"),
        ]
    )


def test_delivery_runs_after_commit_and_fills_the_inbox(django_capture_on_commit_callbacks):
    user = UserFactory()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queue([user], body="请在三日内答复。", url="/booking/1/")

    assert len(callbacks) == 1
    assert [d.notification.title for d in inbox(user)] == ["新的讲课请求"]
    assert unread_count(user) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]


def test_nothing_is_sent_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    user = UserFactory()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue([user])
        raise RuntimeError("the change failed")

    assert callbacks == []
    assert not Notification.objects.exists()


def test_broker_down_leaves_rows_pending_and_resend_sends_them_once(django_capture_on_commit_callbacks):
    user = UserFactory()
    with (
        mock.patch("notifications.tasks.deliver_notification.delay", side_effect=OSError("connection refused")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        queue([user])

    assert Delivery.objects.filter(status="pending").count() == 2
    assert services.deliveries_resend() == 2
    assert services.deliveries_resend() == 0
    assert services.notification_deliver(notification_id=Notification.objects.get().pk) == 0
    assert inbox(user).count() == 1
    assert len(mail.outbox) == 1


def test_failed_channel_backs_off_then_gives_up(settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    user = UserFactory()
    notification = queue([user], channels=["email"])
    delivery = notification.deliveries.get()

    with mock.patch("notifications.channels.send_mail", side_effect=ConnectionError("smtp down")):
        assert services.delivery_send(delivery_id=delivery.pk) is False
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("pending", 1)
        assert "smtp down" in delivery.last_error
        assert services.deliveries_resend() == 0  # not due yet
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.created_at)
        services.deliveries_resend()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 2)


class _Robot(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Robot.received.append((self.headers["X-Idempotency-Key"], json.loads(body)))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"errcode":0}')

    def log_message(self, *args):
        pass


@pytest.fixture
def robot():
    _Robot.received = []
    server = HTTPServer(("127.0.0.1", 0), _Robot)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/robot", _Robot.received
    server.shutdown()


def test_webhook_posts_a_wecom_markdown_message(robot, django_capture_on_commit_callbacks):
    url, received = robot
    hook = WebhookEndpoint.objects.create(name="支部群", url=url, style="wecom")
    ignored = WebhookEndpoint.objects.create(name="只收评议", url=url, kinds=["evaluation_published"])

    with django_capture_on_commit_callbacks(execute=True):
        queue([], kind="booking_requested", title="新的讲课请求", body="党史学习教育", webhooks=[hook, ignored])

    assert len(received) == 1
    key, message = received[0]
    assert message == {"msgtype": "markdown", "markdown": {"content": "**新的讲课请求**\n党史学习教育"}}
    assert key.startswith("delivery-")


def test_queue_with_nobody_to_tell_writes_nothing(db):
    assert queue([]) is None
    assert not Notification.objects.exists()


def test_inbox_api_lists_own_notifications_and_marks_them_read(django_capture_on_commit_callbacks):
    user, other = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        queue([user], title="给我的")
        queue([other], title="给别人的")
    client = client_for(user)

    listed = client.get("/api/v1/notifications/").json()
    marked = client.post("/api/v1/notifications/mark-read/", {}, format="json").json()

    assert [r["title"] for r in listed["results"]] == ["给我的"]
    assert listed["results"][0]["is_read"] is False
    assert marked == {"marked": 1}
    assert unread_count(user) == 0
    assert unread_count(other) == 1


def test_inbox_api_refuses_bad_ids(db):
    client = client_for(UserFactory())

    response = client.post("/api/v1/notifications/mark-read/", {"ids": ["x"]}, format="json")

    assert response.status_code == 400
    assert "ids" in response.json()


def test_inbox_page_shows_unread_count_in_navigation(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        queue([user], title="请确认记实")
    client.force_login(user)

    page = client.get("/notifications/").content.decode()

    assert "请确认记实" in page
    assert 'badge rounded-pill text-bg-light">1<' in page
