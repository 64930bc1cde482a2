import re

import pytest
from django.utils import timezone

from pool.models import Category, Instructor, Pool, RosterVersion
from pool.services import (
    call_review_start,
    instructor_link_user,
    recommendation_decide,
    roster_publish,
    suggestion_send,
)
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.pool.factories import call_for, instructor, pool_for, recommend, reviewed

pytestmark = pytest.mark.django_db
S = Instructor.Status
PHONE = re.compile(r"1[3-9]\d{9}")


@pytest.fixture
def county_pool(world):
    return pool_for(world.county)


# --- the list: public fields, scope, contact data --------------------------------------------------


def test_anonymous_list_has_active_instructors_without_contact_data(world, county_pool, api):
    active = instructor(county_pool, phone="13812345678")
    instructor(county_pool, active=False, phone="13812345679")

    response = api.get("/api/v1/instructors/")

    body = response.content.decode()
    assert response.status_code == 200
    assert [r["code"] for r in response.json()["results"]] == [active.code]
    assert response.json()["results"][0]["phone"] is None
    assert PHONE.search(body) is None


def test_list_is_paginated_with_the_contract_keys(world, county_pool, api):
    for _ in range(3):
        instructor(county_pool)

    page = api.get("/api/v1/instructors/", {"page_size": 2}).json()

    assert list(page) == ["count", "next", "previous", "results"]
    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert {"id", "code", "name", "category", "level", "topics", "sub_areas"} <= set(page["results"][0])


def test_owning_admin_sees_the_phone_a_supervisor_sees_it_masked(world, county_pool):
    member = instructor(county_pool, phone="13812345678")

    owner = client_for(world.admin(world.county)).get(f"/api/v1/instructors/{member.pk}/").json()
    supervisor = client_for(world.admin(world.city)).get(f"/api/v1/instructors/{member.pk}/").json()
    secretary = client_for(world.secretary(world.branch)).get(f"/api/v1/instructors/{member.pk}/").json()

    assert (owner["phone"], owner["contact_visible"]) == ("13812345678", True)
    assert (supervisor["phone"], supervisor["contact_visible"]) == ("138****5678", False)
    assert secretary["phone"] == "138****5678"


def test_the_instructor_sees_its_own_phone(world, county_pool):
    user = UserFactory()
    member = instructor_link_user(instructor=instructor(county_pool, phone="13812345678"), actor=None, user=user)

    assert client_for(user).get(f"/api/v1/instructors/{member.pk}/").json()["phone"] == "13812345678"


def test_admins_see_candidates_of_their_pools_only(world, county_pool):
    candidate = instructor(county_pool, active=False)
    other = instructor(pool_for(world.sibling_county), active=False)

    county = client_for(world.admin(world.county)).get("/api/v1/instructors/", {"status": "recommended"}).json()
    city = client_for(world.admin(world.city)).get("/api/v1/instructors/", {"status": "recommended"}).json()
    sibling = client_for(world.admin(world.sibling_county)).get(f"/api/v1/instructors/{candidate.pk}/")

    assert [r["id"] for r in county["results"]] == [candidate.pk]
    assert sorted(r["id"] for r in city["results"]) == sorted([candidate.pk, other.pk])
    assert sibling.status_code == 404


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"level": "county"}, ["县讲师"]),
        ({"level": "县级"}, ["县讲师"]),
        ({"level": "省级"}, ["省讲师"]),
        ({"category": "economy"}, ["省讲师"]),
        ({"category": "经济发展"}, ["省讲师"]),
        ({"q": "乡村振兴"}, ["省讲师"]),
        ({"q": "江宁"}, ["县讲师"]),
        ({"sub_area": "区域经济"}, ["省讲师"]),
    ],
)
def test_filters(world, county_pool, api, params, names):
    from pool.models import SubArea

    province = pool_for(world.province)
    instructor(
        province,
        name="省讲师",
        category=Category.ECONOMY,
        topics=[{"title": "乡村振兴的路径"}],
        sub_areas=[SubArea.objects.get(name="区域经济")],
    )
    instructor(county_pool, name="县讲师", employer="江宁区委党校")

    results = api.get("/api/v1/instructors/", params).json()["results"]

    assert [r["name"] for r in results] == names


def test_pool_filter(world, county_pool, api):
    member = instructor(county_pool)
    instructor(pool_for(world.province))

    results = api.get("/api/v1/instructors/", {"pool": county_pool.pk}).json()["results"]

    assert [r["id"] for r in results] == [member.pk]


