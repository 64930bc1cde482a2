"""Signals the apps above booking listen to (evaluation opens ratings; booking never imports it).

``lecture_delivered`` is sent after the transaction that marked a lecture delivered commits (never on
a rollback), with the keyword argument ``booking_id``. Receivers read the booking back.
"""

from django.db import transaction
from django.dispatch import Signal

lecture_delivered = Signal()


def send_lecture_delivered(booking_id: int) -> None:
    """Queue the signal for after commit (call inside the service's transaction)."""
    from .models import Booking

    booking_id = int(booking_id)
    transaction.on_commit(lambda: lecture_delivered.send(sender=Booking, booking_id=booking_id))
