"""The booking pages for the secretary (search, request, track, cancel) and the instructor (inbox,
answer, schedule), the calendars, the exports and the iCalendar feeds."""

import csv
import io
from datetime import time, timedelta

import icalendar
import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from booking import services
from booking.models import BlockedPeriod, Booking, CalendarFeed, WeeklyAvailability
from pool.models import Category
from tests.booking.factories import at, lecturer, request_lecture, span, weekday_after
from tests.pool.factories import instructor

pytestmark = pytest.mark.django_db
S = Booking.Status


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- the secretary ----------------------------------------------------------------------------------


def test_find_lists_only_instructors_the_branch_may_book(world, pools, secretary):
    wanted = [
        instructor(pools.province, name="省讲师"),
        instructor(pools.city, name="市讲师"),
        instructor(pools.county, name="区讲师"),
    ]
    instructor(pools.sibling_county, name="邻区讲师")
    instructor(pools.other_city, name="外市讲师")

    page = client_of(secretary).get("/booking/find/")

    assert page.status_code == 200
    assert [i.name for i in page.context["page"]] == [w.name for w in wanted]
    assert f'href="/booking/new/?instructor={wanted[0].pk}"' in page.content.decode()


def test_find_links_to_the_recommender_when_this_installation_has_it(world, pools, secretary, monkeypatch):
    import booking.views

    real = booking.views.reverse

    def reverse(name, *args, **kwargs):
        return "/pool/recommend/" if name == "pool:recommend" else real(name, *args, **kwargs)

    monkeypatch.setattr(booking.views, "reverse", reverse)

    page = client_of(secretary).get("/booking/find/")

    assert 'id="recommend-link" href="/pool/recommend/"' in page.content.decode()


def test_find_filters_by_text_and_category(world, pools, secretary):
    instructor(pools.county, name="张经济", category=Category.ECONOMY)
    instructor(pools.county, name="李理论", category=Category.THEORY)

    by_category = client_of(secretary).get("/booking/find/", {"category": "economy"})
    by_text = client_of(secretary).get("/booking/find/", {"q": "李理论"})

    assert [i.name for i in by_category.context["page"]] == ["张经济"]
    assert [i.name for i in by_text.context["page"]] == ["李理论"]


def test_only_secretaries_find_and_request(world, teacher):
    member = client_of(world.member(world.branch))

    assert member.get("/booking/find/").status_code == 403
    assert member.get("/booking/new/").status_code == 403
    assert Client().get("/booking/find/").status_code == 302


def test_the_request_form_takes_the_recommenders_instructor_topic_and_date(world, teacher, secretary):
    day = weekday_after(9)

    page = client_of(secretary).get(
        "/booking/new/", {"instructor": teacher.pk, "q": "乡村振兴", "date": day.isoformat()}
    )

    form = page.context["form"]
    assert (form.initial["instructor"], form.initial["topic"], form.initial["day"]) == (teacher.pk, "乡村振兴", day)
    assert "1,000.00 元" in page.content.decode()  # the 正高级 rate per class hour of the standard in force


def _form(day, **fields):
    data = {
        "topic": "学习贯彻党的二十大精神",
        "day": day.isoformat(),
        "starts": "09:00",
        "ends": "11:30",
        "class_hours": "3",
        "mode": "onsite",
        "place": "社区党群服务中心",
        "audience_size": "40",
        "category": "",
    }
    data.update(fields)
    return data


def test_a_secretary_requests_a_lecture_from_the_page(world, teacher, secretary):
    day = weekday_after(9)

    response = client_of(secretary).post(
        f"/booking/new/?instructor={teacher.pk}", _form(day, instructor=teacher.pk, branch=world.branch.pk)
    )

    booking = Booking.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/booking/{booking.pk}/"
    assert (booking.status, booking.instructor_id, booking.starts_at, booking.class_hours) == (
        S.REQUESTED,
        teacher.pk,
        at(day, 9),
        3,
    )


def test_a_refused_request_shows_the_reason_on_the_field(world, teacher, secretary):
    response = client_of(secretary).post(
        f"/booking/new/?instructor={teacher.pk}", _form(weekday_after(9), class_hours="5", branch=world.branch.pk)
    )

    assert response.status_code == 200
    assert response.context["form"].errors["class_hours"] == ["5学时至少需要200分钟，该讲课只有150分钟。"]
    assert Booking.objects.count() == 0


