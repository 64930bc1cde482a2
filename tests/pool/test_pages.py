import io
import re

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from orgs.models import Role
from orgs.services import role_grant
from pool.models import Category, Instructor, Pool, RosterVersion
from pool.services import (
    call_review_start,
    instructor_link_user,
    recommendation_decide,
    roster_publish,
    suggestion_send,
)
from tests.factories import UserFactory
from tests.pool.factories import call_for, instructor, pool_for, recommend, reviewed

pytestmark = pytest.mark.django_db
PHONE = re.compile(r"1[3-9]\d{9}")


def page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


# --- public ----------------------------------------------------------------------------------------


def test_public_roster_shows_topics_and_no_phone_anywhere(client: Client, sample_imported):
    pool = Pool.objects.get(organization__full_name="江苏省")
    roster_publish(pool=pool, actor=None)
    someone = Instructor.objects.get(code="D00002")
    urls = [
        "/pool/",
        "/pool/?page=2",
        "/pool/?category=theory",
        f"/pool/instructors/{someone.pk}/",
        "/pool/rosters/",
        f"/pool/rosters/{RosterVersion.objects.get().pk}/",
    ]

    pages = {url: page(client, url) for url in urls}

    assert {url: PHONE.findall(body) for url, body in pages.items()} == {url: [] for url in urls}
    assert "****" not in "".join(pages.values())
    assert "优秀村党组织书记事迹报告" in pages[f"/pool/instructors/{someone.pk}/"]
    assert "卢文娟" in pages[f"/pool/rosters/{RosterVersion.objects.get().pk}/"]


def test_public_roster_filters_by_level_category_sub_area_and_text(client: Client, sample_imported):
    from pool.models import SubArea

    region = SubArea.objects.get(name="区域经济")
    expected = Instructor.objects.filter(sub_areas=region).count()

    county = page(client, "/pool/?level=county")
    by_sub_area = page(client, f"/pool/?sub_area={region.pk}")
    text = page(client, "/pool/?q=卢文娟")

    assert "147 位讲师" in county or "147" in re.sub(r"<[^>]+>", "", county).split("名")[0]
    assert by_sub_area.count('class="list-group-item list-group-item-action roster-item"') == min(expected, 20)
    assert text.count("roster-item") == 1


def test_public_profile_of_a_candidate_is_404(client: Client, world):
    candidate = instructor(pool_for(world.province), active=False)

    assert client.get(f"/pool/instructors/{candidate.pk}/").status_code == 404


def test_owning_admin_sees_the_phone_supervisor_masked(client: Client, world):
    member = instructor(pool_for(world.county), phone="13812345678")
    owner, supervisor = world.admin(world.county), world.admin(world.city)

    client.force_login(owner)
    owner_pages = [
        page(client, f"/pool/instructors/{member.pk}/"),
        page(client, f"/pool/manage/instructors/{member.pk}/"),
    ]
    client.force_login(supervisor)
    supervisor_pages = [
        page(client, f"/pool/instructors/{member.pk}/"),
        page(client, f"/pool/manage/instructors/{member.pk}/"),
        page(client, f"/pool/manage/{member.pool_id}/instructors/"),
    ]

    assert all("13812345678" in p for p in owner_pages)
    assert all("13812345678" not in p and "138****5678" in p for p in supervisor_pages)


def test_the_roster_page_works_without_any_pool(client: Client, db):
    assert "没有符合条件的讲师" in page(client, "/pool/")


# --- management ------------------------------------------------------------------------------------


def test_manage_lists_pools_with_use_against_quota(client: Client, world):
    pool = pool_for(world.county)
    instructor(pool)
    client.force_login(world.admin(world.city))
    pool_for(world.city)

    body = page(client, "/pool/manage/")

    assert "1 / 50" in body
    assert "0 / 100" in body


def test_manage_is_for_admins(client: Client, world):
    client.force_login(world.secretary(world.branch))

    assert client.get("/pool/manage/").status_code == 403


