"""No instructor ever holds two accepted lectures that overlap, also under concurrent confirmation.

Twenty branches ask one instructor for the same morning; the instructor's twenty "accept" requests
arrive at once over twenty database connections. Exactly one wins; the others get 409, none a 500.
"""

import threading

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from booking.models import Booking
from tests.booking.factories import at, request_lecture, weekday_after
from tests.conftest import client_for
from tests.factories import org

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

REQUESTS = 20


def test_twenty_concurrent_accepts_of_overlapping_requests_confirm_exactly_one(world, teacher):
    assert connection.vendor == "postgresql"
    day = weekday_after(10)
    bookings = []
    for n in range(REQUESTS):
        branch = org(world.committee, f"并发测试第{n + 1}党支部")
        # the same morning, each a minute later: every pair overlaps
        bookings.append(
            request_lecture(world.secretary(branch), branch, teacher, starts_at=at(day, 9, n), ends_at=at(day, 11, n))
        )
    token = client_for(teacher.user)._credentials["HTTP_AUTHORIZATION"]
    barrier = threading.Barrier(REQUESTS)
    statuses: dict[int, int] = {}

    def accept(booking_id: int) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=token)
        client.raise_request_exception = False  # a 500 must show as a status, not as an exception
        try:
            barrier.wait(timeout=30)
            statuses[booking_id] = client.post(f"/api/v1/bookings/{booking_id}/accept/").status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(b.pk,)) for b in bookings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses.values()) == [200] + [409] * (REQUESTS - 1)
    assert Booking.objects.filter(instructor=teacher, status=Booking.Status.ACCEPTED).count() == 1
    assert Booking.objects.filter(instructor=teacher, status=Booking.Status.REQUESTED).count() == REQUESTS - 1
