"""The booking API: the contract's endpoints, scoping, and 400/401/403/404/409 — never a 500."""

from datetime import time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from booking import services
from booking.models import Booking
from pool.models import Category
from tests.booking.factories import at, lecturer, request_lecture, span, weekday_after
from tests.conftest import client_for
from tests.pool.factories import instructor

pytestmark = pytest.mark.django_db
S = Booking.Status


def _payload(teacher=None, day=None, **fields):
    day = day or weekday_after(9)
    data = {
        "topic": "学习贯彻党的二十大精神",
        "starts_at": at(day, 9).isoformat(),
        "ends_at": at(day, 11, 30).isoformat(),
        "class_hours": 3,
        "place": "社区党群服务中心",
        "audience_size": 50,
        "contact_phone": "13912345678",
    }
    if teacher is not None:
        data["instructor"] = teacher.pk
    data.update(fields)
    return data


# --- create -----------------------------------------------------------------------------------------


def test_a_secretary_requests_a_lecture_and_sees_the_fee(world, teacher, secretary):
    response = client_for(secretary).post("/api/v1/bookings/", _payload(teacher))

    body = response.json()
    assert response.status_code == 201
    assert (body["status"], body["kind"], body["instructor"], body["branch"]) == (
        "requested",
        "direct",
        teacher.pk,
        world.branch.pk,
    )
    assert body["fee"]["standard"] == "财行〔2016〕540号"
    assert (body["fee"]["units"], body["fee"]["amount"]) == (3, "3000.00")
    assert body["contact_phone"] == "13912345678"


def test_without_an_instructor_the_request_is_open(world, secretary):
    response = client_for(secretary).post("/api/v1/bookings/", _payload(category="economy"))

    assert response.status_code == 201
    assert (response.json()["status"], response.json()["kind"], response.json()["fee"]) == ("open", "open", None)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"topic": ""}, "topic"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"class_hours": 9}, "class_hours"),
        ({"class_hours": 4, "ends_at": None}, "ends_at"),
        ({"audience_size": 0}, "audience_size"),
        ({"mode": "telepathy"}, "mode"),
        ({"contact_phone": "110"}, "contact_phone"),
        ({"instructor": 999999}, "instructor"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(world, teacher, secretary, fields, field):
    data = _payload(teacher)
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}

    response = client_for(secretary).post("/api/v1/bookings/", data)

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert Booking.objects.count() == 0


def test_a_lecture_too_short_for_its_class_hours_is_a_400(world, teacher, secretary):
    response = client_for(secretary).post("/api/v1/bookings/", _payload(teacher, class_hours=5))

    assert response.status_code == 400
    assert list(response.json()) == ["class_hours"]


def test_xuzhou_secretary_cannot_book_nanjing_instructor(world, pools):
    nanjing = instructor(pools.city)
    xuzhou = world.secretary(world.other_city_branch)

    response = client_for(xuzhou).post("/api/v1/bookings/", _payload(nanjing))

    assert response.status_code == 403
    assert Booking.objects.count() == 0


def test_jiangning_secretary_books_provincial_nanjing_and_jiangning_instructors(world, pools, secretary):
    client = client_for(secretary)
    codes = []
    for n, pool in enumerate((pools.province, pools.city, pools.county)):
        codes.append(client.post("/api/v1/bookings/", _payload(instructor(pool), day=weekday_after(8 + n))).status_code)

    assert codes == [201, 201, 201]


def test_anyone_but_a_secretary_cannot_request(world, teacher):
    response = client_for(world.member(world.branch)).post("/api/v1/bookings/", _payload(teacher))

    assert response.status_code == 403


def test_a_secretary_of_two_branches_says_which_one_asks(world, teacher, secretary):
    from orgs.services import role_grant

    role_grant(user=secretary, role="secretary", organization=world.sibling_branch)
    client = client_for(secretary)

    missing = client.post("/api/v1/bookings/", _payload(teacher))
    given = client.post("/api/v1/bookings/", _payload(teacher, branch=world.sibling_branch.pk))

    assert (missing.status_code, list(missing.json())) == (400, ["branch"])
    assert (given.status_code, given.json()["branch"]) == (201, world.sibling_branch.pk)


