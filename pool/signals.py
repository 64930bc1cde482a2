"""Signals other apps (the recommender's index, booking) listen to.

``instructor_changed`` is sent by ``pool.services`` after the transaction that changed instructors
commits (never on a rollback), with keyword arguments:

- ``instructor_ids``: list of ids whose data changed;
- ``change``: one of ``CHANGES`` — what changed (profile fields, topics, status, an import).

Receivers read the instructors back from the database; the signal carries ids only.
"""

from django.db import transaction
from django.dispatch import Signal

CHANGES = ("created", "profile", "topics", "status", "imported")

instructor_changed = Signal()


def send_instructor_changed(instructor_ids, change: str) -> None:
    """Queue the signal for after commit (call inside the service's transaction)."""
    from .models import Instructor

    ids = sorted({int(pk) for pk in instructor_ids})
    if not ids:
        return
    transaction.on_commit(lambda: instructor_changed.send(sender=Instructor, instructor_ids=ids, change=change))