def test_an_instructor_of_another_city_cannot_be_requested_from_the_page(world, pools):
    far = instructor(pools.city)
    xuzhou = world.secretary(world.other_city_branch)

    response = client_of(xuzhou).post(
        f"/booking/new/?instructor={far.pk}", _form(weekday_after(9), branch=world.other_city_branch.pk)
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Booking.objects.count() == 0


def test_an_open_request_from_the_page(world, secretary):
    client_of(secretary).post("/booking/new/", _form(weekday_after(9), category="economy", branch=world.branch.pk))

    booking = Booking.objects.get()
    assert (booking.kind, booking.status, booking.category, booking.instructor) == ("open", "open", "economy", None)


def test_the_list_tracks_the_branchs_bookings_by_status(world, teacher, secretary):
    first = request_lecture(secretary, world.branch, teacher)
    second = services.booking_accept(
        booking=request_lecture(secretary, world.branch, teacher, day=weekday_after(12)), actor=teacher.user
    )
    client = client_of(secretary)

    everything = client.get("/booking/requests/")
    accepted = client.get("/booking/requests/", {"status": "accepted"})

    assert [b.pk for b in everything.context["page"]] == [second.pk, first.pk]
    assert [b.pk for b in accepted.context["page"]] == [second.pk]
    assert "2,000.00 元" in everything.content.decode()


@pytest.mark.parametrize("rows", [1, 6])
def test_the_list_page_query_count_does_not_grow(world, teacher, secretary, django_assert_num_queries, rows):
    for n in range(rows):
        request_lecture(secretary, world.branch, teacher, day=weekday_after(8 + n))
    client = client_of(secretary)
    client.get("/booking/requests/")

    # session, user, roles, count, "may request", unread notifications, page (answers counted), proposals
    with django_assert_num_queries(8):
        assert len(client.get("/booking/requests/").context["page"]) == rows


def test_the_export_carries_the_fees(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher, class_hours=2)
    client = client_of(secretary)

    workbook = load_workbook(io.BytesIO(client.get("/booking/requests/export/").content))
    rows = list(workbook.active.iter_rows(values_only=True))
    text = client.get("/booking/requests/export/", {"format": "csv"}).content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))

    assert rows[0][-4:] == ("讲课费标准", "计费单位数", "单价（元）", "讲课费（元）")
    assert rows[1][0] == booking.pk
    assert rows[1][-4:] == ("财行〔2016〕540号", 2, 1000.0, 2000.0)
    assert table[1][-4:] == ["财行〔2016〕540号", "2", "1000.00", "2000.00"]


def test_the_secretary_cancels_from_the_page_with_a_reason(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher)
    client = client_of(secretary)

    without = client.post(f"/booking/{booking.pk}/cancel/", {"cancel-reason": ""}, follow=True)
    booking.refresh_from_db()
    assert booking.status == S.REQUESTED
    assert messages_of(without) == ["请说明理由。"]

    client.post(f"/booking/{booking.pk}/cancel/", {"cancel-reason": "支部改期"})

    booking.refresh_from_db()
    assert (booking.status, booking.closing_reason) == (S.CANCELLED, "支部改期")


def test_the_detail_page_shows_the_fee_and_the_actions_of_each_side(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher)

    as_instructor = client_of(teacher.user).get(f"/booking/{booking.pk}/")
    as_branch = client_of(secretary).get(f"/booking/{booking.pk}/")
    as_admin = client_of(world.admin(world.county)).get(f"/booking/{booking.pk}/")
    as_stranger = client_of(world.secretary(world.other_city_branch)).get(f"/booking/{booking.pk}/")

    on = {k for k, v in as_instructor.context["actions"].items() if v}
    assert on == {"accept", "decline", "propose"}
    assert {k for k, v in as_branch.context["actions"].items() if v} == {"cancel"}
    assert {k for k, v in as_admin.context["actions"].items() if v} == set()
    assert as_stranger.status_code == 404
    assert "2,000.00 元" in as_branch.content.decode()


# --- the instructor ---------------------------------------------------------------------------------


def test_the_inbox_shows_requests_to_answer_and_fitting_open_requests(world, pools, teacher, secretary):
    direct = request_lecture(secretary, world.branch, teacher)
    fitting = request_lecture(secretary, world.branch, None, category=teacher.category, day=weekday_after(12))
    request_lecture(secretary, world.branch, None, category=Category.SKILLS, day=weekday_after(13))

    page = client_of(teacher.user).get("/booking/inbox/")

    assert [b.pk for b in page.context["to_answer"]] == [direct.pk]
    assert [b.pk for b in page.context["open_requests"]] == [fitting.pk]


