"""The day a rule gives, moved off holidays by the Chinese calendar; a missing year is named, not guessed."""

from datetime import date

import pytest

from activity import services
from activity.models import DayRule
from activity.workdays import CalendarMissing, Workdays, nearest_workday, nominal_date, rule_date
from tests.members import factories as mf

pytestmark = pytest.mark.django_db


def _rule(**kwargs) -> DayRule:
    kwargs.setdefault("on_tie", DayRule.Tie.LATER)
    return DayRule(**kwargs)


def _dates(rule: DayRule, year: int) -> list[date | None]:
    workdays = Workdays()
    return [rule_date(rule, date(year, m, 1), workdays).date for m in range(1, 13)]


def test_first_of_the_month_in_2026_moves_off_holidays_and_weekends_within_the_month():
    dates = _dates(_rule(kind="day_of_month", day=1), 2026)

    assert dates == [
        date(2026, 1, 4),  # 元旦 1–3 January; Sunday the 4th is a make-up workday
        date(2026, 2, 2),  # Sunday
        date(2026, 3, 2),  # Sunday
        date(2026, 4, 1),
        date(2026, 5, 6),  # 劳动节 1–5 May
        date(2026, 6, 1),
        date(2026, 7, 1),
        date(2026, 8, 3),  # Saturday: Monday is nearer than Friday the 31st of July, which is outside the month
        date(2026, 9, 1),
        date(2026, 10, 8),  # 国庆节 1–7 October: the first working day after it, still in October
        date(2026, 11, 2),  # Sunday
        date(2026, 12, 1),
    ]


def test_october_2026_names_the_national_day_holiday():
    moved = rule_date(_rule(kind="day_of_month", day=1), date(2026, 10, 1), Workdays())

    assert (moved.nominal, moved.date, moved.shifted, moved.holiday) == (
        date(2026, 10, 1),
        date(2026, 10, 8),
        True,
        "国庆节",
    )


def test_first_friday_rule_gives_the_first_friday_unless_it_is_a_holiday():
    dates = _dates(_rule(kind="weekday", week=1, weekday=4), 2026)

    assert dates[1:4] == [date(2026, 2, 6), date(2026, 3, 6), date(2026, 4, 3)]
    assert dates[9] == date(2026, 10, 8)  # Friday 2 October falls in the holiday


def test_last_weekday_and_day_31_in_a_short_month():
    workdays = Workdays()
    last_friday = _rule(kind="weekday", week=-1, weekday=4)
    day_31 = _rule(kind="day_of_month", day=31)

    assert nominal_date(last_friday, 2026, 4) == date(2026, 4, 24)
    assert nominal_date(day_31, 2026, 4) == date(2026, 4, 30)
    # Saturday 28 February 2026 is a make-up workday of the Spring Festival: the day stays.
    assert rule_date(day_31, date(2026, 2, 1), workdays).date == date(2026, 2, 28)
    assert rule_date(day_31, date(2026, 1, 1), workdays).date == date(2026, 1, 30)  # Saturday the 31st


def test_a_tie_goes_to_the_later_or_the_earlier_day_as_the_rule_says():
    # 清明节 2026 is Saturday 4 to Monday 6 April: from Sunday the 5th, Friday the 3rd and Tuesday the 7th are
    # both two days away. A Saturday is nearer to its Friday, a Sunday to its Monday.
    workdays = Workdays()

    assert nearest_workday(date(2026, 4, 5), workdays, prefer_later=True) == date(2026, 4, 7)
    assert nearest_workday(date(2026, 4, 5), workdays, prefer_later=False) == date(2026, 4, 3)
    assert nearest_workday(date(2026, 11, 14), workdays, prefer_later=True) == date(2026, 11, 13)
    assert nearest_workday(date(2026, 11, 15), workdays, prefer_later=False) == date(2026, 11, 16)


def test_a_year_without_a_calendar_is_missing_not_guessed():
    rule = _rule(kind="day_of_month", day=10)

    result = rule_date(rule, date(2027, 3, 1), Workdays())

    assert (result.date, result.missing_year, result.nominal) == (None, 2027, date(2027, 3, 10))
    with pytest.raises(CalendarMissing) as raised:
        Workdays().is_workday(date(2027, 3, 10))
    assert raised.value.year == 2027


def test_an_entered_year_is_used_and_takes_precedence_over_the_package(world):
    services.calendar_year_save(
        actor=mf.superuser(),
        year=2027,
        holidays=[(date(2027, 10, d), "国庆节") for d in range(1, 8)],
        workdays=[(date(2027, 10, 9), "国庆节调休")],
    )
    services.calendar_year_save(
        actor=mf.superuser(), year=2026, holidays=[(date(2026, 12, 1), "测试假日")], workdays=[]
    )
    rule = _rule(kind="day_of_month", day=1)
    workdays = Workdays()

    assert rule_date(rule, date(2027, 10, 1), workdays).date == date(2027, 10, 8)
    assert workdays.is_workday(date(2027, 10, 9)) is True  # a Saturday made a workday
    assert rule_date(rule, date(2027, 3, 1), workdays).date == date(2027, 3, 1)
    # 2026 was entered too: the entered table wins over the package (1 December made a holiday).
    assert rule_date(rule, date(2026, 12, 1), workdays).date == date(2026, 12, 2)
    # …and the package's own holidays of 2026 are no longer known: only what was entered counts.
    assert workdays.is_workday(date(2026, 10, 8)) is True
