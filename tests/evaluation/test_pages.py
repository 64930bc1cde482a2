"""The evaluation pages: what each role sees and can do, and the refusals they read."""

import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from evaluation import services
from evaluation.models import EvaluationRun, Rating, RatingLink
from tests.evaluation.factories import attendee, close, delivered, rate

pytestmark = pytest.mark.django_db

SCORES = {"content": "5", "delivery": "4", "practical": "5", "comment": "讲得好"}


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_member_sees_the_open_lecture_and_rates_it(lecture, alice):
    client = logged_in(alice[0])

    index = client.get("/evaluation/")
    page = client.get(f"/evaluation/rate/{lecture.pk}/")
    posted = client.post(f"/evaluation/rate/{lecture.pk}/", SCORES)

    assert [w.booking for w in index.context["windows"]] == [lecture]
    assert page.status_code == 200
    assert "rating-form" in page.content.decode()
    assert posted.status_code == 302
    assert list(Rating.objects.values_list("member", "content", "comment")) == [(alice[1].pk, 5, "讲得好")]
    assert client.get("/evaluation/").context["windows"] == []


def test_the_rule_applied_is_shown(lecture, alice):
    page = logged_in(alice[0]).get(f"/evaluation/rate/{lecture.pk}/").content.decode()

    assert 'id="eligibility-rule"' in page
    from evaluation.models import EligibilityRule

    assert str(EligibilityRule.BRANCH_MEMBERS.label) in page


def test_a_second_rating_shows_the_refusal_instead_of_the_form(lecture, alice):
    client = logged_in(alice[0])
    client.post(f"/evaluation/rate/{lecture.pk}/", SCORES)

    again = client.get(f"/evaluation/rate/{lecture.pk}/")

    assert again.status_code == 200
    assert again.context["refusal"].code == "already_rated"
    assert "rating-form" not in again.content.decode()


def test_an_outsider_reads_why_and_gets_403(lecture, outsider):
    response = logged_in(outsider[0]).get(f"/evaluation/rate/{lecture.pk}/")
    posted = logged_in(outsider[0]).post(f"/evaluation/rate/{lecture.pk}/", SCORES)

    assert response.status_code == 403
    assert "佳湖社区党支部" in response.content.decode()
    assert posted.status_code == 403
    assert Rating.objects.count() == 0


def test_a_closed_window_shows_the_closing_day(lecture, alice):
    close(lecture)

    response = logged_in(alice[0]).get(f"/evaluation/rate/{lecture.pk}/")

    assert response.context["refusal"].code == "rating_closed"


def test_a_bad_score_keeps_the_form_with_the_error(lecture, alice):
    response = logged_in(alice[0]).post(f"/evaluation/rate/{lecture.pk}/", {**SCORES, "content": "9"})

    assert response.status_code == 200
    assert response.context["form"].errors["content"]
    assert Rating.objects.count() == 0


def test_the_secretary_gives_the_branch_rating_and_prints_links(lecture, secretary):
    client = logged_in(secretary)

    listing = client.get("/evaluation/lectures/?open=1")
    rated = client.post(f"/evaluation/rate/{lecture.pk}/", {**SCORES, "as": "branch"})
    generated = client.post(f"/evaluation/lectures/{lecture.pk}/links/", {"count": "3"})
    printed = client.get(generated["Location"])

    assert [w.booking for w in listing.context["page"]] == [lecture]
    assert rated.status_code == 302
    assert Rating.objects.get().source == "branch"
    assert generated.status_code == 302
    html = printed.content.decode()
    assert html.count('class="qr-card"') == 3
    assert html.count("<svg") == 3
    tokens = RatingLink.objects.values_list("token", flat=True)
    assert all(f"/evaluation/r/{t}/" in html for t in tokens)
    assert f'nonce="{printed.wsgi_request.csp_nonce}"' in html