def test_the_inbox_is_for_instructors(world, secretary):
    assert client_of(secretary).get("/booking/inbox/").status_code == 403


def test_accept_decline_and_propose_from_the_page(world, teacher, secretary):
    first = request_lecture(secretary, world.branch, teacher)
    second = request_lecture(secretary, world.branch, teacher, day=weekday_after(11))
    third = request_lecture(secretary, world.branch, teacher, day=weekday_after(12))
    client = client_of(teacher.user)
    later = weekday_after(20)

    accepted = client.post(f"/booking/{first.pk}/accept/", follow=True)
    client.post(f"/booking/{second.pk}/decline/", {"decline-reason": "外出调研"})
    client.post(
        f"/booking/{third.pk}/propose/",
        {"day": later.isoformat(), "starts": "14:00", "ends": "16:00", "note": "下午可以"},
    )

    assert messages_of(accepted) == ["您已接受此次讲课。"]
    assert list(Booking.objects.order_by("id").values_list("status", flat=True)) == ["accepted", "declined", "proposed"]
    assert third.proposals.get().starts_at == at(later, 14)


def test_the_branch_decides_a_proposal_and_picks_an_answer_from_the_page(world, pools, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher)
    services.booking_propose(booking=booking, actor=teacher.user, **span(weekday_after(15)))
    open_request = request_lecture(secretary, world.branch, None, **span(weekday_after(15), (14, 0), (16, 0)))
    answer = services.open_answer_submit(booking=open_request, actor=teacher.user, instructor=teacher)
    client = client_of(secretary)

    page = client.get(f"/booking/{open_request.pk}/")
    client.post(f"/booking/{booking.pk}/proposal/accept/")
    client.post(f"/booking/{open_request.pk}/pick/", {"answer": answer.pk})

    assert [a.pk for a in page.context["answers"]] == [answer.pk]
    assert list(Booking.objects.order_by("id").values_list("status", "instructor")) == [
        ("accepted", teacher.pk),
        ("accepted", teacher.pk),
    ]


def test_a_fitting_instructor_answers_an_open_request_from_its_page(world, pools, teacher, secretary):
    booking = request_lecture(secretary, world.branch, None)
    outsider = lecturer(pools.other_city)

    page = client_of(teacher.user).get(f"/booking/{booking.pk}/")
    client_of(teacher.user).post(f"/booking/{booking.pk}/answer/", {"note": "我可以讲"})

    assert page.context["actions"]["answer"] is True
    assert client_of(outsider.user).get(f"/booking/{booking.pk}/").status_code == 404
    assert list(booking.answers.values_list("instructor", "note")) == [(teacher.pk, "我可以讲")]


def test_the_schedule_page_keeps_the_week_the_blocked_days_and_the_limit(teacher):
    client = client_of(teacher.user)
    day = weekday_after(9)

    client.post(
        "/booking/schedule/",
        {
            "action": "windows",
            "w-TOTAL_FORMS": "2",
            "w-INITIAL_FORMS": "0",
            "w-0-weekday": "1",
            "w-0-starts": "14:00",
            "w-0-ends": "17:30",
            "w-1-weekday": "",
            "w-1-starts": "",
            "w-1-ends": "",
        },
    )
    client.post("/booking/schedule/", {"action": "block", "first_day": day.isoformat(), "reason": "出差"})
    client.post("/booking/schedule/", {"action": "limit", "monthly_limit": "3"})
    page = client.get("/booking/schedule/")

    teacher.refresh_from_db()
    assert list(WeeklyAvailability.objects.values_list("weekday", "starts", "ends")) == [(1, time(14), time(17, 30))]
    assert list(BlockedPeriod.objects.values_list("first_day", "reason")) == [(day, "出差")]
    assert teacher.monthly_limit == 3
    assert "14:00–17:30" in page.content.decode()

    client.post("/booking/schedule/", {"action": "unblock", "period": BlockedPeriod.objects.get().pk})
    assert BlockedPeriod.objects.count() == 0


def test_blocking_past_days_shows_the_error_on_the_field(teacher):
    response = client_of(teacher.user).post(
        "/booking/schedule/", {"action": "block", "first_day": "2020-01-01", "last_day": "2020-01-02"}
    )

    assert response.context["blocked_form"].errors["last_day"] == ["这些日期已经过去。"]


