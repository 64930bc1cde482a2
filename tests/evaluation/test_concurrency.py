"""One rating per attendee per lecture, also when submissions arrive at once over separate connections.

Ten requests of the same member arrive together: exactly one is recorded (201), the others are told
it was already rated (409), none is a 500. Ten different members at once are all recorded: the
lecture's window row is locked, so their ratings queue up rather than lose one another.
"""

import threading

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from evaluation.models import Rating
from pool.models import RatingSummary
from tests.conftest import client_for
from tests.evaluation.factories import attendee

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

THREADS = 10
SCORES = {"content": 4, "delivery": 5, "practical": 4}


def _at_once(tokens: list[str], url: str) -> list[int]:
    barrier = threading.Barrier(len(tokens))
    statuses: list[int] = []
    lock = threading.Lock()

    def submit(token: str) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=token)
        client.raise_request_exception = False  # a 500 must show as a status, not as an exception
        try:
            barrier.wait(timeout=30)
            status = client.post(url, SCORES).status_code
            with lock:
                statuses.append(status)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(statuses)


def test_ten_concurrent_submissions_of_one_member_record_exactly_one(lecture, alice):
    assert connection.vendor == "postgresql"
    token = client_for(alice[0])._credentials["HTTP_AUTHORIZATION"]

    statuses = _at_once([token] * THREADS, f"/api/v1/bookings/{lecture.pk}/ratings/")

    assert statuses == [201] + [409] * (THREADS - 1)
    assert Rating.objects.filter(window__booking=lecture, member=alice[1]).count() == 1


def test_ten_members_at_once_are_all_recorded(world, teacher, lecture):
    assert connection.vendor == "postgresql"
    users = [attendee(world.branch)[0] for _ in range(THREADS)]
    tokens = [client_for(user)._credentials["HTTP_AUTHORIZATION"] for user in users]

    statuses = _at_once(tokens, f"/api/v1/bookings/{lecture.pk}/ratings/")

    assert statuses == [201] * THREADS
    assert Rating.objects.filter(window__booking=lecture).count() == THREADS
    summary = RatingSummary.objects.get(instructor=teacher)
    assert summary.count == THREADS
