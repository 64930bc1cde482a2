"""iCalendar (RFC 5545) for lectures: an instructor's private feed and the .ics of one lecture.

Times carry TZID=Asia/Shanghai with the VTIMEZONE the standard requires; each lecture keeps one UID
and raises SEQUENCE when its time changes, so calendar clients update it in place.
"""

from collections.abc import Iterable
from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vText

from .fees import format_yuan
from .models import Booking

PRODID = "-//先锋师资库//booking//ZH"


def _uid(booking: Booking) -> str:
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    return f"booking-{booking.pk}@{host}"


def lecture_event(booking: Booking, *, url: str = "") -> Event:
    tz = ZoneInfo(settings.TIME_ZONE)
    event = Event()
    event.add("uid", _uid(booking))
    event.add("dtstamp", booking.updated_at or timezone.now())
    event.add("dtstart", booking.starts_at.astimezone(tz))
    event.add("dtend", booking.ends_at.astimezone(tz))
    event.add("sequence", booking.sequence)
    event.add("summary", _("Lecture: %(topic)s") % {"topic": booking.topic})
    where = booking.place or booking.get_mode_display()
    event.add("location", vText(where))
    lines = [
        _("Branch: %(branch)s") % {"branch": booking.branch.full_name},
        _("Class hours: %(n)s") % {"n": booking.class_hours},
        _("Audience: about %(n)s") % {"n": booking.audience_size},
        _("Form: %(mode)s") % {"mode": booking.get_mode_display()},
    ]
    if booking.instructor is not None:
        lines.insert(0, _("Instructor: %(name)s") % {"name": booking.instructor.name})
    if booking.fee_amount is not None:
        lines.append(_("Lecture fee: %(fee)s") % {"fee": format_yuan(booking.fee_amount)})
    if booking.description:
        lines.append(booking.description)
    event.add("description", "\n".join(lines))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    if url:
        event.add("url", url)
    return event


def calendar_bytes(bookings: Iterable[Booking], *, name: str, url_for=None) -> bytes:
    """A VCALENDAR of ``bookings`` (select branch and instructor) as bytes, CRLF line endings."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    first = None
    for booking in bookings:
        cal.add_component(lecture_event(booking, url=url_for(booking) if url_for else ""))
        day = timezone.localtime(booking.starts_at).date()
        first = day if first is None or day < first else first
    if first is not None:
        cal.add_missing_timezones(first_date=date(first.year, 1, 1))
    return cal.to_ical()
