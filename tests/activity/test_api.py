from datetime import date
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import load_workbook

from activity import services
from activity.models import Attendance, DayMove
from tests.activity import factories as af
from tests.conftest import client_for
from tests.members import factories as mf

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch(world):
    af.rule(world.county, day=1)
    members = [mf.member(world.branch, name=n) for n in ("王建华", "李秀英", "张志强")]
    secretary = world.secretary(world.branch)
    return world, secretary, members


# --- rules and days ---------------------------------------------------------------------------------


def test_rule_dates_for_2026_move_off_national_day_and_2027_is_reported_missing(world):
    rule = af.rule(world.county, day=1)
    client = client_for(world.admin(world.county))

    this_year = client.get(f"/api/v1/activity-rules/{rule.pk}/dates/?year=2026").json()
    next_year = client.get(f"/api/v1/activity-rules/{rule.pk}/dates/?year=2027").json()

    october = this_year["months"][9]
    assert (this_year["calendar_missing"], october["month"], october["date"], october["holiday"]) == (
        False,
        "2026-10",
        "2026-10-08",
        "国庆节",
    )
    assert next_year["calendar_missing"] is True
    assert {(m["date"], m["missing_year"]) for m in next_year["months"]} == {(None, 2027)}


def test_county_admin_sets_a_rule_and_a_secretary_cannot(world):
    admin = world.admin(world.county)
    body = {"organization": world.county.pk, "kind": "weekday", "week": 1, "weekday": 4, "effective_from": "2027-01"}

    created = client_for(admin).post("/api/v1/activity-rules/", body)
    refused = client_for(world.secretary(world.branch)).post("/api/v1/activity-rules/", body)
    bad = client_for(admin).post("/api/v1/activity-rules/", {**body, "effective_from": "January"})

    assert created.status_code == 201
    assert (created.json()["label"], created.json()["effective_from"]) == ("每月第一个星期五", "2027-01-01")
    assert refused.status_code == 403
    assert (bad.status_code, list(bad.json())) == (400, ["effective_from"])


def test_moving_the_day_into_another_month_is_400_with_the_reason(branch):
    world, secretary, _members = branch

    response = client_for(secretary).post(
        "/api/v1/activity-days/move/",
        {"branch": world.branch.pk, "month": "2026-10", "moved_to": "2026-11-02", "reason": "十月工作太忙"},
    )

    assert response.status_code == 400
    assert response.json() == {
        "moved_to": [
            "2026年10月的党员活动日必须在当月内（2026-10-01 至 2026-10-31）：可以适当前移或顺延，但须在当月内完成。"
        ]
    }
    assert DayMove.objects.count() == 0


def test_moving_the_day_within_the_month_answers_the_new_day(branch):
    world, secretary, _members = branch

    response = client_for(secretary).post(
        "/api/v1/activity-days/move/",
        {"branch": world.branch.pk, "moved_to": "2026-10-16", "reason": "迎接上级检查"},
    )
    outside = client_for(world.secretary(world.sibling_branch)).post(
        "/api/v1/activity-days/move/",
        {"branch": world.branch.pk, "moved_to": "2026-10-17", "reason": "x"},
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["date"], body["date_by_rule"], body["moved"], body["move_reason"]) == (
        "2026-10-16",
        "2026-10-08",
        True,
        "迎接上级检查",
    )
    assert outside.status_code == 403


def test_activity_days_list_says_when_the_calendar_is_missing(branch):
    _world, secretary, _members = branch

    october = client_for(secretary).get("/api/v1/activity-days/?month=2026-10").json()
    january = client_for(secretary).get("/api/v1/activity-days/?month=2027-01").json()

    assert [(d["branch_name"], d["date"], d["rule"]) for d in october["results"]] == [
        ("佳湖社区党支部", "2026-10-08", "每月1日")
    ]
    assert [(d["date"], d["missing_year"], d["nominal"]) for d in january["results"]] == [(None, 2027, "2027-01-01")]


# --- activities -------------------------------------------------------------------------------------