@pytest.mark.parametrize("params", [{"level": "planet"}, {"category": "天文"}, {"status": "sleeping"}, {"pool": "x"}])
def test_bad_filters_are_400_with_the_field(world, county_pool, api, params):
    response = api.get("/api/v1/instructors/", params)

    assert response.status_code == 400
    assert list(response.json()) == list(params)


def test_instructor_list_query_count_does_not_grow(world, county_pool, django_assert_num_queries):
    admin = world.admin(world.county)
    client = client_for(admin)
    counts = []
    for extra in (1, 15):
        for _ in range(extra):
            instructor(county_pool)
        client.get("/api/v1/instructors/")
        with django_assert_num_queries(6) as ctx:  # token, roles, count, page, topics, sub-areas
            response = client.get("/api/v1/instructors/", {"page_size": 100})
        counts.append((len(ctx.captured_queries), response.json()["count"]))

    assert counts == [(6, 1), (6, 16)]


def test_anonymous_list_query_count_does_not_grow(world, county_pool, api, django_assert_num_queries):
    for rows in (1, 12):
        while Instructor.objects.count() < rows:
            instructor(county_pool)
        with django_assert_num_queries(4):  # count, page, topics, sub-areas
            assert api.get("/api/v1/instructors/").json()["count"] == rows


# --- writes ----------------------------------------------------------------------------------------


def test_anonymous_writes_are_401(world, county_pool, api):
    member = instructor(county_pool)

    assert api.patch(f"/api/v1/instructors/{member.pk}/", {"bio": "x"}).status_code == 401
    assert api.post(f"/api/v1/instructors/{member.pk}/transition/", {"status": "suspended"}).status_code == 401
    assert api.get("/api/v1/calls/").status_code == 401


def test_impossible_transition_is_409(world, county_pool):
    candidate = instructor(county_pool, active=False)
    client = client_for(world.admin(world.county))

    response = client.post(f"/api/v1/instructors/{candidate.pk}/transition/", {"status": "suspended", "reason": "x"})

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_transition_outside_the_pool_is_403(world, county_pool):
    member = instructor(county_pool)

    response = client_for(world.admin(world.city)).post(
        f"/api/v1/instructors/{member.pk}/transition/", {"status": "suspended", "reason": "x"}
    )

    assert response.status_code == 403


def test_full_pool_appointment_is_409_then_passes_with_a_reason(world):
    pool = pool_for(world.county, quota_min=0, quota_max=1)
    instructor(pool)
    reserve = instructor(pool, active=False)
    client = client_for(world.admin(world.county))
    client.post(f"/api/v1/instructors/{reserve.pk}/transition/", {"status": "under_review"})
    client.post(f"/api/v1/instructors/{reserve.pk}/transition/", {"status": "reserve"})

    refused = client.post(f"/api/v1/instructors/{reserve.pk}/transition/", {"status": "appointed"})
    allowed = client.post(
        f"/api/v1/instructors/{reserve.pk}/transition/", {"status": "appointed", "override_reason": "增补"}
    )

    assert refused.status_code == 409
    assert refused.json()["code"] == "quota_exceeded"
    assert allowed.status_code == 200
    assert allowed.json()["status"] == "appointed"


def test_self_edit_of_profile_and_403_for_category(world, county_pool):
    user = UserFactory()
    member = instructor_link_user(instructor=instructor(county_pool), actor=None, user=user)
    client = client_for(user)

    ok = client.patch(f"/api/v1/instructors/{member.pk}/", {"bio": "我的简介", "phone": "13900000000"})
    refused = client.patch(f"/api/v1/instructors/{member.pk}/", {"category": "models"})
    bad = client.patch(f"/api/v1/instructors/{member.pk}/", {"phone": "123"})

    assert ok.status_code == 200
    assert (ok.json()["bio"], ok.json()["phone"]) == ("我的简介", "13900000000")
    assert refused.status_code == 403
    assert bad.status_code == 400
    assert list(bad.json()) == ["phone"]