def test_links_and_lecture_pages_are_not_for_members(lecture, alice):
    client = logged_in(alice[0])

    assert client.get("/evaluation/lectures/").status_code == 403
    assert client.get(f"/evaluation/lectures/{lecture.pk}/links/").status_code == 404
    assert client.get(f"/evaluation/lectures/{lecture.pk}/").status_code == 404


def test_a_link_rates_without_logging_in_once(lecture, secretary):
    link = services.rating_links_create(booking=lecture, actor=secretary, count=1)[0]
    anonymous = Client()

    form = anonymous.get(f"/evaluation/r/{link.token}/")
    thanks = anonymous.post(f"/evaluation/r/{link.token}/", SCORES)
    again = anonymous.get(f"/evaluation/r/{link.token}/")

    assert form.status_code == 200
    assert 'id="rating-thanks"' in thanks.content.decode()
    assert again.context["refusal"].code == "link_used"
    assert anonymous.get("/evaluation/r/nothing-here/").status_code == 404


def test_lecture_page_shows_raters_to_the_pools_admin_only(world, lecture, alice, teacher):
    rate(lecture, alice[0], comment="很实用")
    admin = world.admin(world.province)

    as_admin = logged_in(admin).get(f"/evaluation/lectures/{lecture.pk}/")
    as_teacher = logged_in(teacher.user).get(f"/evaluation/lectures/{lecture.pk}/")

    assert alice[1].name in as_admin.content.decode()
    assert alice[1].name not in as_teacher.content.decode()
    assert "很实用" in as_teacher.content.decode()


def test_the_instructor_sees_summary_and_comments_without_names(world, teacher, lecture, alice):
    rate(lecture, alice[0], (5, 4, 3), comment="案例很鲜活")
    rate(lecture, attendee(world.branch)[0], (4, 4, 4))  # no comment: not listed among comments

    page = logged_in(teacher.user).get("/evaluation/me/")

    html = page.content.decode()
    assert page.context["summary"].count == 2
    assert [r.comment for r in page.context["page"]] == ["案例很鲜活"]
    assert alice[1].name not in html
    assert 'id="formula"' in html


def test_the_admin_sees_every_rating_with_the_rater(world, teacher, lecture, alice):
    rate(lecture, alice[0], (5, 4, 3))
    page = logged_in(world.admin(world.province)).get(f"/evaluation/instructors/{teacher.pk}/")

    assert [r.member for r in page.context["page"]] == [alice[1]]
    assert logged_in(world.admin(world.other_city)).get(f"/evaluation/instructors/{teacher.pk}/").status_code == 404


def test_summaries_page_lists_the_pools_rated_instructors(world, pools, teacher, lecture, alice):
    rate(lecture, alice[0], (4, 4, 4))

    page = logged_in(world.admin(world.province)).get(f"/evaluation/summaries/?pool={pools.province.pk}")

    assert [(r["instructor"], r["count"]) for r in page.context["rows"]] == [(teacher, 1)]


def test_the_admin_runs_decides_and_confirms_on_the_pages(
    world, pools, teacher, lecture, alice, django_capture_on_commit_callbacks
):
    rate(lecture, alice[0], (4, 4, 4))
    client = logged_in(world.admin(world.province))
    year = lecture.starts_at.year

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post("/evaluation/runs/", {"pool": pools.province.pk, "year": year})
    run = EvaluationRun.objects.get()
    page = client.get(started["Location"])
    proposal = run.proposals.get()
    refused = client.post(f"/evaluation/runs/{run.pk}/proposals/{proposal.pk}/decide/", {"decision": "remove"})
    decided = client.post(
        f"/evaluation/runs/{run.pk}/proposals/{proposal.pk}/decide/", {"decision": "warn", "reason": "授课准备不足"}
    )
    confirmed = client.post(f"/evaluation/runs/{run.pk}/confirm/")

    html = page.content.decode()
    assert started["Location"] == f"/evaluation/runs/{run.pk}/"
    assert 'id="score-chart"' in html
    assert html.count('class="threshold ') == 2
    assert refused.status_code == decided.status_code == confirmed.status_code == 302
    assert EvaluationRun.objects.get(pk=run.pk).status == "confirmed"
    assert run.proposals.get().decision == "warn"


