"""Tests: fast hashing, in-memory mail. SQLite unless DATABASE_URL is set.

Celery stays eager for the whole suite; tests marked ``services`` start a real worker on the
broker from CELERY_BROKER_URL themselves (see tests/conftest.py).
"""

from datetime import timedelta

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, env

DEBUG = False
SECRET_KEY = "test-only-secret-key-0000000000000000000000000000000000"
ALLOWED_HOSTS = ["*"]
DEMO_MODE = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
# Parallel local runs against one PostgreSQL server keep apart by naming their test database.
if env("TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file rather than memory: the live server's threads for browser tests open their own
    # connections instead of sharing one across threads. No WAL: a journal left by an aborted run
    # would be replayed into the next run's fresh database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
NOTIFICATION_RESEND_AFTER = timedelta(seconds=0)
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth": "10000/minute"}}  # noqa: F405
FIELD_ENCRYPTION_KEYS = ["dGVzdC1vbmx5LWZpZWxkLWtleS1kby1ub3QtdXNlLTA="]
FIELD_HASH_KEY = "test-only-hash-key"
# Lockout is exercised by its own tests (they switch it on); elsewhere logins must not lock anyone.
AXES_ENABLED = False
