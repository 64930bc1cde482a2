"""Signals the apps above members listen to.

``members_imported`` is sent after the transaction of a roster import commits (never on a rollback),
with ``branch_ids``: the branches that gained, kept or lost members in it. The import writes in bulk,
past ``save`` and its model signals.
"""

from django.db import transaction
from django.dispatch import Signal

members_imported = Signal()


def send_members_imported(branch_ids) -> None:
    from .models import Member

    ids = sorted({int(pk) for pk in branch_ids if pk})
    if ids:
        transaction.on_commit(lambda: members_imported.send(sender=Member, branch_ids=ids))
