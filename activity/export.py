"""Supervision as an .xlsx workbook: the figures by organization and month, and the lists behind them."""

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .selectors import Figures, SupervisionReport


def _pct(value: float | None):
    return round(value * 100, 1) if value is not None else None


def _figure_header() -> list[str]:
    return [
        _("Branches"),
        _("Branch-months"),
        _("Days held"),
        _("Days not held"),
        _("Coverage (%)"),
        _("Members expected"),
        _("Present"),
        _("Excused"),
        _("Absent without reason"),
        _("Attendance rate (%)"),
        _("Reports on time"),
        _("Reports late"),
        _("Reports missing"),
        _("Open questions"),
        _("Overdue questions"),
        _("Absent 3 times in a row"),
        _("Excellent cases"),
    ]


def _figure_row(f: Figures) -> list:
    return [
        f.units,
        f.branch_months,
        f.held,
        f.not_held,
        _pct(f.coverage),
        f.expected,
        f.present,
        f.excused,
        f.absent,
        _pct(f.attendance_rate),
        f.reports_on_time,
        f.reports_late,
        f.reports_missing,
        f.open_questions,
        f.overdue_questions,
        f.streak_members,
        f.cases,
    ]


def _sheet(book: Workbook, title: str, header: list[str], rows) -> None:
    sheet = book.create_sheet(title[:31])
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for column, name in zip(sheet.columns, header, strict=False):
        sheet.column_dimensions[column[0].column_letter].width = max(10, min(40, len(str(name)) * 2 + 2))


def supervision_workbook(report: SupervisionReport) -> bytes:
    book = Workbook()
    book.remove(book.active)
    header = _figure_header()
    _sheet(
        book,
        _("By organization"),
        [_("Organization"), *header],
        [[report.org.full_name, *_figure_row(report.totals)]]
        + [[row.org.full_name, *_figure_row(row.figures)] for row in report.children],
    )
    _sheet(
        book,
        _("By month"),
        [_("Month"), *header],
        [[f"{m:%Y-%m}", *_figure_row(f)] for m, f in report.by_month],
    )
    _sheet(
        book,
        _("Days not held"),
        [_("Branch"), _("Days held"), _("Days not held")],
        [[r["name"], r["held"], r["missed"]] for r in report.not_held],
    )
    _sheet(
        book,
        _("Absent 3 times in a row"),
        [_("Name"), _("Branch"), _("Absences in a row"), _("Last activity")],
        [[r["member__name"], r["activity__branch__full_name"], r["streak"], r["last"]] for r in report.streaks],
    )
    _sheet(
        book,
        _("Overdue questions"),
        [_("Branch"), _("Asker"), _("Question"), _("Answer due"), _("Status")],
        [[q.branch.full_name, q.asker_name, q.text, q.due_on, q.get_status_display()] for q in report.overdue],
    )
    _sheet(
        book,
        _("Leading cadres"),
        [_("Name"), _("Branch"), _("Activities expected"), _("Present"), _("Party lecture given this year")],
        [
            [r["name"], r["branch"], r["expected"], r["present"], _("yes") if r["gave_lecture"] else _("no")]
            for r in report.cadre_attendance
        ],
    )
    _sheet(
        book,
        _("No lecture by the secretary"),
        [_("Branch")],
        [[r["name"]] for r in report.secretaries_without_lecture],
    )
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def filename(report: SupervisionReport) -> str:
    period = f"{report.month:%Y-%m}" if report.month else str(report.year)
    return f"activity-supervision-{report.org.pk}-{period}.xlsx"