def test_topics_are_kept_by_the_instructor(world, county_pool):
    user = UserFactory()
    member = instructor_link_user(instructor=instructor(county_pool), actor=None, user=user)
    client = client_for(user)

    created = client.post(f"/api/v1/instructors/{member.pk}/topics/", {"title": "新专题", "abstract": "摘要"})
    topic_id = created.json()["id"]
    changed = client.patch(f"/api/v1/instructor-topics/{topic_id}/", {"abstract": "新摘要"})
    stranger = client_for(UserFactory()).delete(f"/api/v1/instructor-topics/{topic_id}/")
    deleted = client.delete(f"/api/v1/instructor-topics/{topic_id}/")

    assert created.status_code == 201
    assert changed.json() == {"id": topic_id, "title": "新专题", "abstract": "新摘要"}
    assert stranger.status_code == 403
    assert deleted.status_code == 204


def test_history_lists_every_transition(world, county_pool):
    member = instructor(county_pool)
    client = client_for(world.admin(world.county))
    client.post(f"/api/v1/instructors/{member.pk}/transition/", {"status": "suspended", "reason": "整改"})

    history = client.get(f"/api/v1/instructors/{member.pk}/history/").json()

    assert [(h["from_status"], h["to_status"]) for h in history] == [("", "appointed"), ("appointed", "suspended")]
    assert history[1]["reason"] == "整改"
    assert history[1]["actor_name"] != ""
    assert client_for(UserFactory()).get(f"/api/v1/instructors/{member.pk}/history/").status_code == 404


# --- intake through the API ------------------------------------------------------------------------


def test_intake_end_to_end_through_the_api(world):
    pool = pool_for(world.province)
    admin = world.admin(world.province, username="prov")
    reviewer = UserFactory(username="reviewer1")
    secretary = world.secretary(world.branch)
    a, s, r = client_for(admin), client_for(secretary), client_for(reviewer)
    deadline = (timezone.localdate() + timezone.timedelta(days=10)).isoformat()

    call = a.post(
        "/api/v1/calls/",
        {
            "pool": pool.pk,
            "title": "年度征集",
            "category_counts": {"economy": 2},
            "deadline": deadline,
            "reviewers": ["prov", "reviewer1"],
        },
    )
    assert call.status_code == 201, call.json()
    open_calls = s.get("/api/v1/calls/").json()
    assert [c["id"] for c in open_calls["results"]] == [call.json()["id"]]

    payload = {
        "call": call.json()["id"],
        "recommending_org": world.branch.pk,
        "candidate": {"name": "候选人甲", "gender": "female", "category": "economy", "phone": "13811112222"},
        "topics": [{"title": "数字乡村", "abstract": "农村电商"}],
        "consent_given": False,
        "consent_method": "signed_form",
        "consent_date": timezone.localdate().isoformat(),
    }
    no_consent = s.post("/api/v1/recommendations/", payload)
    rec = s.post("/api/v1/recommendations/", {**payload, "consent_given": True})
    assert no_consent.status_code == 400
    assert list(no_consent.json()) == ["consent_given"]
    assert rec.status_code == 201, rec.json()
    rec_id = rec.json()["id"]

    assert a.post(f"/api/v1/calls/{call.json()['id']}/start-review/").json() == {"moved": 1}
    for client, scores in ((a, (80, 90, 70)), (r, (90, 70, 80))):
        scored = client.post(
            f"/api/v1/recommendations/{rec_id}/reviews/",
            dict(zip(["score_basic", "score_teaching", "score_research"], scores, strict=True)),
        )
        assert scored.status_code == 201
    detail = a.get(f"/api/v1/recommendations/{rec_id}/").json()
    assert (detail["review_count"], detail["combined_score"]) == (2, "80.00")

    decided = a.post(f"/api/v1/recommendations/{rec_id}/decide/", {"decision": "approve", "reason": "择优"})
    candidate_id = decided.json()["candidate"]["id"]
    appointed = a.post(
        f"/api/v1/instructors/{candidate_id}/appoint/",
        {"agreement_date": "2026-01-05", "term_start": "2026-01-05", "term_end": "2028-12-31"},
    )
    roster = a.post(f"/api/v1/pools/{pool.pk}/publish-roster/", {"title": "省级师资名单"})

    assert decided.json()["candidate"]["status"] == "approved"
    assert appointed.status_code == 200
    assert appointed.json()["status"] == "appointed"
    assert appointed.json()["letter_number"].startswith("江苏省先锋师资聘〔2026〕")
    assert roster.status_code == 201
    assert [(e["name"], e["change"]) for e in roster.json()["entries"]] == [("候选人甲", "added")]
    public = client_for(UserFactory()).get("/api/v1/rosters/", {"pool": pool.pk}).json()
    assert [v["number"] for v in public["results"]] == [roster.json()["number"]]