def test_a_computing_run_shows_progress_and_polls_it(world, pools, lecture, alice):
    run = services.run_start(pool=pools.province, year=lecture.starts_at.year, actor=None)  # no commit: queued
    client = logged_in(world.admin(world.province))

    page = client.get(f"/evaluation/runs/{run.pk}/")
    progress = client.get(f"/evaluation/runs/{run.pk}/progress/").json()

    html = page.content.decode()
    assert 'id="run-progress"' in html
    assert f'<script nonce="{page.wsgi_request.csp_nonce}">' in html
    assert (progress["status"], progress["busy"], progress["progress"]) == ("queued", True, 0)


def test_the_export_is_a_workbook_of_the_proposals(
    world, pools, teacher, lecture, alice, django_capture_on_commit_callbacks
):
    rate(lecture, alice[0], (4, 4, 4))
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_start(pool=pools.province, year=lecture.starts_at.year, actor=None)

    response = logged_in(world.admin(world.province)).get(f"/evaluation/runs/{run.pk}/export/")

    sheet = load_workbook(io.BytesIO(response.content))["年度评估"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("排名", "编号", "姓名")
    assert [(r[1], r[2], r[4], r[6]) for r in rows[1:]] == [(teacher.code, teacher.name, 1, 4.0)]


def test_incidents_page_records_for_the_pools_admin(world, teacher):
    client = logged_in(world.admin(world.province))

    posted = client.post(
        "/evaluation/incidents/",
        {"instructor": teacher.pk, "occurred_on": "2026-03-02", "handling": "criticism", "description": "迟到"},
    )

    assert posted.status_code == 302
    assert [i.description for i in client.get("/evaluation/incidents/").context["page"]] == ["迟到"]


def test_home_page_to_do_items_for_each_role(
    world, pools, lecture, alice, secretary, django_capture_on_commit_callbacks
):
    admin = world.admin(world.province)
    rate(lecture, attendee(world.branch)[0])
    with django_capture_on_commit_callbacks(execute=True):
        services.run_start(pool=pools.province, year=lecture.starts_at.year, actor=None)

    def items(user):
        groups = logged_in(user).get("/").context["todo_groups"]
        return [(str(i.label), i.url, i.count) for group in groups.values() for i in group if "/evaluation/" in i.url]

    assert [(url, n) for _label, url, n in items(alice[0])] == [("/evaluation/", 1)]
    assert [(url, n) for _label, url, n in items(secretary)] == [("/evaluation/lectures/?open=1", 1)]
    run = EvaluationRun.objects.get()
    assert [(url, n) for _label, url, n in items(admin)] == [(f"/evaluation/runs/{run.pk}/", 1)]
    assert str(run.year) in items(admin)[0][0]


def test_the_instructor_page_carries_the_ratings_panel(teacher, lecture, alice):
    rate(lecture, alice[0], (5, 5, 4))

    page = logged_in(teacher.user).get("/pool/me/")

    panel = next(p for p in page.context["panels"] if p.url == "/evaluation/me/")
    this_year = lecture.starts_at.year == timezone.localdate().year  # the lecture was two days ago
    expected = ["1", "4.67", "4.67", "0 · —"] if this_year else ["0", "—", "—", "1 · 4.67"]
    assert [value for _label, value in panel.lines] == expected


def test_pages_work_for_two_lectures_of_the_same_branch(world, teacher, lecture, secretary):
    delivered(world.branch, teacher, days_ago=6, hour=14)

    page = logged_in(secretary).get("/evaluation/lectures/")

    assert page.context["page"].paginator.count == 2
