"""The link from an activity record to the booked lecture given at it, and who may then rate the lecture."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from activity import selectors, services
from booking import services as booking_services
from orgs.errors import ConflictError, DomainError
from tests.activity import factories as af
from tests.booking.factories import lecturer, span
from tests.conftest import client_for
from tests.members import factories as mf
from tests.pool.factories import pool_for

pytestmark = pytest.mark.django_db


def _lecture(
    branch, day: date, teacher, *, accept: bool = True, topic: str = "学习贯彻党的二十届四中全会精神", hours=(9, 11)
):
    """A lecture that took place: the system records past lectures (booking's ``actor=None``)."""
    booking = booking_services.booking_create(
        actor=None,
        branch=branch,
        instructor=teacher,
        topic=topic,
        class_hours=2,
        audience_size=30,
        place="党群服务中心",
        **span(day, (hours[0], 0), (hours[1], 0)),
    )
    return booking_services.booking_accept(booking=booking, actor=None) if accept else booking


@pytest.fixture
def setup(world):
    af.rule(world.county, day=1)
    teacher = lecturer(pool_for(world.province), username="teacher", name="周立新")
    members = [mf.member(world.branch, name=n) for n in ("王建华", "李秀英", "张志强")]
    day = timezone.localdate() - timedelta(days=3)
    return world, teacher, members, day


def test_a_lecture_given_at_the_activity_is_linked_and_its_audience_may_rate_it(setup):
    world, teacher, members, day = setup
    lecture = _lecture(world.branch, day, teacher)
    activity = af.plan(world.branch, day, content_types=["party_lecture", "study"], lecture=lecture)
    af.record(
        activity,
        members,
        overrides={members[1].pk: ("excused", "出差"), members[2].pk: ("absent", "")},
        today=timezone.localdate(),
    )

    assert (activity.lecture, activity.lecturer_kind, activity.lecturer_name) == (lecture, "instructor", "周立新")
    assert [m.name for m in selectors.lecture_attendees(lecture)] == ["王建华"]
    assert selectors.activity_for_lecture(lecture) == activity


def test_no_attendees_before_the_activity_is_recorded(setup):
    world, teacher, _members, day = setup
    lecture = _lecture(world.branch, day, teacher)
    af.plan(world.branch, day, lecture=lecture)

    assert list(selectors.lecture_attendees(lecture)) == []


def test_only_a_confirmed_lecture_of_the_branch_on_that_day_can_be_linked(setup):
    world, teacher, _members, day = setup
    other_branch = _lecture(world.sibling_branch, day, teacher, topic="他支部的课")
    other_day = _lecture(world.branch, day - timedelta(days=1), teacher, topic="前一天的课")
    unanswered = _lecture(world.branch, day, teacher, accept=False, topic="未答复的课", hours=(14, 16))
    errors = []
    for lecture in (other_branch, other_day, unanswered):
        with pytest.raises(DomainError) as raised:
            af.plan(world.branch, day, lecture=lecture)
        errors.append(raised.value.field)

    assert errors == ["lecture"] * 3


def test_a_lecture_is_linked_to_one_activity_at_most_until_that_one_is_cancelled(setup):
    world, teacher, _members, day = setup
    lecture = _lecture(world.branch, day, teacher)
    first = af.plan(world.branch, day, lecture=lecture)

    with pytest.raises(ConflictError) as raised:
        af.plan(world.branch, day, lecture=lecture, theme="同一堂课")
    services.activity_cancel(actor=mf.superuser(), activity=first, reason="改期")
    second = af.plan(world.branch, day, lecture=lecture, theme="同一堂课")

    assert raised.value.field == "lecture"
    assert (selectors.activity_for_lecture(lecture), second.lecture) == (second, lecture)


def test_changing_the_date_away_from_the_lecture_is_refused(setup):
    world, teacher, _members, day = setup
    lecture = _lecture(world.branch, day, teacher)
    activity = af.plan(world.branch, day, lecture=lecture)

    with pytest.raises(DomainError) as raised:
        services.activity_update(actor=mf.superuser(), activity=activity, changes={}, held_on=day + timedelta(days=1))
    unlinked = services.activity_update(
        actor=mf.superuser(), activity=activity, changes={"lecture": None}, held_on=day + timedelta(days=1)
    )

    assert raised.value.field == "lecture"
    assert unlinked.lecture is None


def test_the_api_links_a_lecture_and_shows_it(setup):
    world, teacher, _members, day = setup
    secretary = world.secretary(world.branch)
    lecture = _lecture(world.branch, day, teacher)
    client = client_for(secretary)

    created = client.post(
        "/api/v1/activities/",
        {
            "branch": world.branch.pk,
            "held_on": day.isoformat(),
            "is_activity_day": False,
            "theme": "专题党课",
            "content_types": ["party_lecture"],
            "lecture": lecture.pk,
        },
    )
    again = client.post(
        "/api/v1/activities/",
        {
            "branch": world.branch.pk,
            "held_on": day.isoformat(),
            "is_activity_day": False,
            "theme": "再链接一次",
            "content_types": ["study"],
            "lecture": lecture.pk,
        },
    )
    found = client.get(f"/api/v1/activities/?lecture={lecture.pk}").json()

    assert created.status_code == 201, created.json()
    assert (created.json()["lecture"]["instructor_name"], created.json()["lecturer_name"]) == ("周立新", "周立新")
    assert again.status_code == 409
    assert [a["id"] for a in found["results"]] == [created.json()["id"]]


def test_the_plan_page_starts_from_a_booked_lecture(setup, client):
    world, teacher, _members, day = setup
    secretary = world.secretary(world.branch)
    lecture = _lecture(world.branch, day, teacher)
    client.force_login(secretary)

    page = client.get(f"/activity/new/?branch={world.branch.pk}&lecture={lecture.pk}").content.decode()
    odd = client.get(f"/activity/new/?branch={world.branch.pk}&lecture=abc")

    assert f'<option value="{lecture.pk}" selected>' in page
    assert 'value="学习贯彻党的二十届四中全会精神"' in page
    assert odd.status_code == 200
