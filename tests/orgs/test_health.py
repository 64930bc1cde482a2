from unittest import mock

import pytest
from django.db import DatabaseError

pytestmark = pytest.mark.django_db


def test_health_is_open_and_runs_one_query(api, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = api.get("/api/v1/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_ignores_a_bad_token(api):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")

    response = api.get("/api/v1/health/")

    assert response.status_code == 200


def test_health_is_503_when_the_database_does_not_answer(api):
    with mock.patch("orgs.api.connection.cursor", side_effect=DatabaseError("down")):
        response = api.get("/api/v1/health/")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}