# --- calendars and feeds ----------------------------------------------------------------------------


def test_both_sides_see_the_lecture_in_their_calendars(world, teacher, secretary):
    booking = services.booking_accept(booking=request_lecture(secretary, world.branch, teacher), actor=teacher.user)
    services.blocked_period_add(instructor=teacher, actor=None, first_day=booking.local_date + timedelta(days=1))
    month = booking.local_date.strftime("%Y-%m")

    def entries(client, **params):
        page = client.get("/booking/calendar/", {"month": month, **params})
        days = [d for week in page.context["month"].weeks for d in week if d.in_month]
        return {d.day: ([b.pk for b in d.bookings], len(d.blocked)) for d in days if d.bookings or d.blocked}

    assert entries(client_of(secretary), **{"as": "branch"}) == {booking.local_date: ([booking.pk], 0)}
    assert entries(client_of(teacher.user)) == {
        booking.local_date: ([booking.pk], 0),
        booking.local_date + timedelta(days=1): ([], 1),
    }


def test_the_calendar_needs_a_role(world):
    assert client_of(world.member(world.branch)).get("/booking/calendar/").status_code == 403


def _feed_uids(client, url) -> list[str]:
    response = client.get(url)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    return sorted(str(e["UID"]) for e in calendar.walk("VEVENT"))


def test_the_private_feed_lists_exactly_the_confirmed_lectures(world, teacher, secretary):
    accepted = services.booking_accept(booking=request_lecture(secretary, world.branch, teacher), actor=teacher.user)
    past = timezone.localdate() - timedelta(days=4)
    delivered = services.booking_create(
        actor=None,
        branch=world.branch,
        instructor=teacher,
        topic="党课",
        class_hours=2,
        audience_size=9,
        place="会议室",
        **span(past),
    )
    services.booking_accept(booking=delivered, actor=None)
    services.booking_deliver(booking=delivered, actor=None)
    request_lecture(secretary, world.branch, teacher, day=weekday_after(11))
    cancelled = services.booking_accept(
        booking=request_lecture(secretary, world.branch, teacher, day=weekday_after(12)), actor=teacher.user
    )
    services.booking_cancel(booking=cancelled, actor=secretary, reason="取消")
    declined = request_lecture(secretary, world.branch, teacher, day=weekday_after(13))
    services.booking_decline(booking=declined, actor=teacher.user, reason="没空")
    request_lecture(secretary, world.branch, None, day=weekday_after(14))
    client = client_of(teacher.user)
    client.post("/booking/schedule/", {"action": "feed"})
    url = f"/booking/feed/{CalendarFeed.objects.get().token}.ics"

    response = Client().get(url)
    calendar = icalendar.Calendar.from_ical(response.content)
    events = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("DTSTART"))

    assert _feed_uids(Client(), url) == sorted(
        [f"booking-{delivered.pk}@127.0.0.1", f"booking-{accepted.pk}@127.0.0.1"]
    )
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert events[1].decoded("DTSTART") == accepted.starts_at
    assert events[1].decoded("DTEND") == accepted.ends_at
    assert str(events[1]["SUMMARY"]) == "讲课：新时代党的建设"
    assert str(events[1]["LOCATION"]) == "党群服务中心"


def test_a_new_feed_address_revokes_the_old_one(world, teacher):
    client = client_of(teacher.user)
    client.post("/booking/schedule/", {"action": "feed"})
    old = CalendarFeed.objects.get().token
    client.post("/booking/schedule/", {"action": "feed"})
    new = CalendarFeed.objects.get().token
    client.post("/booking/schedule/", {"action": "feed_revoke"})

    assert old != new
    assert Client().get(f"/booking/feed/{old}.ics").status_code == 404
    assert Client().get(f"/booking/feed/{new}.ics").status_code == 404


def test_each_side_downloads_one_confirmed_lecture(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher)

    before = client_of(secretary).get(f"/booking/{booking.pk}/lecture.ics")
    services.booking_accept(booking=booking, actor=teacher.user)
    after = client_of(secretary).get(f"/booking/{booking.pk}/lecture.ics")
    admin = client_of(world.admin(world.county)).get(f"/booking/{booking.pk}/lecture.ics")

    calendar = icalendar.Calendar.from_ical(after.content)
    assert before.status_code == 404 and admin.status_code == 404
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [f"booking-{booking.pk}@127.0.0.1"]


# --- the home page ----------------------------------------------------------------------------------


