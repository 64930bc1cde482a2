"""The database's own guarantee that no instructor holds two confirmed lectures that overlap.

PostgreSQL enforces it with an exclusion constraint (``Booking.Meta.constraints``, btree_gist on the
instructor and a ``tstzrange`` of the lecture). SQLite has no exclusion constraints, so two triggers
abort any insert or update that would leave two accepted or delivered lectures of one instructor
overlapping. The initial migration installs them; because SQLite rebuilds a table (and loses its
triggers) when a later migration alters it, ``ensure_overlap_guard`` runs again after every
``migrate`` (``post_migrate``) and is idempotent.

Datetimes are stored by Django as UTC text of one format on SQLite, so text comparison orders them.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "booking_booking"
GUARDED_STATUSES = ("accepted", "delivered")
MESSAGE = "booking_no_overlapping_lectures: the instructor already holds a confirmed lecture at that time"

_STATUSES = ", ".join(f"'{s}'" for s in GUARDED_STATUSES)
_CLASH = f"""
    SELECT RAISE(ABORT, '{MESSAGE}')
    WHERE EXISTS (
        SELECT 1 FROM {TABLE} AS other
        WHERE other.instructor_id = NEW.instructor_id
          AND other.id != NEW.id
          AND other.status IN ({_STATUSES})
          AND other.starts_at < NEW.ends_at
          AND NEW.starts_at < other.ends_at
    );
"""

SQLITE_TRIGGERS = {
    "booking_no_overlap_insert": f"""
CREATE TRIGGER IF NOT EXISTS booking_no_overlap_insert
BEFORE INSERT ON {TABLE}
WHEN NEW.instructor_id IS NOT NULL AND NEW.status IN ({_STATUSES})
BEGIN {_CLASH} END
""",
    "booking_no_overlap_update": f"""
CREATE TRIGGER IF NOT EXISTS booking_no_overlap_update
BEFORE UPDATE OF status, starts_at, ends_at, instructor_id ON {TABLE}
WHEN NEW.instructor_id IS NOT NULL AND NEW.status IN ({_STATUSES})
BEGIN {_CLASH} END
""",
}


def _table_exists(connection: BaseDatabaseWrapper) -> bool:
    with connection.cursor() as cursor:
        return TABLE in connection.introspection.table_names(cursor)


def install_sqlite_triggers(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for sql in SQLITE_TRIGGERS.values():
            cursor.execute(sql)


def drop_sqlite_triggers(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def ensure_overlap_guard(*, using: str = "default", **kwargs) -> None:
    """``post_migrate`` receiver: put the SQLite triggers back if a table rebuild dropped them."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "sqlite" and _table_exists(connection):
        install_sqlite_triggers(connection)


def overlap_guard_installed(connection: BaseDatabaseWrapper) -> bool:
    """True when the database itself refuses overlapping confirmed lectures (used by tests and checks)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s)",
                list(SQLITE_TRIGGERS),
            )
            return cursor.fetchone()[0] == len(SQLITE_TRIGGERS)
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_constraint WHERE conname = %s AND contype = 'x'",
                ["booking_no_overlapping_lectures"],
            )
            return cursor.fetchone()[0] == 1
    return False