def test_decision_before_review_is_409(world):
    admin = world.admin(world.province)
    call = call_for(pool_for(world.province), admin)
    rec = recommend(call, world.admin(world.city), world.city)
    call_review_start(call=call, actor=admin)

    response = client_for(admin).post(f"/api/v1/recommendations/{rec.pk}/decide/", {"decision": "approve"})

    assert response.status_code == 409


def test_recommender_sees_its_recommendation_but_not_the_reviews(world):
    admin = world.admin(world.province)
    call = call_for(pool_for(world.province), admin)
    city_admin = world.admin(world.city)
    rec = reviewed(call, recommend(call, city_admin, world.city), [(admin, (1, 2, 3))])
    client = client_for(city_admin)

    assert client.get(f"/api/v1/recommendations/{rec.pk}/").status_code == 200
    assert client.get(f"/api/v1/recommendations/{rec.pk}/reviews/").status_code == 404
    assert client_for(world.admin(world.other_city)).get(f"/api/v1/recommendations/{rec.pk}/").status_code == 404


# --- other lists and their query counts ------------------------------------------------------------


def _grow(n, make):
    for _ in range(n):
        make()


@pytest.mark.parametrize("rows", [1, 8])
def test_recommendation_list_query_count(world, django_assert_num_queries, rows):
    admin = world.admin(world.province)
    call = call_for(pool_for(world.province), admin)
    _grow(rows, lambda: recommend(call, admin, world.province))
    client = client_for(admin)
    client.get("/api/v1/recommendations/")

    with django_assert_num_queries(4):  # token, roles, count, page
        assert client.get("/api/v1/recommendations/").json()["count"] == rows


@pytest.mark.parametrize("rows", [1, 8])
def test_call_list_query_count(world, django_assert_num_queries, rows):
    admin = world.admin(world.province)
    pool = pool_for(world.province)
    _grow(rows, lambda: call_for(pool, admin))
    client = client_for(admin)

    with django_assert_num_queries(4):
        assert client.get("/api/v1/calls/").json()["count"] == rows


@pytest.mark.parametrize("rows", [1, 8])
def test_pool_list_query_count(world, api, django_assert_num_queries, rows):
    orgs = [world.province, world.city, world.other_city, world.county, world.sibling_county, world.other_city_county]
    for org in orgs[:rows]:
        pool_for(org)
    expected = min(rows, len(orgs))

    with django_assert_num_queries(2):  # count, page
        assert api.get("/api/v1/pools/").json()["count"] == expected


@pytest.mark.parametrize("rows", [1, 8])
def test_roster_list_query_count(world, api, django_assert_num_queries, rows):
    pool = pool_for(world.province)
    instructor(pool)
    _grow(rows, lambda: roster_publish(pool=pool, actor=None))

    with django_assert_num_queries(2):
        assert api.get("/api/v1/rosters/").json()["count"] == rows


@pytest.mark.parametrize("rows", [1, 8])
def test_suggestion_list_query_count(world, django_assert_num_queries, rows):
    user = UserFactory()
    member = instructor_link_user(instructor=instructor(pool_for(world.province)), actor=None, user=user)
    _grow(rows, lambda: suggestion_send(instructor=member, actor=user, about="teaching", subject="s", body="b"))
    client = client_for(world.admin(world.province))
    client.get("/api/v1/suggestions/")

    with django_assert_num_queries(4):
        assert client.get("/api/v1/suggestions/").json()["count"] == rows


def test_pool_quota_update_and_use(world):
    pool = pool_for(world.county)
    instructor(pool)
    client = client_for(world.admin(world.county))

    changed = client.patch(f"/api/v1/pools/{pool.pk}/", {"quota_min": 35, "quota_max": 45})
    refused = client_for(world.admin(world.sibling_county)).patch(f"/api/v1/pools/{pool.pk}/", {"quota_max": 10})

    assert changed.status_code == 200
    assert (changed.json()["quota_min"], changed.json()["quota_max"], changed.json()["seats"]) == (35, 45, 1)
    assert refused.status_code == 403