def test_secretary_plans_and_records_an_activity_through_the_api(branch):
    world, secretary, _members = branch
    client = client_for(secretary)

    planned = client.post(
        "/api/v1/activities/",
        {
            "branch": world.branch.pk,
            "held_on": "2026-10-08",
            "theme": "学习党章",
            "content_types": ["study", "deliberation"],
            "place": "党群服务中心",
        },
    )
    activity_id = planned.json()["id"]
    expected = client.get(f"/api/v1/activities/{activity_id}/expected/").json()
    recorded = client.post(
        f"/api/v1/activities/{activity_id}/record/",
        {
            "attendance": [
                {"member": m["id"], "status": "present" if m["name"] != "张志强" else "excused", "reason": "出差"}
                for m in expected
            ],
            "report_last_month": "九月完成了党费收缴",
        },
    )

    assert planned.status_code == 201
    assert sorted(m["name"] for m in expected) == ["张志强", "李秀英", "王建华"]
    assert recorded.status_code == 200, recorded.json()
    body = recorded.json()
    assert (body["status"], body["present_count"], body["excused_count"], body["report_last_month"]) == (
        "recorded",
        2,
        1,
        "九月完成了党费收缴",
    )
    assert sorted((a["name"], a["status"], a["reason"]) for a in body["attendance"]) == [
        ("张志强", "excused", "出差"),
        ("李秀英", "present", ""),
        ("王建华", "present", ""),
    ]


def test_recording_with_a_member_missing_is_400_naming_the_member(branch):
    world, secretary, members = branch
    activity = af.plan(world.branch, date(2026, 10, 8), is_activity_day=True)

    response = client_for(secretary).post(
        f"/api/v1/activities/{activity.pk}/record/",
        {"attendance": [{"member": members[0].pk, "status": "present"}]},
    )

    assert response.status_code == 400
    assert list(response.json()) == ["attendance"]
    assert "李秀英" in response.json()["attendance"][0] and "张志强" in response.json()["attendance"][0]
    assert Attendance.objects.count() == 0


def test_a_second_activity_day_in_a_month_is_409(branch):
    world, secretary, _members = branch
    af.plan(world.branch, date(2026, 10, 8), is_activity_day=True)

    response = client_for(secretary).post(
        "/api/v1/activities/",
        {"branch": world.branch.pk, "held_on": "2026-10-08", "theme": "再来一次", "content_types": ["study"]},
    )

    assert response.status_code == 409


def test_activities_outside_the_jurisdiction_are_404_and_anonymous_401(branch, api):
    world, _secretary, _members = branch
    activity = af.plan(world.branch, date(2026, 10, 8))

    assert (
        client_for(world.secretary(world.sibling_branch)).get(f"/api/v1/activities/{activity.pk}/").status_code == 404
    )
    assert client_for(world.admin(world.county)).get(f"/api/v1/activities/{activity.pk}/").status_code == 200
    assert api.get("/api/v1/activities/").status_code == 401


