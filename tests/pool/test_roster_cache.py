"""The instructor search answered from the shared cache: the same answers, never a stale one after a
write, nothing shared between people who see different things, and no failure when the cache fails."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pool.models import Instructor
from pool.services import instructor_link_user, instructor_update, topic_create
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.pool.factories import instructor, pool_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("response_cache")]


@pytest.fixture
def county_pool(world):
    return pool_for(world.county)


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_a_repeated_search_is_answered_without_the_database(world, county_pool, api):
    instructor(county_pool, name="周乡村", bio="乡村振兴与集体经济")
    instructor(county_pool, name="吴党史")

    first = api.get("/api/v1/instructors/", {"q": "乡村振兴"})
    with CaptureQueriesContext(connection) as queries:
        again = api.get("/api/v1/instructors/", {"q": "乡村振兴"})

    assert names(first) == names(again) == ["周乡村"]
    assert again.json() == first.json()
    assert len(queries) == 0
    assert names(api.get("/api/v1/instructors/", {"q": "党史"})) == ["吴党史"]  # another query, its own answer


def test_every_kind_of_write_shows_in_the_next_search(world, county_pool, api, django_capture_on_commit_callbacks):
    teacher = instructor(county_pool, name="郑老师", bio="基层治理")
    assert names(api.get("/api/v1/instructors/", {"q": "网格化"})) == []
    assert names(api.get("/api/v1/instructors/", {"q": "基层治理"})) == ["郑老师"]

    with django_capture_on_commit_callbacks(execute=True):  # a service: the profile
        instructor_update(instructor=teacher, actor=None, bio="网格化管理")
    assert names(api.get("/api/v1/instructors/", {"q": "网格化"})) == ["郑老师"]
    assert names(api.get("/api/v1/instructors/", {"q": "基层治理"})) == []

    with django_capture_on_commit_callbacks(execute=True):  # a service: a topic
        topic_create(instructor=teacher, actor=None, title="长三角一体化")
    assert names(api.get("/api/v1/instructors/", {"q": "长三角"})) == ["郑老师"]

    with django_capture_on_commit_callbacks(execute=True):  # a plain save, as the Django admin does
        teacher.refresh_from_db()
        teacher.status = Instructor.Status.SUSPENDED
        teacher.save()
    assert names(api.get("/api/v1/instructors/", {"q": "网格化"})) == []

    with django_capture_on_commit_callbacks(execute=True):  # the pool closed
        teacher.status = Instructor.Status.APPOINTED
        teacher.save()
        county_pool.is_active = False
        county_pool.save()
    assert names(api.get("/api/v1/instructors/", {"q": "网格化"})) == []


def test_admins_and_instructors_get_answers_of_their_own(world, county_pool, api):
    teacher = instructor(county_pool, name="冯老师", phone="13812345678")
    secretary = client_for(world.secretary())
    owner = client_for(world.admin(world.county))

    assert api.get("/api/v1/instructors/", {"q": "冯"}).json()["results"][0]["phone"] is None
    masked = secretary.get("/api/v1/instructors/", {"q": "冯"}).json()["results"][0]["phone"]
    assert masked and masked != "13812345678"
    assert owner.get("/api/v1/instructors/", {"q": "冯"}).json()["results"][0]["phone"] == "13812345678"
    # after the admin's full answer, the shared ones are still masked
    assert secretary.get("/api/v1/instructors/", {"q": "冯"}).json()["results"][0]["phone"] == masked

    user = UserFactory()
    instructor_link_user(instructor=teacher, actor=None, user=user)
    assert client_for(user).get("/api/v1/instructors/", {"q": "冯"}).json()["results"][0]["phone"] == "13812345678"
    # a suspended instructor still sees themself; nobody else does
    Instructor.objects.filter(pk=teacher.pk).update(status=Instructor.Status.SUSPENDED)
    assert names(client_for(user).get("/api/v1/instructors/", {"q": "冯"})) == ["冯老师"]


def test_a_failing_cache_does_not_fail_the_search(world, county_pool, api):
    instructor(county_pool, name="褚老师")
    with (
        mock.patch.object(cache, "get_many", side_effect=ConnectionError("redis down")),
        mock.patch.object(cache, "get", side_effect=ConnectionError("redis down")),
        mock.patch.object(cache, "set", side_effect=ConnectionError("redis down")),
    ):
        assert names(api.get("/api/v1/instructors/", {"q": "褚"})) == ["褚老师"]


def test_bad_filters_are_refused_and_not_cached(world, county_pool, api):
    response = api.get("/api/v1/instructors/", {"level": "galaxy"})
    assert response.status_code == 400
    assert "level" in response.content.decode()
    assert api.get("/api/v1/instructors/", {"level": "galaxy"}).status_code == 400