def test_admin_opens_its_pool_on_the_page(client: Client, world):
    client.force_login(world.admin(world.county))

    response = client.post("/pool/manage/", {"organization": world.county.pk})

    pool = Pool.objects.get(organization=world.county)
    assert response.status_code == 302
    assert response.url == f"/pool/manage/{pool.pk}/"


def test_pool_page_changes_the_quota_and_refuses_strangers(client: Client, world):
    pool = pool_for(world.county)
    client.force_login(world.admin(world.county))
    form = {"name": pool.name, "quota_min": 35, "quota_max": 45, "doc_prefix": "宁师"}

    saved = client.post(f"/pool/manage/{pool.pk}/", form)
    client.force_login(world.admin(world.sibling_county))
    stranger = client.post(f"/pool/manage/{pool.pk}/", form)

    pool.refresh_from_db()
    assert saved.status_code == 302
    assert (pool.quota_min, pool.quota_max, pool.doc_prefix) == (35, 45, "宁师")
    assert stranger.status_code == 403


def test_export_downloads_an_xlsx_of_active_instructors(client: Client, world):
    pool = pool_for(world.county)
    member = instructor(pool, phone="13812345678")
    instructor(pool, active=False)
    client.force_login(world.admin(world.county))

    response = client.get(f"/pool/manage/{pool.pk}/export/")

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert [(r[0], r[10]) for r in rows] == [(member.code, "13812345678")]


def test_publish_page_previews_and_publishes(client: Client, world):
    pool = pool_for(world.county)
    instructor(pool, name="甲讲师")
    client.force_login(world.admin(world.county))

    preview = page(client, f"/pool/manage/{pool.pk}/publish/")
    response = client.post(f"/pool/manage/{pool.pk}/publish/", {"title": "江宁区师资名单"})

    version = RosterVersion.objects.get()
    assert "甲讲师" in preview
    assert response.url == f"/pool/rosters/{version.pk}/"
    assert version.title == "江宁区师资名单"


def test_manage_instructor_page_suspends_with_a_reason(client: Client, world):
    member = instructor(pool_for(world.county))
    client.force_login(world.admin(world.county))

    missing = client.post(f"/pool/manage/instructors/{member.pk}/", {"action": "transition", "status": "suspended"})
    done = client.post(
        f"/pool/manage/instructors/{member.pk}/", {"action": "transition", "status": "suspended", "reason": "停课"}
    )

    assert missing.status_code == 200
    assert "invalid-feedback" in missing.content.decode()
    assert done.status_code == 302
    assert Instructor.objects.get(pk=member.pk).status == "suspended"


def test_letter_is_printable_for_admin_and_instructor_only(client: Client, world):
    admin = world.admin(world.province)
    call = call_for(pool_for(world.province), admin)
    rec = reviewed(call, recommend(call, admin, world.province, name="聘任人"), [(admin, (90, 90, 90))])
    recommendation_decide(recommendation=rec, actor=admin, decision="approve")
    client.force_login(admin)
    client.post(
        f"/pool/recommendations/{rec.pk}/",
        {"action": "appoint", "agreement_date": "2026-03-01", "term_start": "2026-03-01", "term_end": "2029-02-28"},
    )
    appointed = Instructor.objects.get(pk=rec.instructor_id)

    letter = page(client, f"/pool/manage/instructors/{appointed.pk}/letter/")
    client.force_login(UserFactory())
    stranger = client.get(f"/pool/manage/instructors/{appointed.pk}/letter/")

    assert appointed.letter_number in letter
    assert "聘任人" in letter
    assert "2029年2月28日" in letter
    assert stranger.status_code == 403


# --- the instructor --------------------------------------------------------------------------------


def test_me_page_edits_profile_topics_and_sends_suggestions(client: Client, world):
    user = UserFactory()
    member = instructor_link_user(instructor=instructor(pool_for(world.province)), actor=None, user=user)
    client.force_login(user)

    page(client, "/pool/me/")
    client.post("/pool/me/", {"action": "profile", "bio": "新简介", "monthly_limit": 3, "employer": "省委党校"})
    client.post("/pool/me/", {"action": "topic", "new-title": "新增专题", "new-abstract": "摘要"})
    client.post("/pool/me/", {"action": "suggest", "about": "teaching", "subject": "建议", "body": "内容"})

    member.refresh_from_db()
    assert (member.bio, member.monthly_limit) == ("新简介", 3)
    assert "新增专题" in member.topics.values_list("title", flat=True)
    assert member.suggestions.get().subject == "建议"


