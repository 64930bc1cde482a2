"""Embedded development: SQLite, eager Celery, console e-mail, demo accounts allowed."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-secret-key-not-for-production-0000000000")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
DEMO_MODE = env.bool("DJANGO_DEMO_MODE", default=True)

# Fixed development keys: never use them for real data (production reads its keys from the environment).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=["ZGV2LW9ubHktZmllbGQta2V5LWRvLW5vdC11c2UtMDA="])
FIELD_HASH_KEY = env("FIELD_HASH_KEY", default="dev-only-hash-key")
