"""Working days by the Chinese calendar, and the dates a day rule gives.

A year's calendar comes from the table admins enter (``HolidayCalendar``) when they entered it — it takes
precedence — or else from the ``chinese_calendar`` package (2004–2026). A year with neither is missing:
``CalendarMissing`` is raised and the pages say so, rather than guessing from weekends alone.
"""

import calendar as stdlib_calendar
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
from django.utils.translation import gettext as _

from orgs.errors import DomainError

from .models import CalendarDay, DayRule, HolidayCalendar


class CalendarMissing(DomainError):
    """No holiday calendar for a year: neither entered by an admin nor in the package."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            _(
                "The holiday calendar for %(year)s has not been entered yet, so the activity day of that year "
                "cannot be worked out. An administrator enters it once the State Council publishes it."
            )
            % {"year": year},
            code="calendar_missing",
        )


@dataclass(frozen=True)
class YearCalendar:
    year: int
    source: str  # "entered" or "package"
    holidays: dict[date, str]
    workdays: frozenset[date]

    def is_workday(self, day: date) -> bool:
        if self.source == "package":
            return chinese_calendar.is_workday(day)
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def holiday_name(self, day: date) -> str:
        if self.source == "package":
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            return HOLIDAY_NAMES.get(name, name or "") if on_holiday else ""
        return self.holidays.get(day, "")


# The package names holidays in English; pages show them in Chinese.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class Workdays:
    """Working days, loading each year once for the lifetime of this object (one request or task)."""

    def __init__(self):
        self._years: dict[int, YearCalendar | None] = {}

    def year(self, year: int) -> YearCalendar:
        if year not in self._years:
            self._years[year] = self._load(year)
        found = self._years[year]
        if found is None:
            raise CalendarMissing(year)
        return found

    def has_year(self, year: int) -> bool:
        try:
            self.year(year)
        except CalendarMissing:
            return False
        return True

    @staticmethod
    def _load(year: int) -> YearCalendar | None:
        entered = HolidayCalendar.objects.filter(year=year).first()
        if entered is not None:
            days = list(CalendarDay.objects.filter(calendar=entered).values_list("day", "kind", "name"))
            return YearCalendar(
                year=year,
                source="entered",
                holidays={d: name for d, kind, name in days if kind == CalendarDay.Kind.HOLIDAY},
                workdays=frozenset(d for d, kind, _n in days if kind == CalendarDay.Kind.WORKDAY),
            )
        if package_covers(year):
            return YearCalendar(year=year, source="package", holidays={}, workdays=frozenset())
        return None

    def is_workday(self, day: date) -> bool:
        return self.year(day.year).is_workday(day)


# --- day rules ----------------------------------------------------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return day.replace(day=stdlib_calendar.monthrange(day.year, day.month)[1])


def next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def previous_month(day: date) -> date:
    return month_start(month_start(day) - timedelta(days=1))


def nominal_date(rule: DayRule, year: int, month: int) -> date:
    """The day the rule names, before holidays: "每月 31 日" is the last day of a shorter month."""
    last = stdlib_calendar.monthrange(year, month)[1]
    if rule.kind == DayRule.Kind.DAY_OF_MONTH:
        return date(year, month, min(rule.day, last))
    if rule.week == DayRule.Week.LAST:
        day = date(year, month, last)
        return day - timedelta(days=(day.weekday() - rule.weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(rule.weekday - first.weekday()) % 7 + 7 * (rule.week - 1))


def nearest_workday(day: date, workdays: Workdays, *, prefer_later: bool = True) -> date:
    """The working day nearest to ``day`` inside its month (``day`` itself when it is one).

    Two days equally near: the later one (顺延) or, with ``prefer_later=False``, the earlier (前移).
    """
    first, last = month_start(day), month_end(day)
    for distance in range((last - first).days + 1):
        steps = (distance, -distance) if prefer_later else (-distance, distance)
        for step in steps:
            candidate = day + timedelta(days=step)
            if first <= candidate <= last and workdays.is_workday(candidate):
                return candidate
    raise DomainError(_("The month has no working day."))


@dataclass(frozen=True)
class RuleDate:
    """What a rule gives for one month: the named day, the day held, and why they differ."""

    month: date
    nominal: date
    date: date | None  # None when the year's calendar is missing
    holiday: str = ""
    missing_year: int | None = None

    @property
    def shifted(self) -> bool:
        return self.date is not None and self.date != self.nominal


def rule_date(rule: DayRule, month: date, workdays: Workdays) -> RuleDate:
    nominal = nominal_date(rule, month.year, month.month)
    try:
        actual = nearest_workday(nominal, workdays, prefer_later=rule.on_tie == DayRule.Tie.LATER)
    except CalendarMissing as exc:
        return RuleDate(month=month_start(month), nominal=nominal, date=None, missing_year=exc.year)
    holiday = workdays.year(nominal.year).holiday_name(nominal) if actual != nominal else ""
    return RuleDate(month=month_start(month), nominal=nominal, date=actual, holiday=holiday)