def test_the_home_page_lists_what_waits_for_each_side(world, teacher, secretary):
    request_lecture(secretary, world.branch, teacher)
    proposed = request_lecture(secretary, world.branch, teacher, day=weekday_after(11))
    services.booking_propose(booking=proposed, actor=teacher.user, **span(weekday_after(18)))
    open_request = request_lecture(secretary, world.branch, None, day=weekday_after(12))
    services.open_answer_submit(booking=open_request, actor=teacher.user, instructor=teacher)

    def todo(user):
        groups = client_of(user).get("/").context["todo_groups"]
        return [(str(i.label), i.count) for i in groups.get("讲课", [])]

    assert todo(teacher.user) == [("待答复的讲课邀请", 1)]
    assert todo(secretary) == [
        ("有应答待选择的公开需求", 1),
        ("待确认或拒绝的改期提议", 1),
        ("查找讲师并预约讲课", 0),
    ]


def _nav_labels(user) -> set[str]:
    entries = client_of(user).get("/").context["nav_items"]
    return {str(link["label"]) for entry in entries for link in entry.get("children", [entry])}


def test_the_navigation_shows_booking_to_secretaries_and_instructors(world, teacher, secretary):
    nav_secretary = _nav_labels(secretary)
    nav_teacher = _nav_labels(teacher.user)

    assert {"预约讲师", "讲课预约"} <= nav_secretary
    assert {"讲课邀请", "我的日程"} <= nav_teacher


def test_the_admin_site_shows_every_booking_model(world, teacher, secretary):
    from orgs.services import user_create

    booking = request_lecture(secretary, world.branch, teacher)
    admin = user_create(username="root", password=None)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = client_of(admin)

    pages = [
        "/admin/booking/booking/",
        f"/admin/booking/booking/{booking.pk}/change/",
        "/admin/booking/feestandard/",
        "/admin/booking/feestandard/1/change/",
        "/admin/booking/weeklyavailability/",
        "/admin/booking/blockedperiod/",
        "/admin/booking/calendarfeed/",
        "/admin/booking/openanswer/",
        "/admin/booking/bookingstatuschange/",
        "/admin/booking/timeproposal/",
        "/admin/booking/feerate/",
    ]

    assert [client.get(p).status_code for p in pages] == [200] * len(pages)
    assert "讲课预约" in client.get("/admin/booking/").content.decode()


def test_odd_parameters_never_break_a_page(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher)
    branch_client, teacher_client = client_of(secretary), client_of(teacher.user)

    codes = [
        branch_client.get("/booking/find/", {"branch": "abc", "level": "nowhere"}).status_code,
        branch_client.get("/booking/new/", {"instructor": "abc"}).status_code,
        branch_client.get("/booking/new/", {"date": "31/12/2026"}).status_code,
        branch_client.get("/booking/requests/", {"status": "bogus", "branch": "x"}).status_code,
        branch_client.get("/booking/requests/export/", {"date_from": "yesterday"}).status_code,
        branch_client.get("/booking/calendar/", {"month": "2026-13", "as": "branch"}).status_code,
        branch_client.post(f"/booking/{booking.pk}/pick/", {"answer": "x"}).status_code,
        teacher_client.post(f"/booking/{booking.pk}/propose/", {"day": "soon"}).status_code,
        teacher_client.post("/booking/schedule/", {"action": "unblock", "period": "x"}).status_code,
        teacher_client.post("/booking/schedule/", {"action": "limit", "monthly_limit": "many"}).status_code,
        Client().get("/booking/feed/not-a-token.ics").status_code,
    ]

    assert codes == [200, 404, 200, 200, 200, 200, 302, 302, 404, 200, 404]


@pytest.mark.parametrize("rows", [1, 5])
def test_the_inbox_query_count_does_not_grow(world, teacher, secretary, django_assert_num_queries, rows):
    for n in range(rows):
        request_lecture(secretary, world.branch, teacher, day=weekday_after(8 + n))
        request_lecture(
            secretary, world.branch, None, day=weekday_after(8 + n), **span(weekday_after(8 + n), (14, 0), (16, 0))
        )
    client = client_of(teacher.user)
    client.get("/booking/inbox/")

    # session, user, instructor, roles and unread count for the navigation, then the six lists with
    # their proposals: the count stays the same however many requests there are
    with django_assert_num_queries(13):
        page = client.get("/booking/inbox/")

    assert (len(page.context["to_answer"]), len(page.context["open_requests"])) == (rows, rows)
