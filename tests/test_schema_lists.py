"""What the schema says a GET answers is what it answers: a page (count, results) where it says a page,
a plain array where it says an array. The fuzz rarely hits an id that exists, so the per-object lists
are checked here on the demo province, as the superuser (who sees every object)."""

import pytest
from django.core.management import call_command

from activity.models import Activity
from booking.models import Booking
from members.models import MobileMembership, Partnership
from orgs.models import User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

# path in the schema → the model whose first object fills ``{id}`` (the demo province has each)
PER_OBJECT_LISTS = {
    "/api/v1/activities/{id}/expected/": Activity,
    "/api/v1/bookings/{id}/history/": Booking,
    "/api/v1/bookings/{id}/answers/": Booking,
    "/api/v1/mobile-members/{id}/contacts/": MobileMembership,
    "/api/v1/mobile-members/{id}/notices/": MobileMembership,
    "/api/v1/mobile-members/{id}/participations/": MobileMembership,
    "/api/v1/mobile-members/{id}/feedback/": MobileMembership,
    "/api/v1/partnerships/{id}/reviews/": Partnership,
}


PAGE = ["count", "results"]


def _answer_schema(schema: dict, path: str) -> dict:
    content = schema["paths"][path]["get"]["responses"].get("200", {}).get("content", {})
    body = content.get("application/json", {}).get("schema", {})
    if "$ref" in body:
        body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    return body


def test_per_object_lists_answer_the_array_the_schema_documents():
    call_command("seed_demo", verbosity=0)
    client = client_for(User.objects.get(username="admin"))
    schema = client.get("/api/schema/", {"format": "json"}).json()

    for path, model in PER_OBJECT_LISTS.items():
        obj = model.objects.order_by("pk").first()
        assert obj is not None, f"the demo province has no {model.__name__}"
        documented = _answer_schema(schema, path)
        response = client.get(path.replace("{id}", str(obj.pk)))

        assert response.status_code == 200, (path, response.content[:200])
        assert documented["type"] == "array", path
        assert isinstance(response.json(), list), path
        assert [p["name"] for p in schema["paths"][path]["get"].get("parameters", [])] == ["id"], path


def test_every_other_documented_page_is_a_page():
    call_command("seed_demo", verbosity=0)
    client = client_for(User.objects.get(username="admin"))
    schema = client.get("/api/schema/", {"format": "json"}).json()

    pages = [
        path
        for path, operations in schema["paths"].items()
        if "get" in operations
        and "{" not in path
        and _answer_schema(schema, path).get("required") == ["count", "results"]
    ]

    assert len(pages) > 30
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, (path, response.content[:200])
        assert {"count", "results"} <= set(response.json()), path
