"""Lecture fees: the versioned standards seeded by the migration, chosen by the lecture's date."""

from datetime import date
from decimal import Decimal

import pytest

from booking.fees import format_yuan, half_days_touched, lecture_fee, standard_on
from booking.models import FeeRate, FeeStandard
from booking.services import booking_accept, booking_create
from pool.models import FeeGrade
from tests.booking.factories import at, request_lecture, weekday_after

pytestmark = pytest.mark.django_db


def test_both_standards_are_seeded_with_every_grade():
    rates = {(r.standard.number, r.grade): r.amount for r in FeeRate.objects.select_related("standard")}

    assert list(FeeStandard.objects.order_by("effective_from").values_list("number", "unit", "effective_from")) == [
        ("财行〔2013〕523号", "half_day", date(2014, 1, 1)),
        ("财行〔2016〕540号", "class_hour", date(2017, 1, 1)),
    ]
    assert rates == {
        ("财行〔2013〕523号", "associate_senior"): Decimal("1000.00"),
        ("财行〔2013〕523号", "full_senior"): Decimal("2000.00"),
        ("财行〔2013〕523号", "academician"): Decimal("3000.00"),
        ("财行〔2013〕523号", "other"): Decimal("1000.00"),
        ("财行〔2016〕540号", "associate_senior"): Decimal("500.00"),
        ("财行〔2016〕540号", "full_senior"): Decimal("1000.00"),
        ("财行〔2016〕540号", "academician"): Decimal("1500.00"),
        ("财行〔2016〕540号", "other"): Decimal("500.00"),
    }


def test_the_standard_in_force_changes_on_new_years_day_2017():
    assert standard_on(date(2016, 12, 31)).number == "财行〔2013〕523号"
    assert standard_on(date(2017, 1, 1)).number == "财行〔2016〕540号"
    assert standard_on(date(2013, 6, 1)) is None


def test_three_class_hours_in_2026_by_a_full_senior_follow_the_2016_standard():
    fee = lecture_fee(
        grade=FeeGrade.FULL_SENIOR,
        starts_at=at(date(2026, 5, 12), 9),
        ends_at=at(date(2026, 5, 12), 11, 30),
        class_hours=3,
    )

    assert (fee.standard.number, fee.rate, fee.units, fee.amount) == (
        "财行〔2016〕540号",
        Decimal("1000.00"),
        3,
        Decimal("3000.00"),
    )
    assert fee.explain() == "3 学时 × 1,000.00 元 = 3,000.00 元（财行〔2016〕540号）"


def test_the_same_lecture_in_2016_follows_the_2013_standard_per_half_day():
    fee = lecture_fee(
        grade=FeeGrade.FULL_SENIOR,
        starts_at=at(date(2016, 5, 12), 9),
        ends_at=at(date(2016, 5, 12), 11, 30),
        class_hours=3,
    )

    assert (fee.standard.number, fee.units, fee.amount) == ("财行〔2013〕523号", 1, Decimal("2000.00"))


def test_at_most_four_class_hours_count_per_half_day():
    day = date(2026, 5, 12)
    morning = lecture_fee(grade=FeeGrade.ACADEMICIAN, starts_at=at(day, 8), ends_at=at(day, 12), class_hours=6)
    whole_day = lecture_fee(grade=FeeGrade.ACADEMICIAN, starts_at=at(day, 8), ends_at=at(day, 17), class_hours=8)

    assert (morning.units, morning.amount) == (4, Decimal("6000.00"))
    assert (whole_day.units, whole_day.amount) == (8, Decimal("12000.00"))


def test_a_short_lecture_across_noon_is_one_half_day_in_2016_and_a_day_lecture_two():
    day = date(2016, 3, 8)
    across_noon = lecture_fee(
        grade=FeeGrade.ASSOCIATE_SENIOR, starts_at=at(day, 11), ends_at=at(day, 13), class_hours=2
    )
    whole_day = lecture_fee(grade=FeeGrade.ASSOCIATE_SENIOR, starts_at=at(day, 9), ends_at=at(day, 17), class_hours=7)

    assert (across_noon.units, across_noon.amount) == (1, Decimal("1000.00"))
    assert (whole_day.units, whole_day.amount) == (2, Decimal("2000.00"))


def test_others_are_paid_by_reference_at_the_associate_senior_rate():
    day = date(2026, 5, 12)
    fee = lecture_fee(grade=FeeGrade.OTHER, starts_at=at(day, 14), ends_at=at(day, 16), class_hours=2)

    assert fee.amount == Decimal("1000.00")


def test_half_days_are_morning_afternoon_and_evening():
    day = date(2026, 5, 12)

    assert [
        half_days_touched(at(day, 9), at(day, 11)),
        half_days_touched(at(day, 11), at(day, 14)),
        half_days_touched(at(day, 9), at(day, 20)),
        half_days_touched(at(day, 19), at(day, 21)),
    ] == [1, 2, 3, 1]


def test_money_reads_in_yuan_with_two_decimals():
    assert [format_yuan(Decimal("1500")), format_yuan(Decimal("12000.5")), format_yuan(None)] == [
        "1,500.00 元",
        "12,000.50 元",
        "—",
    ]


def test_the_request_carries_the_fee_of_the_instructors_grade(world, teacher, secretary):
    booking = request_lecture(secretary, world.branch, teacher, class_hours=2)

    assert (booking.fee_standard.number, booking.fee_units, booking.fee_rate, booking.fee_amount) == (
        "财行〔2016〕540号",
        2,
        Decimal("1000.00"),
        Decimal("2000.00"),
    )


def test_a_lecture_recorded_for_2016_is_paid_by_the_2013_standard(world, teacher):
    booking = booking_create(
        actor=None,
        branch=world.branch,
        instructor=teacher,
        topic="两学一做",
        starts_at=at(date(2016, 6, 14), 9),
        ends_at=at(date(2016, 6, 14), 11, 30),
        class_hours=3,
        place="会议室",
        audience_size=30,
    )
    booking = booking_accept(booking=booking, actor=None)

    assert (booking.fee_standard.number, booking.fee_amount) == ("财行〔2013〕523号", Decimal("2000.00"))


def test_an_open_request_has_no_fee_until_an_instructor_is_picked(world, secretary):
    booking = request_lecture(secretary, world.branch, None, day=weekday_after(9))

    assert (booking.fee_standard, booking.fee_amount) == (None, None)
