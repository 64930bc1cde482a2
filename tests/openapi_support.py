"""Shared by the API fuzz and the schema conformance tests: the schema as served, loaded into
schemathesis and called in-process, and a guard that keeps the test's database connection open."""

import json
from contextlib import contextmanager

import schemathesis


def load_schema():
    """The schema as /api/schema/ serves it, called in-process through the WSGI application."""
    from django.core.wsgi import get_wsgi_application
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = get_wsgi_application()
    return loaded


@contextmanager
def connection_kept_open():
    """Requests go through the WSGI handler, which closes the database connection after each one —
    the test's own transaction. Django's test client avoids that the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
