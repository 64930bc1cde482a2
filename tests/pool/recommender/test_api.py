"""GET /api/v1/instructors/recommend/ (SPEC section 9)."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from pool.models import Instructor
from pool.recommender.api import RecommendResponseSerializer, recommendations_payload
from pool.recommender.ranking import instructor_recommend
from pool.registry import AVAILABILITY_PROVIDERS, LOAD_PROVIDERS
from tests.conftest import client_for
from tests.pool.recommender.factories import ECOMMERCE, ELDERLY, FIRST_AID, LAW, PARTY_HISTORY, pools_of, teacher

pytestmark = pytest.mark.django_db
URL = "/api/v1/instructors/recommend/"


@pytest.fixture
def pools(world):
    return pools_of(world)


@pytest.fixture
def secretary_api(world):
    return client_for(world.secretary(world.branch))


def test_anonymous_callers_get_401(api, pools):
    teacher(pools.county, FIRST_AID)

    assert api.get(URL, {"q": "心肺复苏"}).status_code == 401


def test_results_have_the_contract_keys_and_explain_themselves(world, pools, secretary_api):
    elderly = teacher(pools.county, ELDERLY)
    teacher(pools.county, ECOMMERCE)
    teacher(pools.county, LAW)

    response = secretary_api.get(
        URL, {"q": "村里年轻人都出去打工了，想请人讲讲怎么照顾好留守老人", "branch": world.branch.pk}
    )

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["results"]
    best = body["results"][0]
    assert list(best) == ["id", "code", "name", "category", "level", "score", "explanation"]
    assert (best["id"], best["code"], best["category"], best["level"]) == (
        elderly.pk,
        elderly.code,
        "management",
        "county",
    )
    explanation = best["explanation"]
    assert "居家养老服务" in explanation["matched_terms"]
    assert explanation["expanded_from"]["居家养老服务"] == "留守老人"
    assert explanation["inferred_category"]["category"] == "management"
    assert explanation["inferred_category"]["name"] == "综合管理"
    assert set(explanation["parts"]) == {"topic", "category", "availability", "rating", "load"}
    assert best["score"] == pytest.approx(sum(explanation["parts"].values()), abs=2e-4)
    assert (explanation["availability"], explanation["rating"], explanation["load"]) == (None, None, 0)


def test_results_are_best_first_and_k_limits_them(pools, secretary_api):
    for profile in (FIRST_AID, FIRST_AID, FIRST_AID, LAW, PARTY_HISTORY):
        teacher(pools.county, profile)

    results = secretary_api.get(URL, {"q": "急救培训，心肺复苏", "k": 2}).json()["results"]

    assert len(results) == 2
    assert results[0]["score"] >= results[1]["score"]
    assert [r["category"] for r in results] == ["skills", "skills"]


def test_a_branch_only_sees_the_pools_it_may_book(world, pools, secretary_api):
    own = teacher(pools.county, FIRST_AID)
    province = teacher(pools.province, FIRST_AID)
    teacher(pools.other_city, FIRST_AID)
    teacher(pools.sibling_county, FIRST_AID)

    scoped = secretary_api.get(URL, {"q": "心肺复苏", "branch": world.branch.pk}).json()["results"]
    everyone = secretary_api.get(URL, {"q": "心肺复苏"}).json()["results"]

    assert sorted(r["id"] for r in scoped) == sorted([own.pk, province.pk])
    assert len(everyone) == 4


def test_the_date_weighs_availability(world, pools, secretary_api, blocked_days):
    blocked = teacher(pools.county, FIRST_AID)
    free = teacher(pools.county, FIRST_AID)
    day = timezone.localdate() + timedelta(days=7)
    blocked_days[(blocked.pk, day)] = "当天已有讲座"

    results = secretary_api.get(URL, {"q": "心肺复苏", "date": day.isoformat(), "branch": world.branch.pk}).json()[
        "results"
    ]

    assert [r["id"] for r in results] == [free.pk, blocked.pk]
    assert results[1]["explanation"]["availability"] == {
        "date": day.isoformat(),
        "available": False,
        "reason": "当天已有讲座",
    }
    assert results[0]["explanation"]["availability"]["available"] is True


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "养" * 501}, "q"),
        ({"q": "养老", "k": 0}, "k"),
        ({"q": "养老", "k": 51}, "k"),
        ({"q": "养老", "k": "ten"}, "k"),
        ({"q": "养老", "date": "2026-02-30"}, "date"),
        ({"q": "养老", "date": "next friday"}, "date"),
        ({"q": "养老", "date": "2001-01-01"}, "date"),
        ({"q": "养老", "branch": "abc"}, "branch"),
    ],
)
def test_bad_parameters_are_400_naming_the_field(pools, secretary_api, params, field):
    teacher(pools.county, FIRST_AID)

    response = secretary_api.get(URL, params)

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_a_branch_outside_the_jurisdiction_is_404(world, pools, secretary_api):
    teacher(pools.county, FIRST_AID)

    assert secretary_api.get(URL, {"q": "心肺复苏", "branch": world.other_city_branch.pk}).status_code == 404
    assert secretary_api.get(URL, {"q": "心肺复苏", "branch": 987654}).status_code == 404


def test_an_admin_may_rank_for_an_organization_it_administers(world, pools):
    teacher(pools.county, FIRST_AID)
    teacher(pools.sibling_county, FIRST_AID)
    admin = client_for(world.admin(world.county))

    inside = admin.get(URL, {"q": "心肺复苏", "branch": world.sibling_branch.pk})
    outside = admin.get(URL, {"q": "心肺复苏", "branch": world.sibling_county_branch.pk})

    assert inside.status_code == 200
    assert len(inside.json()["results"]) == 1
    assert outside.status_code == 404


def test_a_need_that_fits_nobody_returns_no_results(pools, secretary_api):
    teacher(pools.county, FIRST_AID)

    response = secretary_api.get(URL, {"q": "😀😀 ok"})

    assert (response.status_code, response.json()) == (200, {"results": []})


def test_query_count_does_not_grow_with_the_instructors(world, pools, secretary_api):
    params = {
        "q": "心肺复苏",
        "branch": world.branch.pk,
        "date": (timezone.localdate() + timedelta(days=3)).isoformat(),
    }

    def queries_for(count: int) -> int:
        while Instructor.objects.filter(status=Instructor.Status.APPOINTED).count() < count:
            teacher(pools.county, FIRST_AID)
        secretary_api.get(URL, params)  # builds or updates the index
        with CaptureQueriesContext(connection) as queries:
            response = secretary_api.get(URL, params)
        assert len(response.json()["results"]) == count
        return len(queries)

    one, several = queries_for(1), queries_for(6)

    # token, jurisdiction, branch, version row, fingerprint, bookable pools, ratings (+ booking's providers)
    assert one == several
    assert one <= 7 + len(AVAILABILITY_PROVIDERS) + len(LOAD_PROVIDERS)


def test_the_answer_is_what_the_documented_serializer_gives(world, pools, secretary_api, blocked_days):
    blocked = teacher(pools.county, FIRST_AID)
    teacher(pools.county, FIRST_AID)
    teacher(pools.county, ELDERLY)
    day = timezone.localdate() + timedelta(days=7)
    blocked_days[(blocked.pk, day)] = "当天已有讲座"
    need = "心肺复苏和照顾留守老人"

    response = secretary_api.get(URL, {"q": need, "date": day.isoformat(), "branch": world.branch.pk})
    result = instructor_recommend(actor=world.secretary(world.branch), need=need, branch=world.branch, day=day)
    documented = JSONRenderer().render(RecommendResponseSerializer(recommendations_payload(result)).data)

    assert len(response.json()["results"]) == 3
    assert response.json() == json.loads(documented)
