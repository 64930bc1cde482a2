import pytest
from django.core.management import call_command
from django.test import Client

from booking.models import Booking, OpenAnswer, WeeklyAvailability
from pool.models import Instructor

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    call_command("seed_demo", verbosity=0)


def test_demo_gives_the_secretarys_branch_one_booking_in_each_state(seeded):
    bookings = Booking.objects.filter(branch__role_assignments__user__username="secretary")

    assert sorted(bookings.values_list("status", flat=True)) == ["accepted", "delivered", "open", "requested"]
    assert OpenAnswer.objects.filter(booking__status="open").count() == 1
    delivered = bookings.get(status="delivered")
    assert delivered.fee_amount is not None
    # later seed steps (evaluation's demo year) deliver more lectures of the demo instructor
    assert (
        delivered.instructor.lecture_count
        == Booking.objects.filter(instructor=delivered.instructor, status="delivered").count()
    )


def test_demo_instructor_keeps_a_weekly_schedule_and_answers_from_the_inbox(seeded):
    demo = Instructor.objects.get(user__username="instructor")
    client = Client()
    client.login(username="instructor", password="demo12345")

    inbox = client.get("/booking/inbox/")

    assert WeeklyAvailability.objects.filter(instructor=demo).count() == 11
    assert [b.topic for b in inbox.context["to_answer"]] == ["如何上好一堂专题党课"]
    assert [b.topic for b in inbox.context["upcoming"]] == ["雨花英烈精神与江苏红色资源"]


def test_demo_secretary_sees_the_bookings_and_the_answer_to_pick(seeded):
    client = Client()
    client.login(username="secretary", password="demo12345")
    open_request = Booking.objects.get(status="open")

    listed = client.get("/booking/requests/")
    page = client.get(f"/booking/{open_request.pk}/")

    assert listed.context["page"].paginator.count == 4
    assert len(page.context["answers"]) == 1
    assert page.context["actions"]["pick"] is True


def test_scale_adds_bookings_without_overlaps(seeded):
    call_command("seed_demo", "--scale", "12", verbosity=0)

    scale = Booking.objects.filter(topic="专题党课")
    assert scale.count() == 36
    assert sorted(set(scale.values_list("status", flat=True))) == ["accepted", "delivered", "requested"]
    confirmed = list(scale.filter(status__in=["accepted", "delivered"]).values_list("instructor", "starts_at"))
    assert len(confirmed) == len(set(confirmed))