def test_anonymous_calls_are_401(api, world):
    assert api.get("/api/v1/bookings/").status_code == 401
    assert api.post("/api/v1/bookings/", {}).status_code == 401
    assert api.get("/api/v1/fee-standards/").status_code == 401


def test_a_request_for_a_blocked_day_is_a_409_with_the_reason(world, teacher, secretary):
    day = weekday_after(9)
    services.blocked_period_add(instructor=teacher, actor=None, first_day=day, reason="赴京开会")

    response = client_for(secretary).post("/api/v1/bookings/", _payload(teacher, day=day))

    assert response.status_code == 409
    assert "赴京开会" in response.json()["detail"]
    assert response.json()["code"] == "schedule_conflict"


# --- the list and its scope -------------------------------------------------------------------------


def test_each_role_sees_its_own_scope(world, pools, teacher, secretary):
    other_secretary = world.secretary(world.sibling_branch)
    mine = request_lecture(secretary, world.branch, teacher)
    theirs = request_lecture(other_secretary, world.sibling_branch, instructor(pools.county), day=weekday_after(11))
    far = world.secretary(world.other_city_branch)
    request_lecture(far, world.other_city_branch, instructor(pools.other_city), day=weekday_after(12))

    def ids(user):
        return sorted(r["id"] for r in client_for(user).get("/api/v1/bookings/").json()["results"])

    assert ids(secretary) == [mine.pk]
    assert ids(teacher.user) == [mine.pk]
    assert ids(world.admin(world.county)) == sorted([mine.pk, theirs.pk])
    assert ids(world.admin(world.other_city)) == [Booking.objects.get(branch=world.other_city_branch).pk]
    assert ids(world.member(world.branch)) == []


def test_outside_the_jurisdiction_a_booking_is_404(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher)
    stranger = world.secretary(world.other_city_branch)
    client = client_for(stranger)

    assert client.get(f"/api/v1/bookings/{booking.pk}/").status_code == 404
    assert client.post(f"/api/v1/bookings/{booking.pk}/cancel/", {"reason": "x"}).status_code == 404
    assert client.post(f"/api/v1/bookings/{booking.pk}/accept/").status_code == 404


def test_a_supervising_admin_sees_the_contact_phone_masked(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher, contact_phone="13912345678")

    seen = client_for(world.admin(world.county)).get(f"/api/v1/bookings/{booking.pk}/").json()

    assert seen["contact_phone"] == "139****5678"


def test_filters_by_status_and_date(world, teacher, secretary):
    first = request_lecture(secretary, world.branch, teacher, day=weekday_after(8))
    second = request_lecture(secretary, world.branch, teacher, day=weekday_after(15))
    services.booking_accept(booking=second, actor=teacher.user)
    client = client_for(secretary)

    accepted = client.get("/api/v1/bookings/", {"status": "accepted"}).json()["results"]
    early = client.get("/api/v1/bookings/", {"date_to": first.local_date.isoformat()}).json()["results"]
    bad = client.get("/api/v1/bookings/", {"status": "nonsense"})

    assert [r["id"] for r in accepted] == [second.pk]
    assert [r["id"] for r in early] == [first.pk]
    assert bad.status_code == 400


@pytest.mark.parametrize("rows", [1, 6])
def test_booking_list_query_count_does_not_grow(world, teacher, secretary, django_assert_num_queries, rows):
    for n in range(rows):
        booking = request_lecture(secretary, world.branch, teacher, day=weekday_after(8 + n))
        if n % 2:
            services.booking_propose(booking=booking, actor=teacher.user, **span(weekday_after(30 + n)))
    client = client_for(secretary)
    client.get("/api/v1/bookings/")

    with django_assert_num_queries(5):  # token, roles, count, page (with answers counted), proposals
        response = client.get("/api/v1/bookings/")

    assert response.json()["count"] == rows


# --- actions ----------------------------------------------------------------------------------------


