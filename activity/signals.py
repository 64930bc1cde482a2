"""Signals other apps listen to (they import activity; activity never imports them).

``attendance_recorded``: sent once per save of an activity's attendance, after the transaction
commits, with ``activity_id``. The attendance rows are unique per activity and member and updated in
place, so a receiver that creates one entry per row (keyed by the row id, or by activity and member)
stays free of duplicates however often the activity is saved again.
"""

from django.dispatch import Signal

attendance_recorded = Signal()
