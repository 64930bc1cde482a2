"""A branch's record archive (记实档案) as an .xlsx workbook for the supervisor: the cards, every entry
with its status and what it corrects, the history of each entry, the dues paid and the appraisals."""

from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from members.models import Member
from orgs.models import Organization

from .models import ActivityCard, Appraisal, DuesPayment, RecordEntry, RecordEntryChange


def _sheet(book: Workbook, title: str, header: list[str], rows) -> None:
    sheet = book.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def archive_bytes(branch: Organization) -> bytes:
    """The archive of the branch (and the groups below it) as .xlsx bytes; a few queries, streamed rows."""
    members = Member.objects.filter(Organization.subtree_q(branch.path, "branch"))
    entries = (
        RecordEntry.objects.filter(
            Organization.subtree_q(branch.path, "branch") | Organization.subtree_q(branch.path, "member__branch")
        )
        .select_related("member", "created_by")
        .order_by("member__name", "occurred_on", "id")
    )
    book = Workbook()
    book.remove(book.active)
    _sheet(
        book,
        _("Activity cards"),
        [
            _("Member"),
            _("Card number"),
            _("Numbered by"),
            _("Stamped by"),
            _("Stamped on"),
            _("Issued on"),
            _("Registered by"),
        ],
        (
            [
                c.member.name,
                c.number,
                str(c.numbered_by),
                str(c.stamped_by),
                c.stamped_on,
                c.issued_on,
                str(c.registered_by),
            ]
            for c in ActivityCard.objects.filter(member__in=members)
            .select_related("member", "numbered_by", "stamped_by", "registered_by")
            .order_by("number")
        ),
    )
    _sheet(
        book,
        _("Entries"),
        [
            _("No."),
            _("Member"),
            _("Kind"),
            _("Date"),
            _("Title"),
            _("Details"),
            _("Attendance"),
            _("Amount (yuan)"),
            _("Reward or punishment"),
            _("Appraisal grade"),
            _("Status"),
            _("Corrects No."),
            _("Cancels the entry"),
            _("Entered by"),
            _("Entered at"),
            _("Confirmed at"),
        ],
        (
            [
                e.pk,
                e.member.name,
                e.get_kind_display(),
                e.occurred_on,
                e.title,
                e.details,
                e.get_attendance_status_display(),
                e.dues_amount,
                e.get_merit_display(),
                e.get_appraisal_grade_display(),
                e.get_status_display(),
                e.corrects_id,
                _("Yes") if e.voids else "",
                str(e.created_by) if e.created_by_id else _("From attendance"),
                _when(e.created_at),
                _when(e.confirmed_at),
            ]
            for e in entries.iterator(chunk_size=2000)
        ),
    )
    _sheet(
        book,
        _("History"),
        [_("Entry No."), _("Member"), _("From"), _("To"), _("By"), _("At"), _("Reason"), _("Changes")],
        (
            [
                h.entry_id,
                h.entry.member.name,
                h.from_status,
                h.to_status,
                str(h.actor) if h.actor_id else "",
                _when(h.created_at),
                h.reason,
                "; ".join(
                    f"{k}: {v[0]} → {v[1]}" if isinstance(v, list) else f"{k}: {v}" for k, v in h.changes.items()
                ),
            ]
            for h in RecordEntryChange.objects.filter(entry__in=entries.values("pk"))
            .select_related("entry__member", "actor")
            .order_by("entry_id", "created_at", "id")
            .iterator(chunk_size=2000)
        ),
    )
    _sheet(
        book,
        _("Dues"),
        [
            _("Member"),
            _("First month"),
            _("Months"),
            _("Monthly dues (yuan)"),
            _("Amount paid (yuan)"),
            _("Paid on"),
            _("Note"),
        ],
        (
            [p.member.name, p.first_month.strftime("%Y-%m"), p.months, p.monthly_amount, p.amount, p.paid_on, p.note]
            for p in DuesPayment.objects.filter(member__in=members)
            .select_related("member")
            .order_by("member__name", "first_month")
        ),
    )
    _sheet(
        book,
        _("Democratic appraisal"),
        [_("Member"), _("Year"), _("Grade"), _("Appraised on")],
        (
            [a.member.name, a.year, a.get_grade_display(), a.appraised_on]
            for a in Appraisal.objects.filter(member__in=members)
            .select_related("member")
            .order_by("-year", "member__name")
        ),
    )
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
