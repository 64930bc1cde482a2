"""The 为我推荐 page: a secretary's need in, ten instructors with reasons out, each a link to book."""

import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from tests.pool.recommender.factories import ECOMMERCE, ELDERLY, FIRST_AID, LAW, pools_of, teacher

pytestmark = pytest.mark.django_db
NEED = "村里年轻人都出去打工了，想请人讲讲怎么照顾好留守老人"


@pytest.fixture
def pools(world):
    return pools_of(world)


@pytest.fixture
def secretary(client: Client, world):
    user = world.secretary(world.branch)
    client.force_login(user)
    return user


def page(client: Client, url: str, params=None) -> str:
    response = client.get(url, params or {})
    assert response.status_code == 200
    return response.content.decode()


def booking_links(body: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'class="btn btn-primary booking-link" href="([^"]+)"', body)]


def test_the_page_needs_a_login(client: Client, db):
    response = client.get("/pool/recommend/")

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_a_secretary_finds_the_page_in_the_navigation_and_the_todo_list(client: Client, secretary):
    home = page(client, "/")

    assert '<a class="dropdown-item" href="/pool/recommend/">为我推荐</a>' in home
    assert "为本支部的需求推荐讲师" in home
    assert 'name="q"' in page(client, "/pool/recommend/")


def test_results_show_reasons_and_link_to_the_booking_form(client: Client, world, pools, secretary):
    elderly = teacher(pools.county, ELDERLY, name="王秀英")
    teacher(pools.county, ECOMMERCE)
    teacher(pools.other_city, ELDERLY, name="外市讲师")
    day = timezone.localdate() + timedelta(days=14)

    body = page(client, "/pool/recommend/", {"q": NEED, "date": day.isoformat(), "branch": world.branch.pk})

    assert "王秀英" in body
    assert "外市讲师" not in body
    assert "推断类别" in body
    assert "综合管理" in body
    assert "居家养老服务" in body
    assert "“居家养老服务”对应“留守老人”" in body
    assert "暂无评价（不扣分）" in body
    links = booking_links(body)
    first = urlsplit(links[0])
    assert first.path == "/booking/new/"
    assert parse_qs(first.query) == {"instructor": [str(elderly.pk)], "q": [NEED], "date": [day.isoformat()]}


def test_without_the_booking_form_the_link_opens_the_profile(client: Client, world, pools, secretary):
    elderly = teacher(pools.county, ELDERLY)

    with override_settings(ROOT_URLCONF="tests.pool.recommender.urls_without_booking"):
        body = page(client, "/pool/recommend/", {"q": NEED})

    assert booking_links(body) == [f"/pool/instructors/{elderly.pk}/"]


def test_a_secretary_without_branch_in_the_query_ranks_for_the_own_branch(client: Client, pools, secretary):
    teacher(pools.county, FIRST_AID, name="本县讲师")
    teacher(pools.other_city, FIRST_AID, name="外市讲师")

    body = page(client, "/pool/recommend/", {"q": "心肺复苏培训"})

    assert "本县讲师" in body
    assert "外市讲师" not in body


def test_a_branch_of_someone_else_is_refused_on_the_form(client: Client, world, pools, secretary):
    teacher(pools.other_city, FIRST_AID, name="外市讲师")

    body = page(client, "/pool/recommend/", {"q": "心肺复苏培训", "branch": world.other_city_branch.pk})

    assert "外市讲师" not in body
    assert 'id="recommend-results"' not in body
    assert "选择一个有效的选项" in body


def test_a_past_date_is_refused(client: Client, pools, secretary):
    teacher(pools.county, FIRST_AID)

    body = page(client, "/pool/recommend/", {"q": "心肺复苏", "date": "2001-05-01"})

    assert "日期不能早于今天。" in body
    assert 'id="recommend-results"' not in body


def test_someone_without_a_branch_ranks_all_active_instructors(client: Client, world, pools):
    teacher(pools.county, LAW, name="本县讲师")
    teacher(pools.other_city, LAW, name="外市讲师")
    client.force_login(world.admin(world.city))

    body = page(client, "/pool/recommend/", {"q": "借钱不还怎么办"})

    assert "本县讲师" in body
    assert "外市讲师" in body


def test_a_need_that_fits_nobody_says_so(client: Client, pools, secretary):
    teacher(pools.county, FIRST_AID)

    body = page(client, "/pool/recommend/", {"q": "ok ok"})

    assert 'id="recommend-empty"' in body
