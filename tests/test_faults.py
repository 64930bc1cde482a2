"""Faults with real services: a Celery worker killed in the middle of a task.

The task is redelivered (late acknowledgement, ``task_reject_on_worker_lost``) and runs again on a
second worker; its effect — a notification delivery marked sent, a webhook message — happens once.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.db import connection, transaction

from notifications import services
from notifications.models import Delivery, WebhookEndpoint
from tests.notifications.test_broker_outage import PrivateRedis, broker, wait_until

pytestmark = pytest.mark.services

ROOT = Path(__file__).resolve().parent.parent


class SlowRobot(BaseHTTPRequestHandler):
    """A group-chat robot that hangs on its first message (so the worker can be killed mid-send)
    and answers at once afterwards. It keeps every message it receives."""

    received: list = []
    first_arrived = threading.Event()
    release = threading.Event()

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        SlowRobot.received.append((self.headers["X-Idempotency-Key"], json.loads(body)))
        if len(SlowRobot.received) == 1:
            SlowRobot.first_arrived.set()
            SlowRobot.release.wait(60)
            return  # the worker is gone by now
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def start_worker(redis_url: str, name: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "CELERY_BROKER_URL": redis_url,
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
        "DATABASE_URL": _test_database_url(),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING", "-n", name],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _test_database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def test_a_worker_killed_mid_task_is_replaced_and_the_effect_happens_once(transactional_db, django_user_model):
    from config.celery import app

    SlowRobot.received = []
    SlowRobot.first_arrived.clear()
    SlowRobot.release.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowRobot)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook = WebhookEndpoint.objects.create(name="支部群", url=f"http://127.0.0.1:{server.server_port}/robot")
    redis = PrivateRedis()
    redis.start()
    workers = []
    app.conf.task_always_eager = False
    try:
        with broker(app, redis.url):
            workers.append(start_worker(redis.url, "first@%h"))
            with transaction.atomic():
                notification = services.notification_queue(
                    recipients=[], kind="test", title="宕机测试", webhooks=[hook]
                )
            delivery = Delivery.objects.get(notification=notification)

            assert SlowRobot.first_arrived.wait(60), "the first worker never started the task"
            workers[0].send_signal(signal.SIGKILL)  # killed while sending
            workers[0].wait(10)
            delivery.refresh_from_db()
            assert delivery.status == "pending"  # the half-done attempt left nothing behind

            workers.append(start_worker(redis.url, "second@%h"))
            assert wait_until(lambda: Delivery.objects.filter(pk=delivery.pk, status="sent").exists(), timeout=90), (
                "the task was not run again after the worker died"
            )
            time.sleep(2)

        delivery.refresh_from_db()
        assert delivery.attempts == 1
        keys = [key for key, _ in SlowRobot.received]
        assert len(keys) == 2  # one message lost with the worker, one delivered
        assert set(keys) == {f"delivery-{delivery.pk}"}  # the receiver can tell they are the same
    finally:
        SlowRobot.release.set()
        app.conf.task_always_eager = True
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(20)
        server.shutdown()
        redis.stop()