def test_the_instructor_accepts_and_accepting_twice_is_a_409(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher)
    client = client_for(teacher.user)

    first = client.post(f"/api/v1/bookings/{booking.pk}/accept/")
    again = client.post(f"/api/v1/bookings/{booking.pk}/accept/")

    assert (first.status_code, first.json()["status"]) == (200, "accepted")
    assert (again.status_code, again.json()["code"]) == (409, "invalid_state")


def test_the_branch_cannot_accept_its_own_request(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher)

    assert client_for(secretary).post(f"/api/v1/bookings/{booking.pk}/accept/").status_code == 403


def test_declining_without_a_reason_is_a_400(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher)
    client = client_for(teacher.user)

    missing = client.post(f"/api/v1/bookings/{booking.pk}/decline/", {})
    blank = client.post(f"/api/v1/bookings/{booking.pk}/decline/", {"reason": "  "})
    given = client.post(f"/api/v1/bookings/{booking.pk}/decline/", {"reason": "时间冲突"})

    assert (missing.status_code, list(missing.json())) == (400, ["reason"])
    assert (blank.status_code, list(blank.json())) == (400, ["reason"])
    assert (given.status_code, given.json()["status"], given.json()["closing_reason"]) == (200, "declined", "时间冲突")


def test_cancel_and_deliver(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher)
    services.booking_accept(booking=booking, actor=teacher.user)
    client = client_for(secretary)

    early = client.post(f"/api/v1/bookings/{booking.pk}/deliver/")
    cancelled = client.post(f"/api/v1/bookings/{booking.pk}/cancel/", {"reason": "上级临时通知开会"})
    after = client.post(f"/api/v1/bookings/{booking.pk}/cancel/", {"reason": "再取消"})

    assert (early.status_code, early.json()["code"]) == (409, "lecture_not_over")
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    assert after.status_code == 409


def test_delivering_a_past_lecture(world, teacher, secretary):
    day = timezone.localdate() - timedelta(days=2)
    booking = services.booking_create(
        actor=None,
        branch=world.branch,
        instructor=teacher,
        topic="党课",
        class_hours=2,
        audience_size=20,
        place="会议室",
        **span(day),
    )
    services.booking_accept(booking=booking, actor=None)

    response = client_for(secretary).post(f"/api/v1/bookings/{booking.pk}/deliver/")

    assert (response.status_code, response.json()["status"]) == (200, "delivered")
    assert response.json()["delivered_at"] is not None


def test_propose_another_time_then_the_branch_accepts_it(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher)
    later = weekday_after(16)

    proposed = client_for(teacher.user).post(
        f"/api/v1/bookings/{booking.pk}/propose/",
        {"starts_at": at(later, 14).isoformat(), "ends_at": at(later, 16).isoformat(), "note": "下午更合适"},
    )
    listed = client_for(secretary).get(f"/api/v1/bookings/{booking.pk}/").json()
    accepted = client_for(secretary).post(f"/api/v1/bookings/{booking.pk}/accept-proposal/")

    assert proposed.status_code == 201
    assert (listed["status"], listed["pending_proposal"]["note"]) == ("proposed", "下午更合适")
    assert (accepted.status_code, accepted.json()["status"], accepted.json()["pending_proposal"]) == (
        200,
        "accepted",
        None,
    )
    assert accepted.json()["starts_at"] == at(later, 14).isoformat()


def test_refusing_a_proposal_and_a_bad_proposal(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher)
    client = client_for(teacher.user)

    backwards = client.post(
        f"/api/v1/bookings/{booking.pk}/propose/",
        {"starts_at": at(weekday_after(16), 14).isoformat(), "ends_at": at(weekday_after(16), 13).isoformat()},
    )
    client.post(f"/api/v1/bookings/{booking.pk}/propose/", span_iso(weekday_after(16)))
    refused = client_for(secretary).post(f"/api/v1/bookings/{booking.pk}/refuse-proposal/", {"note": "只能原定时间"})
    nothing = client_for(secretary).post(f"/api/v1/bookings/{booking.pk}/refuse-proposal/")

    assert (backwards.status_code, list(backwards.json())) == (400, ["ends_at"])
    assert (refused.status_code, refused.json()["status"]) == (200, "requested")
    assert nothing.status_code == 409


