"""Schemathesis against the OpenAPI schema, in-process: every operation, positive and negative
cases, as an anonymous caller and as each demo role, on the demo province.

Run with ``pytest -m fuzz`` (SQLite) and with DATABASE_URL set (PostgreSQL); `.ci/run` does both.
Examples per operation: ``FUZZ_EXAMPLES`` (default 100), spread evenly over the roles.
"""

import json
import math
import os

import pytest
import schemathesis
from django.core.management import call_command
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

pytestmark = pytest.mark.fuzz

ROLES = [
    "anonymous",
    "province_admin",
    "nanjing_admin",
    "jiangning_admin",
    "secretary",
    "secretary2",
    "xuzhou_secretary",
    "instructor",
    "member",
]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))


@pytest.fixture(scope="module", autouse=True)
def _keep_the_test_connection():
    """Requests go through the WSGI handler, which closes the database connection after each one —
    the test's own transaction. Django's test client avoids that the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def demo_tokens(django_db_setup, django_db_blocker):
    """The demo province, seeded once for the module, and a token per demo account."""
    from rest_framework.authtoken.models import Token

    from orgs.models import User

    with django_db_blocker.unblock():
        call_command("seed_demo", verbosity=0)
        tokens = {
            user.username: Token.objects.get_or_create(user=user)[0].key
            for user in User.objects.filter(username__in=ROLES)
        }
    yield tokens
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def _load_schema():
    """The schema as /api/schema/ serves it, called in-process through the WSGI application."""
    from django.core.wsgi import get_wsgi_application
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = get_wsgi_application()
    return loaded


schema = _load_schema()


@schema.parametrize()
@pytest.mark.parametrize("role", ROLES)
@hypothesis_settings(
    max_examples=math.ceil(EXAMPLES / len(ROLES)),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_api_operation(case, role, demo_tokens, db):
    headers = {} if role == "anonymous" else {"Authorization": f"Token {demo_tokens[role]}"}
    case.call_and_validate(headers=headers)
