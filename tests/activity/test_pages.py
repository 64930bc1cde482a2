from datetime import date
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from activity import services
from activity.models import Activity, Attachment, Attendance, DayRule, HolidayCalendar, MonthlyReport, Question
from tests.activity import factories as af
from tests.members import factories as mf

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world, client):
    af.rule(world.county, day=1)
    members = [mf.member(world.branch, name=n) for n in ("王建华", "李秀英", "张志强")]
    secretary = world.secretary(world.branch, username="branch_sec")
    return world, secretary, members


def test_secretary_home_shows_the_day_of_this_month_and_what_to_do(setup, client):
    _world, secretary, _members = setup
    client.force_login(secretary)

    response = client.get("/activity/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "佳湖社区党支部" in page and "计划或记实本月活动" in page
    assert "每月1日" in page


def test_secretary_home_says_when_the_calendar_of_the_year_is_missing(setup, client, monkeypatch):
    _world, secretary, _members = setup
    from activity import views

    monkeypatch.setattr(views.timezone, "localdate", lambda: date(2027, 2, 3))
    client.force_login(secretary)

    page = client.get("/activity/").content.decode()

    assert "2027年节假日安排尚未录入" in page
    assert 'id="day-date"' not in page


def test_admins_are_sent_to_supervision_and_members_to_their_attendance(world, client):
    admin = world.admin(world.county)
    member_user = world.member(world.branch)
    client.force_login(admin)
    to_supervision = client.get("/activity/")
    client.force_login(member_user)
    to_me = client.get("/activity/")

    assert to_supervision.url == "/activity/supervision/"
    assert to_me.url == "/activity/me/"


def test_planning_then_taking_attendance_records_the_activity(setup, client):
    world, secretary, members = setup
    client.force_login(secretary)

    planned = client.post(
        f"/activity/new/?branch={world.branch.pk}",
        {
            "theme": "重温入党誓词",
            "content_types": ["study", "party_spirit"],
            "is_activity_day": "on",
            "held_on": "2026-11-02",
            "form": "meeting",
            "place": "党群服务中心",
            "host": "王建华",
        },
    )
    activity = Activity.objects.get()
    data = {"held_on": "2026-11-02"}
    for m in members:
        data[f"status-{m.pk}"] = "present"
        data[f"reason-{m.pk}"] = ""
    data[f"status-{members[2].pk}"] = "excused"
    data[f"reason-{members[2].pk}"] = "住院治疗"
    recorded = client.post(f"/activity/{activity.pk}/attendance/", data)
    detail = client.get(f"/activity/{activity.pk}/").content.decode()

    assert planned.url == f"/activity/{activity.pk}/attendance/"
    assert recorded.url == f"/activity/{activity.pk}/"
    assert sorted(Attendance.objects.values_list("member__name", "status")) == [
        ("张志强", "excused"),
        ("李秀英", "present"),
        ("王建华", "present"),
    ]
    assert "应到 3 人，出席 2 人，请假 1 人，无故缺席 0 人" in detail


def test_attendance_page_shows_what_is_wrong_and_keeps_the_choices(setup, client):
    world, secretary, members = setup
    activity = af.plan(world.branch, date(2026, 11, 2), is_activity_day=True)
    client.force_login(secretary)
    data = {"held_on": "2026-11-02"}
    for m in members:
        data[f"status-{m.pk}"] = "absent"
    data[f"status-{members[0].pk}"] = "excused"

    response = client.post(f"/activity/{activity.pk}/attendance/", data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "请填写王建华的请假原因" in page
    assert page.count('value="absent" autocomplete="off" checked') == 2
    assert Attendance.objects.count() == 0


def test_a_date_in_another_month_is_refused_on_the_move_page(setup, client):
    world, secretary, _members = setup
    client.force_login(secretary)

    response = client.post(
        f"/activity/move/?branch={world.branch.pk}&month=2026-10", {"moved_to": "2026-11-03", "reason": "推迟"}
    )

    assert response.status_code == 200
    assert "2026年10月的党员活动日必须在当月内" in response.content.decode()


def test_another_secretary_cannot_open_the_record(setup, client):
    world, _secretary, _members = setup
    activity = af.plan(world.branch, date(2026, 11, 2))
    client.force_login(world.secretary(world.sibling_branch))

    assert client.get(f"/activity/{activity.pk}/").status_code == 403
    assert client.get(f"/activity/{activity.pk}/attendance/").status_code == 403
    assert client.get(f"/activity/new/?branch={world.branch.pk}").status_code == 404


def test_attachments_are_uploaded_and_served_only_to_those_who_may_see_them(setup, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world, secretary, _members = setup
    activity = af.plan(world.branch, date(2026, 11, 2))
    client.force_login(secretary)

    client.post(
        f"/activity/{activity.pk}/attachments/",
        {"file": SimpleUploadedFile("合影.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)},
    )
    attachment = Attachment.objects.get()
    served = client.get(f"/activity/attachments/{attachment.pk}/")
    client.force_login(world.secretary(world.sibling_branch))
    refused = client.get(f"/activity/attachments/{attachment.pk}/")

    assert (served.status_code, served["Content-Type"]) == (200, "image/png")
    assert refused.status_code == 403


def test_member_sees_own_attendance_and_asks_a_question(setup, client):
    world, _secretary, members = setup
    user = world.member(world.branch)
    me = mf.member(world.branch, name="陈晓明", user=user)
    af.record(
        af.plan(world.branch, date(2026, 11, 2), is_activity_day=True),
        [*members, me],
        overrides={me.pk: ("absent", "")},
    )
    client.force_login(user)

    page = client.get("/activity/me/").content.decode()
    asked = client.post("/activity/questions/new/?as=member", {"text": "社区停车难问题能否研究解决？"})

    assert "无故缺席" in page and "学习党章党规" in page
    question = Question.objects.get()
    assert asked.url == f"/activity/questions/{question.pk}/"
    assert (question.asked_by, question.branch) == (me, world.branch)


def test_secretary_answers_a_question_on_its_page(setup, client):
    world, secretary, members = setup
    question = services.question_ask(actor=secretary, branch=world.branch, asked_by=members[0], text="问题")
    client.force_login(secretary)

    client.post(f"/activity/questions/{question.pk}/", {"step": "answer", "answer": "已解决"})
    listed = client.get("/activity/questions/?status=answered").content.decode()

    question.refresh_from_db()
    assert (question.status, question.answer) == ("answered", "已解决")
    assert "问题" in listed


def test_monthly_report_page_is_prefilled_and_submits(setup, client):
    world, secretary, members = setup
    af.record(af.plan(world.branch, date(2026, 10, 8), is_activity_day=True), members)
    client.force_login(secretary)

    form = client.get(f"/activity/reports/submit/?branch={world.branch.pk}&month=2026-10").content.decode()
    sent = client.post(
        f"/activity/reports/submit/?branch={world.branch.pk}", {"month": "2026-10", "text": "十月活动情况报告"}
    )

    assert "2026-10-08开展党员活动日：应到3人，出席3人" in form
    assert sent.status_code == 302
    assert MonthlyReport.objects.get().text == "十月活动情况报告"


def test_supervision_page_drills_down_and_exports(setup, client):
    world, _secretary, members = setup
    af.record(af.plan(world.branch, date(2026, 10, 8), is_activity_day=True), members)
    client.force_login(world.admin(world.city))

    city = client.get("/activity/supervision/?year=2026").content.decode()
    committee = client.get(f"/activity/supervision/?org={world.committee.pk}&month=2026-10").content.decode()
    exported = client.get(f"/activity/supervision/export/?org={world.county.pk}&month=2026-10")
    outside = client.get(f"/activity/supervision/?org={world.other_city.pk}")

    assert "江宁区" in city and 'id="chart-data"' in city
    assert "佳湖社区党支部" in committee and "上坊村党支部" in committee
    assert list(load_workbook(BytesIO(exported.content))["按组织"].values)[1][3] == 1
    assert outside.status_code == 403


def test_county_admin_fixes_the_day_and_sees_the_dates(world, client):
    admin = world.admin(world.county)
    client.force_login(admin)

    saved = client.post(
        "/activity/rules/new/",
        {
            "organization": world.county.pk,
            "kind": "weekday",
            "week": "1",
            "weekday": "4",
            "on_tie": "later",
            "effective_from": "2026-12",
        },
    )
    page = client.get("/activity/rules/?year=2027").content.decode()

    assert saved.status_code == 302
    assert DayRule.objects.get().label == "每月第一个星期五"
    assert "2027年节假日安排尚未录入" in page


def test_province_admin_enters_a_years_calendar_on_the_page(world, client):
    client.force_login(world.admin(world.province))

    bad = client.post("/activity/calendar/", {"year": "2027", "holidays": "2027年1月1日 元旦"})
    good = client.post(
        "/activity/calendar/",
        {
            "year": "2027",
            "document": "国办发明电〔2026〕1号",
            "holidays": "2027-01-01 元旦\n2027-10-01..2027-10-07 国庆节",
            "workdays": "2027-09-26 国庆节调休",
        },
    )

    assert "第 1 行" in bad.content.decode()
    assert good.status_code == 302
    calendar = HolidayCalendar.objects.get()
    assert calendar.days.filter(kind="holiday").count() == 8
    assert list(calendar.days.filter(kind="workday").values_list("day", flat=True)) == [date(2027, 9, 26)]


def test_a_county_admin_cannot_enter_the_calendar(world, client):
    client.force_login(world.admin(world.county))

    page = client.get("/activity/calendar/")
    post = client.post("/activity/calendar/", {"year": "2027", "holidays": "2027-01-01 元旦"})

    assert page.status_code == 200 and 'id="calendar-form"' not in page.content.decode()
    assert post.status_code == 403


def test_excellent_case_marked_on_the_record_and_published(setup, client):
    world, _secretary, members = setup
    activity = af.record(af.plan(world.branch, date(2026, 10, 8), is_activity_day=True), members)
    client.force_login(world.admin(world.county))

    marked = client.post(f"/activity/{activity.pk}/case/", {"title": "好案例", "commendation": "形式新颖"})
    case_url = marked.url
    client.post(f"{case_url}publish/")
    client.force_login(world.secretary(world.other_city_branch))
    listed = client.get("/activity/cases/").content.decode()

    assert "好案例" in listed and "已发布" in listed


def test_home_todo_shows_the_day_and_the_report_due(setup, client):
    _world, secretary, _members = setup
    client.force_login(secretary)

    page = client.get("/").content.decode()

    assert "佳湖社区党支部：活动日" in page
    assert "佳湖社区党支部：月度报告" in page


def test_the_secretary_of_a_general_branch_works_for_the_branches_below(world, client):
    from orgs.models import Organization
    from orgs.services import org_create

    general = org_create(parent=world.committee, name="机关党总支", kind=Organization.Kind.GENERAL_BRANCH)
    below = org_create(parent=general, name="机关第一党支部", kind=Organization.Kind.BRANCH)
    af.rule(world.county, day=1)
    client.force_login(world.secretary(general))

    page = client.get("/activity/")

    assert page.status_code == 200
    assert page.context["branch"] == below