def span_iso(day):
    return {k: v.isoformat() for k, v in span(day).items()}


def test_history_lists_every_move(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher)
    services.booking_decline(booking=booking, actor=teacher.user, reason="已有安排")

    rows = client_for(secretary).get(f"/api/v1/bookings/{booking.pk}/history/").json()

    assert [(r["from_status"], r["to_status"], r["reason"]) for r in rows] == [
        ("", "requested", ""),
        ("requested", "declined", "已有安排"),
    ]
    assert rows[1]["actor"] == teacher.user.full_name


# --- open requests ----------------------------------------------------------------------------------


def test_the_open_request_round_trip(world, pools, secretary):
    economist = lecturer(pools.county, category=Category.ECONOMY)
    rival = lecturer(pools.province, category=Category.ECONOMY)
    stranger = lecturer(pools.other_city, category=Category.ECONOMY)
    booking = request_lecture(secretary, world.branch, None, category=Category.ECONOMY)

    offered = client_for(economist.user).get("/api/v1/bookings/open/").json()
    not_offered = client_for(stranger.user).get("/api/v1/bookings/open/").json()
    answered = client_for(economist.user).post(f"/api/v1/bookings/{booking.pk}/answers/", {"note": "可以来"})
    client_for(rival.user).post(f"/api/v1/bookings/{booking.pk}/answers/", {})
    refused = client_for(stranger.user).post(f"/api/v1/bookings/{booking.pk}/answers/", {})
    twice = client_for(economist.user).post(f"/api/v1/bookings/{booking.pk}/answers/", {})
    answers = client_for(secretary).get(f"/api/v1/bookings/{booking.pk}/answers/").json()
    picked = client_for(secretary).post(f"/api/v1/bookings/{booking.pk}/pick/", {"answer": answers[0]["id"]})

    assert [r["id"] for r in offered["results"]] == [booking.pk]
    assert not_offered["results"] == []
    assert (answered.status_code, refused.status_code, twice.status_code) == (201, 403, 409)
    assert [(a["instructor"], a["note"]) for a in answers] == [(economist.pk, "可以来"), (rival.pk, "")]
    assert (picked.status_code, picked.json()["instructor"], picked.json()["status"]) == (200, economist.pk, "accepted")
    assert picked.json()["fee"]["amount"] is not None
    assert client_for(economist.user).get("/api/v1/bookings/open/").json()["results"] == []


def test_picking_a_foreign_answer_is_a_400(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, None)
    other = request_lecture(secretary, world.branch, None, day=weekday_after(20))
    answer = services.open_answer_submit(booking=other, actor=teacher.user, instructor=teacher)

    response = client_for(secretary).post(f"/api/v1/bookings/{booking.pk}/pick/", {"answer": answer.pk})

    assert (response.status_code, list(response.json())) == (400, ["answer"])


def test_withdrawing_an_answer(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, None)
    answer = services.open_answer_submit(booking=booking, actor=teacher.user, instructor=teacher)

    response = client_for(teacher.user).post(f"/api/v1/booking-answers/{answer.pk}/withdraw/")
    stranger = client_for(secretary).post(f"/api/v1/booking-answers/{answer.pk}/withdraw/")

    assert (response.status_code, response.json()["status"]) == (200, "withdrawn")
    assert stranger.status_code == 404


@pytest.mark.parametrize("rows", [1, 5])
def test_open_list_and_answers_query_counts_do_not_grow(world, pools, secretary, django_assert_num_queries, rows):
    helpers = [lecturer(pools.province) for _ in range(rows)]
    watcher = lecturer(pools.city)
    bookings = [request_lecture(secretary, world.branch, None, day=weekday_after(8 + n)) for n in range(rows)]
    for person in helpers:
        services.open_answer_submit(booking=bookings[0], actor=person.user, instructor=person)
    instructor_client = client_for(watcher.user)
    branch_client = client_for(secretary)
    instructor_client.get("/api/v1/bookings/open/")
    branch_client.get(f"/api/v1/bookings/{bookings[0].pk}/answers/")

    with django_assert_num_queries(5):  # token, instructor, count, page (answers counted), proposals
        assert instructor_client.get("/api/v1/bookings/open/").json()["count"] == rows
    with django_assert_num_queries(6):  # token, roles, booking (+answers counted), proposals, answers, topics
        assert len(branch_client.get(f"/api/v1/bookings/{bookings[0].pk}/answers/").json()) == rows


