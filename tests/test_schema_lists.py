"""What the schema says a GET answers is what it answers: a page (count, results) where it says a page,
a plain array where it says an array. The fuzz rarely hits an id that exists, so the per-object lists
are checked here on the demo province, as the superuser (who sees every object)."""

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from activity.models import Activity
from booking.models import Booking
from evaluation.models import Proposal
from members.models import MobileMembership, Partnership
from members.services import census_take
from notifications.services import notification_queue
from orgs.models import Organization, User
from pool.models import Instructor
from tests.conftest import client_for
from tests.openapi_support import connection_kept_open, load_schema

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

# Paths whose prefix is no list of the objects: their ids come from the database.
IDS_FROM = {"/api/v1/evaluation-proposals/{id}/": Proposal, "/api/v1/schedules/{id}/": Instructor}
# The demo province enters no holiday calendar of its own (the package's calendar serves).
EXPECTED_WITHOUT_OBJECT = ["/api/v1/holiday-calendars/{year}/"]


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


def _ids(client, list_path: str, field: str) -> list:
    """The ids on the first page of a list the superuser sees (none when the prefix is not a list)."""
    response = client.get(list_path, {"page_size": 50} if field == "id" else {})
    if response.status_code != 200:
        return []
    body = response.json()
    return [row[field] for row in (body["results"] if isinstance(body, dict) else body)]


def test_every_get_of_an_object_matches_its_schema_on_a_real_object(django_capture_on_commit_callbacks):
    """The fuzz draws ids at random and mostly gets 404: here each documented ``GET …/{id}/…`` is called
    with an object that exists (the first one its list shows the superuser), and the answer is checked
    against the schema by schemathesis (status documented, body and headers conform, no server error)."""
    from schemathesis import checks

    call_command("seed_demo", verbosity=0)
    admin = User.objects.get(username="admin")
    census_take(organization=Organization.objects.get(parent=None))  # the demo takes no census
    with django_capture_on_commit_callbacks(execute=True):  # nor writes to the superuser: delivered at commit
        notification_queue(recipients=[admin], kind="test", title="矩阵")
    client = client_for(admin)
    headers = {"Authorization": f"Token {Token.objects.get_or_create(user=admin)[0].key}"}
    schema = load_schema()
    cases, checked, without_object = [], [], []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() != "GET" or "{" not in operation.path:
            continue
        name = operation.path.split("{", 1)[1].split("}", 1)[0]
        if operation.path in IDS_FROM:
            values = list(IDS_FROM[operation.path].objects.order_by("pk").values_list("pk", flat=True)[:20])
        else:
            values = _ids(client, operation.path.split("{", 1)[0], "id" if name.endswith("id") else name)
        cases.append((operation, [operation.Case(path_parameters={name: value}) for value in values]))

    # After the test client's requests: it reconnects the signal that closes the connection.
    with connection_kept_open():
        for operation, candidates in cases:
            # Objects in turn until one has what the path shows (a lecture without ratings has no
            # rating links: 404); every answer on the way must conform too.
            for case in candidates:
                response = case.call(headers=headers)
                case.validate_response(
                    response,
                    headers=headers,
                    checks=[
                        checks.not_a_server_error,
                        checks.status_code_conformance,
                        checks.content_type_conformance,
                        checks.response_schema_conformance,
                    ],
                )
                if response.status_code == 200:
                    checked.append(operation.path)
                    break
            else:
                without_object.append(operation.path)

    # A documented object the demo province lacks, or whose list the path's prefix is not, is named here.
    assert without_object == EXPECTED_WITHOUT_OBJECT, without_object
    assert len(checked) >= 35
