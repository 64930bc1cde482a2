"""Production settings: HTTPS-only cookies, HSTS, the deploy check clean, password rules enforced.

The production module reads its secrets from the environment, so it is loaded in a child process with
generated keys, the way an operator would start it.
"""

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

ROOT = Path(__file__).resolve().parents[2]


def _production_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="xianfeng.example.org",
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        FIELD_HASH_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
    )
    return env


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=_production_env(), capture_output=True, text=True, timeout=120
    )


def test_the_deploy_check_has_nothing_to_say():
    result = _run("manage.py", "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr


def test_cookies_are_https_only_and_hsts_is_a_year():
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ("
        "'DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
        "'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT', 'DEMO_MODE')}))"
    )

    result = _run("-c", script)
    figures = json.loads(result.stdout.strip().splitlines()[-1])

    assert figures == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_SSL_REDIRECT": True,
        "DEMO_MODE": False,
    }


def test_production_refuses_to_start_without_its_secrets():
    env = _production_env()
    del env["FIELD_ENCRYPTION_KEYS"]

    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr


@pytest.mark.parametrize(
    "password, reason",
    [("short1", "太短"), ("12345678901", "只包含数字"), ("password123", "太常见"), ("jiangning_admin1", "相似")],
)
def test_weak_passwords_are_refused_with_the_reason(db, password, reason):
    from orgs.models import User

    user = User(username="jiangning_admin", first_name="王")
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)

    assert any(reason in str(message) for message in refused.value.messages)