def test_attachments_upload_checked_and_removed(branch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world, secretary, _members = branch
    activity = af.plan(world.branch, date(2026, 10, 8))
    client = client_for(secretary)

    good = client.post(
        f"/api/v1/activities/{activity.pk}/attachments/",
        {"file": SimpleUploadedFile("签到表.pdf", b"%PDF-1.4\n" + b"x" * 100)},
        format="multipart",
    )
    fake = client.post(
        f"/api/v1/activities/{activity.pk}/attachments/",
        {"file": SimpleUploadedFile("照片.jpg", b"MZ\x90\x00" + b"x" * 100)},
        format="multipart",
    )
    removed = client.delete(f"/api/v1/activities/{activity.pk}/attachments/{good.json()['id']}/")

    assert (good.status_code, good.json()["kind"], good.json()["original_name"]) == (201, "pdf", "签到表.pdf")
    assert fake.status_code == 400 and list(fake.json()) == ["file"]
    assert removed.status_code == 204


def test_my_attendance_lists_the_members_own_rows(branch):
    world, _secretary, members = branch
    user = world.member(world.branch)
    me = mf.member(world.branch, name="陈晓明", user=user)
    af.record(af.plan(world.branch, date(2026, 10, 8), is_activity_day=True), [*members, me])

    rows = client_for(user).get("/api/v1/my-attendance/").json()["results"]

    assert [(r["activity_theme"], r["status"], r["held_on"]) for r in rows] == [
        ("学习党章党规", "present", "2026-10-08")
    ]


# --- questions, reports, cases ------------------------------------------------------------------------


def test_member_asks_and_secretary_answers_through_the_api(branch):
    world, secretary, _members = branch
    user = world.member(world.branch)
    mf.member(world.branch, name="陈晓明", user=user)

    asked = client_for(user).post("/api/v1/activity-questions/", {"text": "能否公开党费使用情况？"})
    qid = asked.json()["id"]
    answered = client_for(secretary).post(f"/api/v1/activity-questions/{qid}/answer/", {"answer": "下月党员大会公开"})
    closed = client_for(user).post(f"/api/v1/activity-questions/{qid}/close/")
    not_twice = client_for(user).post(f"/api/v1/activity-questions/{qid}/close/")
    listed = client_for(secretary).get("/api/v1/activity-questions/").json()
    with_closed = client_for(secretary).get("/api/v1/activity-questions/?closed=true").json()

    assert (asked.status_code, asked.json()["asker_name"], asked.json()["status"]) == (201, "陈晓明", "open")
    assert answered.json()["status"] == "answered"
    assert closed.json()["status"] == "closed"
    assert not_twice.status_code == 409
    assert (listed["count"], [q["id"] for q in with_closed["results"]]) == (0, [qid])


def test_a_blank_id_is_refused_not_read_as_none(branch):
    world, _secretary, _members = branch
    user = world.member(world.branch)
    mf.member(world.branch, name="陈晓明", user=user)

    for field in ("activity", "asked_by", "branch"):
        response = client_for(user).post(
            "/api/v1/activity-questions/", {"text": "能否公开党费使用情况？", field: ""}, format="json"
        )
        assert response.status_code == 400, (field, response.content)
        assert field in response.json()
    fine = client_for(user).post("/api/v1/activity-questions/", {"text": "能否公开党费使用情况？", "activity": None})
    assert fine.status_code == 201


def test_monthly_report_submitted_through_the_api(branch):
    world, secretary, _members = branch

    response = client_for(secretary).post(
        "/api/v1/activity-reports/", {"branch": world.branch.pk, "month": "2026-10", "text": "十月活动情况"}
    )
    future = client_for(secretary).post(
        "/api/v1/activity-reports/", {"branch": world.branch.pk, "month": "2027-03", "text": "未来"}
    )

    assert (response.status_code, response.json()["month"], response.json()["due_on"]) == (201, "2026-10", "2026-11-05")
    assert (future.status_code, list(future.json())) == (400, ["month"])


def test_excellent_case_marked_and_published_through_the_api(branch):
    world, _secretary, members = branch
    activity = af.record(af.plan(world.branch, date(2026, 10, 8), is_activity_day=True), members)
    admin = world.admin(world.county)

    marked = client_for(admin).post(
        "/api/v1/excellent-cases/", {"activity": activity.pk, "title": "好案例", "commendation": "值得推广"}
    )
    outsider = client_for(world.admin(world.sibling_county)).post(
        "/api/v1/excellent-cases/", {"activity": activity.pk, "title": "x", "commendation": "y"}
    )
    published = client_for(admin).post(f"/api/v1/excellent-cases/{marked.json()['id']}/publish/")
    seen_by_other_city = client_for(world.secretary(world.other_city_branch)).get("/api/v1/excellent-cases/").json()

    assert marked.status_code == 201
    assert outsider.status_code == 404
    assert published.json()["status"] == "published"
    assert [c["title"] for c in seen_by_other_city["results"]] == ["好案例"]


# --- supervision --------------------------------------------------------------------------------------


def test_supervision_answers_for_the_admins_org_and_drills_down(branch):
    world, _secretary, members = branch
    af.record(af.plan(world.branch, date(2026, 10, 8), is_activity_day=True), members)
    client = client_for(world.admin(world.city))

    city = client.get("/api/v1/activity-supervision/?month=2026-10").json()
    county = client.get(f"/api/v1/activity-supervision/?org={world.county.pk}&month=2026-10").json()
    outside = client.get(f"/api/v1/activity-supervision/?org={world.other_city_county.pk}")

    assert (city["org_name"], city["totals"]["held"], city["totals"]["units"]) == ("南京市", 1, 3)
    assert [(c["name"], c["figures"]["held"]) for c in city["children"]] == [("南京市江宁区", 1), ("南京市玄武区", 0)]
    assert [c["name"] for c in county["children"]] == ["东山街道党工委"]
    assert outside.status_code == 404


def test_supervision_export_is_an_xlsx_with_the_figures(branch):
    world, _secretary, members = branch
    af.record(af.plan(world.branch, date(2026, 10, 8), is_activity_day=True), members)

    response = client_for(world.admin(world.county)).get("/api/v1/activity-supervision/export/?year=2026")

    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames[:2] == ["按组织", "按月"]
    rows = list(book["按组织"].values)
    assert rows[0][:4] == ("组织", "支部数", "应开展支部·月数", "已开展")
    assert rows[1][0] == "南京市江宁区" and rows[1][3] == 1


@pytest.mark.parametrize("rows", [1, 6])
def test_supervision_query_count_does_not_grow(world, django_assert_num_queries, rows):
    from orgs.models import Organization
    from orgs.services import org_create

    af.rule(world.county, day=1)
    for i in range(rows):
        b = org_create(parent=world.committee, name=f"第{i}支部", kind=Organization.Kind.BRANCH)
        m = mf.member(b)
        af.record(af.plan(b, date(2026, 10, 8), is_activity_day=True), [m])
    client = client_for(world.admin(world.city))
    client.get("/api/v1/activity-supervision/?year=2026")

    # token, roles, the organization, then the report's fixed set of queries
    with django_assert_num_queries(20):
        response = client.get("/api/v1/activity-supervision/?year=2026")

    assert response.json()["totals"]["held"] == rows


# --- list endpoints: query counts ---------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 5])
def test_list_query_counts_do_not_grow(world, django_assert_num_queries, rows):
    af.rule(world.county, day=1)
    user = world.member(world.branch)
    me = mf.member(world.branch, user=user)
    secretary = world.secretary(world.branch)
    county_admin = world.admin(world.county)
    for i in range(rows):
        activity = af.plan(world.branch, date(2026, 10, 1 + i), content_types=["study", "service"])
        af.record(activity, [me])
        question = services.question_ask(actor=secretary, branch=world.branch, asked_by=me, text=f"问题{i}")
        services.question_answer(actor=secretary, question=question, answer="答复")
        services.monthly_report_submit(actor=secretary, branch=world.branch, month=date(2026, i + 1, 1), text="报告")
        case = services.case_mark(actor=county_admin, activity=activity, title=f"案例{i}", commendation="好")
        services.case_publish(actor=county_admin, case=case)
    cases = [
        # token, roles (or the member), count, page (+ the content types of the activities)
        (secretary, "/api/v1/activities/", 5, rows),
        (secretary, "/api/v1/activity-questions/", 4, rows),
        (secretary, "/api/v1/activity-reports/", 4, rows),
        (county_admin, "/api/v1/excellent-cases/", 4, rows),
        (user, "/api/v1/my-attendance/", 4, rows),
        (county_admin, "/api/v1/activity-rules/", 4, 1),
    ]
    for actor, url, queries, count in cases:
        client = client_for(actor)
        client.get(url)
        with django_assert_num_queries(queries):
            response = client.get(url)
        assert response.json()["count"] == count, url


@pytest.mark.parametrize("rows", [1, 6])
def test_activity_days_query_count_does_not_grow(world, django_assert_num_queries, rows):
    from orgs.models import Organization
    from orgs.services import org_create

    af.rule(world.county, day=1)
    for i in range(rows):
        b = org_create(parent=world.committee, name=f"第{i}支部", kind=Organization.Kind.BRANCH)
        services.day_move(
            actor=mf.superuser(), branch=b, month=date(2026, 10, 1), moved_to=date(2026, 10, 9), reason="调整"
        )
    client = client_for(world.admin(world.committee))
    client.get("/api/v1/activity-days/?month=2026-10")

    # token, roles, count, page, rules, moves, the year's calendar
    with django_assert_num_queries(7):
        response = client.get("/api/v1/activity-days/?month=2026-10")

    dates = {d["branch_name"]: d["date"] for d in response.json()["results"]}
    assert response.json()["count"] == rows + 2
    assert (dates["佳湖社区党支部"], dates["第0支部"]) == ("2026-10-08", "2026-10-09")


def test_holiday_calendar_entered_through_the_api_by_the_province(world):
    body = {
        "year": 2027,
        "document": "国办发明电〔2026〕1号",
        "holidays": [{"date": "2027-01-01", "name": "元旦"}],
        "workdays": [{"date": "2027-01-02", "name": "元旦调休"}],
    }

    refused = client_for(world.admin(world.county)).post("/api/v1/holiday-calendars/", body)
    created = client_for(world.admin(world.province)).post("/api/v1/holiday-calendars/", body)
    fetched = client_for(world.admin(world.county)).get("/api/v1/holiday-calendars/2027/")

    assert refused.status_code == 403
    assert created.status_code == 201
    assert fetched.json()["holidays"] == [{"date": "2027-01-01", "name": "元旦"}]


def test_schema_builds_without_warnings_for_activity(db, capsys):
    call_command("spectacular", "--fail-on-warn", "--file", "/dev/null")


def test_odd_query_parameters_are_answered_without_a_server_error(branch):
    world, _secretary, _members = branch
    activity = af.plan(world.branch, date(2026, 10, 8))
    client = client_for(world.admin(world.county))

    answers = {
        url: client.get(url).status_code
        for url in (
            "/api/v1/activities/?year=0.0",
            "/api/v1/activities/?year=-3.5e-276&branch=99999999999999999999999",
            f"/api/v1/activities/{activity.pk}/expected/?year=4.1e16",
            "/api/v1/activity-reports/?branch=null&month=x",
            "/api/v1/activity-supervision/?month=0001-01",
            "/api/v1/activity-supervision/?year=²",
            "/api/v1/activity-days/?month=10000-01",
        )
    }

    assert answers == {
        # `year` and `branch` are documented as whole numbers in a range: anything else is bad input.
        "/api/v1/activities/?year=0.0": 400,
        "/api/v1/activities/?year=-3.5e-276&branch=99999999999999999999999": 400,
        # The expected members are the whole list of one activity: it takes no filter, so none is read.
        f"/api/v1/activities/{activity.pk}/expected/?year=4.1e16": 200,
        # `branch` is documented as an integer: a value that is not one is bad input (SPEC section 9).
        "/api/v1/activity-reports/?branch=null&month=x": 400,
        "/api/v1/activity-supervision/?month=0001-01": 400,
        "/api/v1/activity-supervision/?year=²": 400,
        "/api/v1/activity-days/?month=10000-01": 400,
    }


@pytest.mark.parametrize("rows", [1, 4])
def test_holiday_calendar_list_query_count_does_not_grow(world, django_assert_num_queries, rows):
    for year in range(2027, 2027 + rows):
        services.calendar_year_save(actor=mf.superuser(), year=year, holidays=[(date(year, 1, 1), "元旦")], workdays=[])
    client = client_for(world.admin(world.county))
    client.get("/api/v1/holiday-calendars/")

    # token, count, page, the days of the page's years
    with django_assert_num_queries(4):
        response = client.get("/api/v1/holiday-calendars/")

    assert [c["year"] for c in response.json()["results"]] == list(range(2026 + rows, 2026, -1))