def test_suggestions_through_the_api(world):
    user = UserFactory()
    instructor_link_user(instructor=instructor(pool_for(world.province)), actor=None, user=user)
    admin = world.admin(world.province)

    sent = client_for(user).post("/api/v1/suggestions/", {"about": "management", "subject": "建议", "body": "内容"})
    answered = client_for(admin).post(f"/api/v1/suggestions/{sent.json()['id']}/answer/", {"answer": "收到"})
    again = client_for(admin).post(f"/api/v1/suggestions/{sent.json()['id']}/answer/", {"answer": "收到"})
    not_instructor = client_for(UserFactory()).post(
        "/api/v1/suggestions/", {"about": "teaching", "subject": "s", "body": "b"}
    )

    assert sent.status_code == 201
    assert answered.json()["status"] == "answered"
    assert again.status_code == 409
    assert not_instructor.status_code == 403


def test_import_through_the_api_reports_rows(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.pool.factories import csv_bytes

    pool_for(world.province)
    client = client_for(world.admin(world.province))
    bad = "X1,张三,男,单位,教授,省级,江苏省,理论政策,专题,,1381234,是"

    response = client.post(
        "/api/v1/instructors/import/", {"file": SimpleUploadedFile("bad.csv", csv_bytes(bad))}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 2, "column": "手机", "message": response.json()["errors"][0]["message"]}
    ]
    assert not Instructor.objects.exists()


def test_schema_builds_without_warnings(db, tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yml"))

    schema = (tmp_path / "schema.yml").read_text(encoding="utf-8")
    assert "/api/v1/instructors/:" in schema
    assert "InstructorStatusEnum" in schema


def test_decisions_not_yet_appointed_are_not_public(world, api):
    admin = world.admin(world.province)
    call = call_for(pool_for(world.province), admin)
    rec = reviewed(call, recommend(call, admin, world.province), [(admin, (90, 90, 90))])
    recommendation_decide(recommendation=rec, actor=admin, decision="approve")

    assert api.get("/api/v1/instructors/").json()["count"] == 0
    assert api.get(f"/api/v1/instructors/{rec.instructor_id}/").status_code == 404
    assert Pool.objects.count() == 1
    assert RosterVersion.objects.count() == 0


@pytest.mark.parametrize("rows", [1, 8])
def test_topic_and_history_lists_query_count(world, django_assert_num_queries, rows):
    from pool.services import topic_create

    member = instructor(pool_for(world.county), topics=[])
    for n in range(rows):
        topic_create(instructor=member, actor=None, title=f"专题{n}")
        instructor_transition_pair(member)
    client = client_for(world.admin(world.county))
    client.get(f"/api/v1/instructors/{member.pk}/topics/")

    with django_assert_num_queries(5):  # token, roles, the instructor with its topics and sub-areas
        assert len(client.get(f"/api/v1/instructors/{member.pk}/topics/").json()) == rows
    with django_assert_num_queries(6):  # token, roles, the instructor with its topics and sub-areas, history
        assert len(client.get(f"/api/v1/instructors/{member.pk}/history/").json()) == 1 + 2 * rows


def instructor_transition_pair(member):
    from pool.services import instructor_transition

    instructor_transition(instructor=member, actor=None, to_status=S.SUSPENDED, reason="暂停")
    instructor_transition(instructor=member, actor=None, to_status=S.APPOINTED, reason="恢复")


def test_form_encoded_partial_updates(world):
    pool = pool_for(world.county)
    member = instructor(pool)
    client = client_for(world.admin(world.county))
    topic = member.topics.first()

    pool_response = client.patch(f"/api/v1/pools/{pool.pk}/", {"quota_max": "48"}, format="multipart")
    topic_response = client.patch(f"/api/v1/instructor-topics/{topic.pk}/", {"abstract": "新"}, format="multipart")

    assert pool_response.json()["quota_max"] == 48
    assert topic_response.json()["title"] == topic.title


def test_text_search_ignores_case_in_latin_letters_and_matches_chinese_exactly(world, county_pool, api):
    instructor(county_pool, name="孔讲师", employer="江苏省AI研究院", bio="人工智能与党建")
    instructor(county_pool, name="曹讲师", employer="南京大学", bio="党建引领基层治理")

    def found(q):
        return sorted(r["name"] for r in api.get("/api/v1/instructors/", {"q": q}).json()["results"])

    assert found("ai研究院") == ["孔讲师"]  # a cased letter: case is ignored
    assert found("Ai") == ["孔讲师"]
    assert found("党建") == ["孔讲师", "曹讲师"]  # Chinese only: matched as written
    assert found("基层治理") == ["曹讲师"]
    assert found("2026") == []
