"""A write that queues a notification succeeds while the broker is down, and the notification is
delivered exactly once after the broker returns (a real Redis, a real worker, PostgreSQL)."""

import os
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager

import kombu.pools
import pytest
from django.core import mail
from django.db import transaction

from notifications import services
from notifications.models import Delivery
from notifications.selectors import inbox
from tests.factories import UserFactory

pytestmark = pytest.mark.services


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test's own, so stopping it disturbs nothing else."""

    def __init__(self):
        self.port = _free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@contextmanager
def broker(app, url):
    """Point the Celery app's producers and workers at ``url`` for the duration.

    Celery reads CELERY_BROKER_URL from the environment before its own configuration, so both change.
    """
    old = app.conf.broker_url
    old_env = os.environ.get("CELERY_BROKER_URL")

    def reset():
        kombu.pools.reset()  # drop every cached connection and producer pool
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url = url
    os.environ["CELERY_BROKER_URL"] = url
    reset()
    assert app.connection_for_write().as_uri().endswith(url.split("@")[-1].split("//")[-1])
    try:
        yield
    finally:
        app.conf.broker_url = old
        if old_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = old_env
        reset()


def wait_until(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_broker_outage_loses_nothing_and_delivers_once(transactional_db, caplog):
    from celery.contrib.testing.worker import start_worker

    from config.celery import app
    from notifications.tasks import deliver_notification, resend_pending

    redis = PrivateRedis()
    redis.start()
    user = UserFactory()
    app.conf.task_always_eager = False
    try:
        with broker(app, redis.url):
            redis.stop()  # the broker goes down

            started = time.monotonic()
            with transaction.atomic():
                notification = services.notification_queue(recipients=[user], kind="test", title="断线期间的通知")
            write_seconds = time.monotonic() - started

            assert Delivery.objects.filter(notification=notification, status="pending").count() == 2
            assert write_seconds < 10
            assert f"broker unavailable, notification {notification.pk} left for resend" in caplog.text

            redis.start()  # the broker is back, on the same address
            with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30):
                resend_pending.delay()  # what beat sends every minute
                assert wait_until(lambda: not Delivery.objects.filter(status="pending").exists())
                # a duplicate task (at-least-once brokers redeliver) changes nothing
                deliver_notification.delay(notification.pk)
                resend_pending.delay()
                time.sleep(2)

        assert inbox(user).count() == 1
        assert Delivery.objects.get(notification=notification, channel="inapp").attempts == 1
        assert [m.subject for m in mail.outbox] == ["断线期间的通知"]
    finally:
        app.conf.task_always_eager = True
        if redis.process and redis.process.poll() is None:
            redis.stop()


def test_live_worker_delivers_a_notification_queued_on_commit(celery_worker):
    user = UserFactory()

    with transaction.atomic():
        services.notification_queue(recipients=[user], kind="test", title="经由 Redis 的通知")

    assert wait_until(lambda: inbox(user).exists())
    assert len(mail.outbox) == 1
