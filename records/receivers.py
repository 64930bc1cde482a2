"""Reactions to the apps below: an activity's attendance becomes org-life entries."""

from . import services


def on_attendance_recorded(sender, *, activity_id: int, **kwargs) -> None:
    """After an activity's attendance is saved (and committed): one org-life entry per member."""
    services.attendance_entries_sync(activity_id=activity_id)