# --- schedules and fee standards --------------------------------------------------------------------


def test_the_instructor_keeps_its_schedule(teacher):
    client = client_for(teacher.user)
    day = weekday_after(9)

    updated = client.patch(
        "/api/v1/schedules/me/",
        {"monthly_limit": 3, "weekly": [{"weekday": 1, "starts": "14:00", "ends": "17:30"}]},
    )
    blocked = client.post(f"/api/v1/schedules/{teacher.pk}/blocked/", {"first_day": day.isoformat(), "reason": "开会"})
    schedule = client.get("/api/v1/schedules/me/").json()
    removed = client.delete(f"/api/v1/schedules/me/blocked/{blocked.json()['id']}/")

    assert updated.status_code == 200
    assert (schedule["monthly_limit"], schedule["weekly"]) == (3, [{"weekday": 1, "starts": "14:00", "ends": "17:30"}])
    assert [(b["first_day"], b["last_day"], b["reason"]) for b in schedule["blocked"]] == [
        (day.isoformat(), day.isoformat(), "开会")
    ]
    assert removed.status_code == 204
    assert client.get("/api/v1/schedules/me/").json()["blocked"] == []


def test_bad_schedule_input_is_a_400(teacher):
    client = client_for(teacher.user)

    overlapping = client.patch(
        "/api/v1/schedules/me/",
        {
            "weekly": [
                {"weekday": 1, "starts": "09:00", "ends": "12:00"},
                {"weekday": 1, "starts": "11:00", "ends": "13:00"},
            ]
        },
        format="json",
    )
    backwards = client.post("/api/v1/schedules/me/blocked/", {"first_day": "2099-01-05", "last_day": "2099-01-01"})
    limit = client.patch("/api/v1/schedules/me/", {"monthly_limit": 0})

    assert (overlapping.status_code, list(overlapping.json())) == (400, ["windows"])
    assert (backwards.status_code, list(backwards.json())) == (400, ["last_day"])
    assert (limit.status_code, list(limit.json())) == (400, ["monthly_limit"])


def test_others_cannot_see_or_change_a_schedule(world, teacher, secretary):
    client = client_for(secretary)

    assert client.get(f"/api/v1/schedules/{teacher.pk}/").status_code == 404
    assert client.get("/api/v1/schedules/me/").status_code == 404
    assert client_for(world.admin(world.province)).get(f"/api/v1/schedules/{teacher.pk}/").status_code == 200


def test_the_feed_address_is_the_instructors_alone(world, teacher):
    client = client_for(teacher.user)

    created = client.post("/api/v1/schedules/me/feed/")
    rotated = client.post("/api/v1/schedules/me/feed/")
    admin = client_for(world.admin(world.province)).post(f"/api/v1/schedules/{teacher.pk}/feed/")
    shown = client.get("/api/v1/schedules/me/").json()["feed_url"]
    revoked = client.delete("/api/v1/schedules/me/feed/")

    assert created.status_code == 200 and created.json()["feed_url"] != rotated.json()["feed_url"]
    assert shown == rotated.json()["feed_url"]
    assert admin.status_code == 403
    assert revoked.status_code == 204
    assert client.get(rotated.json()["feed_url"].replace("http://testserver", "")).status_code == 404