def test_me_page_is_for_instructors(client: Client, world):
    client.force_login(UserFactory())

    assert client.get("/pool/me/").status_code == 403


def test_admin_answers_a_suggestion_on_the_page(client: Client, world):
    user = UserFactory()
    member = instructor_link_user(instructor=instructor(pool_for(world.province)), actor=None, user=user)
    suggestion = suggestion_send(instructor=member, actor=user, about="management", subject="建议", body="b")
    client.force_login(world.admin(world.province))

    listed = page(client, "/pool/suggestions/")
    client.post("/pool/suggestions/", {"suggestion": suggestion.pk, "answer": "已采纳"})

    suggestion.refresh_from_db()
    assert "建议" in listed
    assert (suggestion.status, suggestion.answer) == ("answered", "已采纳")


# --- intake pages ----------------------------------------------------------------------------------


def test_call_form_publishes_a_call(client: Client, world):
    pool = pool_for(world.province)
    client.force_login(world.admin(world.province, username="prov"))
    deadline = (timezone.localdate() + timezone.timedelta(days=5)).isoformat()

    response = client.post(
        f"/pool/manage/{pool.pk}/calls/new/",
        {
            "title": "征集",
            "deadline": deadline,
            "weight_basic": 30,
            "weight_teaching": 40,
            "weight_research": 30,
            "reviewers": "prov",
            "count_economy": 3,
        },
    )

    call = pool.calls.get()
    assert response.url == f"/pool/calls/{call.pk}/"
    assert call.category_counts == {"economy": 3}


def test_recommend_page_requires_consent(client: Client, world):
    admin = world.admin(world.province)
    call = call_for(pool_for(world.province), admin)
    client.force_login(world.secretary(world.branch))
    form = {
        "recommending_org": world.branch.pk,
        "name": "候选人",
        "gender": "male",
        "category": Category.ECONOMY,
        "employer": "单位",
        "consent_method": "signed_form",
        "consent_date": timezone.localdate().isoformat(),
        "topics-TOTAL_FORMS": 3,
        "topics-INITIAL_FORMS": 0,
        "topics-0-title": "数字乡村",
    }

    refused = client.post(f"/pool/calls/{call.pk}/recommend/", form)
    accepted = client.post(f"/pool/calls/{call.pk}/recommend/", {**form, "consent_given": "on"})

    assert refused.status_code == 200
    assert "经本人同意" in refused.content.decode()
    assert accepted.status_code == 302
    assert Instructor.objects.get().name == "候选人"


def test_recommendation_page_shows_scores_to_the_admin(client: Client, world):
    admin = world.admin(world.province)
    call = call_for(pool_for(world.province), admin)
    rec = recommend(call, admin, world.province)
    call_review_start(call=call, actor=admin)
    client.force_login(admin)

    client.post(
        f"/pool/recommendations/{rec.pk}/",
        {"action": "review", "score_basic": 70, "score_teaching": 80, "score_research": 90},
    )
    body = page(client, f"/pool/recommendations/{rec.pk}/")

    assert '<strong id="combined-score">80.00</strong>' in body


# --- home page -------------------------------------------------------------------------------------


def test_home_lists_the_pool_admins_to_do(client: Client, world):
    admin = world.admin(world.province)
    call = call_for(pool_for(world.province), admin, deadline=timezone.localdate() + timezone.timedelta(days=3))
    recommend(call, admin, world.province)
    client.force_login(admin)

    body = page(client, "/")

    assert "一周内截止的师资征集" in body
    assert "待评审的推荐" in body


def test_home_tells_a_secretary_about_open_calls(client: Client, world):
    call_for(pool_for(world.province), world.admin(world.province))
    secretary = world.secretary(world.branch)
    role_grant(user=secretary, role=Role.MEMBER, organization=world.branch)
    client.force_login(secretary)

    assert "可推荐人选的师资征集" in page(client, "/")