def test_fee_standards_are_listed_with_their_rates(world, secretary, django_assert_num_queries):
    client = client_for(secretary)
    client.get("/api/v1/fee-standards/")

    with django_assert_num_queries(3):  # token, standards, rates
        body = client.get("/api/v1/fee-standards/").json()

    assert [(s["number"], s["unit"], s["max_hours_per_half_day"]) for s in body] == [
        ("财行〔2016〕540号", "class_hour", 4),
        ("财行〔2013〕523号", "half_day", None),
    ]
    assert {r["grade"]: r["amount"] for r in body[0]["rates"]} == {
        "associate_senior": "500.00",
        "full_senior": "1000.00",
        "academician": "1500.00",
        "other": "500.00",
    }


def test_a_weekly_window_outside_the_lecture_is_a_409_on_accept(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher)
    services.weekly_availability_set(
        instructor=teacher, actor=None, windows=[((booking.local_date.weekday() + 1) % 7, time(9), time(12))]
    )

    response = client_for(teacher.user).post(f"/api/v1/bookings/{booking.pk}/accept/")

    assert (response.status_code, response.json()["code"]) == (409, "schedule_conflict")


def test_schema_builds_without_warnings(db, tmp_path):
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yml"))


GARBAGE = [
    {},
    {"topic": None, "starts_at": None},
    {"topic": ["列表"], "starts_at": 12, "ends_at": {"a": 1}, "class_hours": "三", "audience_size": -5},
    {"topic": "x" * 5000, "starts_at": "2026-02-30T09:00:00", "ends_at": "2026-02-30T08:00:00"},
    {"instructor": "abc", "branch": "北京", "category": 7, "mode": None, "contact_phone": "1" * 40},
    {"starts_at": "9999-12-31T23:00:00+08:00", "ends_at": "9999-12-31T23:59:00+08:00", "class_hours": 1},
    {"reason": None, "note": ["x"], "answer": "one", "instructor": -1},
    {"monthly_limit": "∞", "weekly": "every day", "first_day": "someday", "last_day": 5},
    {"weekly": [{"weekday": 9, "starts": "25:00", "ends": "x"}], "monthly_limit": 100},
]


def test_garbage_never_makes_a_500(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher)
    open_request = request_lecture(secretary, world.branch, None, day=weekday_after(20))
    clients = [client_for(secretary), client_for(teacher.user)]
    for client in clients:
        client.raise_request_exception = False
    writes = [
        ("post", "/api/v1/bookings/"),
        *[
            ("post", f"/api/v1/bookings/{booking.pk}/{a}/")
            for a in ("accept", "decline", "cancel", "deliver", "propose")
        ],
        ("post", f"/api/v1/bookings/{booking.pk}/accept-proposal/"),
        ("post", f"/api/v1/bookings/{booking.pk}/refuse-proposal/"),
        ("post", f"/api/v1/bookings/{open_request.pk}/answers/"),
        ("post", f"/api/v1/bookings/{open_request.pk}/pick/"),
        ("patch", "/api/v1/schedules/me/"),
        ("post", "/api/v1/schedules/me/blocked/"),
    ]

    codes = set()
    for client in clients:
        for method, url in writes:
            for payload in GARBAGE:
                for fmt in ("json", "multipart"):
                    if fmt == "multipart" and any(isinstance(v, list | dict) or v is None for v in payload.values()):
                        continue
                    codes.add(getattr(client, method)(url, payload, format=fmt).status_code)
        for query in ({"status": "x"}, {"date_from": "nope"}, {"branch": "abc"}, {"page": "-1"}, {"page_size": "x"}):
            codes.add(client.get("/api/v1/bookings/", query).status_code)

    assert max(codes) < 500


@pytest.mark.parametrize("moves", [0, 3])
def test_history_query_count_does_not_grow(world, teacher, secretary, django_assert_num_queries, moves):
    booking = request_lecture(secretary, world.branch, teacher)
    for n in range(moves):
        services.booking_propose(booking=booking, actor=teacher.user, **span(weekday_after(20 + n)))
        services.booking_proposal_refuse(booking=booking, actor=secretary)
    client = client_for(secretary)
    client.get(f"/api/v1/bookings/{booking.pk}/history/")

    with django_assert_num_queries(5):  # token, roles, booking, proposals, history with its actors
        rows = client.get(f"/api/v1/bookings/{booking.pk}/history/").json()

    assert len(rows) == 1 + 2 * moves
