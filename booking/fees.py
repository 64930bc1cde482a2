"""Lecture fees (讲课费) from the versioned fee standards.

The standard in force on the lecture's date applies:

- 财行〔2013〕523号 pays per half day (after tax, at most): 副高级 1000, 正高级 2000, 院士/全国知名专家 3000 元.
- 财行〔2016〕540号, in force from 2017-01-01, pays per 学时: 500 / 1000 / 1500 元, "讲课费按实际发生的学时
  计算，每半天最多按4学时计算".

Both say "其他人员讲课参照上述标准执行" (others by reference). This project pays ``FeeGrade.OTHER`` (no
senior title) by reference to the lowest tier listed, the 副高级 rate, as its ceiling; a pool admin
raises an instructor's fee grade where a higher reference applies. The rates are data (``FeeRate``),
seeded by the initial migration and editable in the admin site, so a new standard is a new row.

Half days: a lecture's local time is split into morning (before 12:00), afternoon (12:00–18:00) and
evening (from 18:00); each part the lecture touches is one half day. Per-half-day standards pay
``min(half days touched, ⌈class hours / 4⌉)`` half days, so a two-hour lecture across noon is one
half day; per-class-hour standards pay ``min(class hours, cap × half days touched)`` hours.
"""

import itertools
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import FeeRate, FeeStandard

HALF_DAY_BREAKS = (time(12, 0), time(18, 0))
HOURS_PER_HALF_DAY = 4
CENT = Decimal("0.01")


def format_yuan(amount: Decimal | None) -> str:
    """``1,500.00 元``; an em dash when there is no amount."""
    if amount is None:
        return "—"
    return f"{Decimal(amount).quantize(CENT):,.2f} 元"


def half_days_touched(starts_at: datetime, ends_at: datetime) -> int:
    """How many of the day's three parts (morning, afternoon, evening) the lecture touches."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    day = start.date()
    tz = start.tzinfo
    bounds = [datetime.combine(day, t, tz) for t in (time(0), *HALF_DAY_BREAKS)]
    bounds.append(datetime.combine(day + timedelta(days=1), time(0), tz))
    parts = itertools.pairwise(bounds)
    return max(1, sum(1 for lo, hi in parts if start < hi and lo < end))


@dataclass(frozen=True)
class Fee:
    standard: FeeStandard
    grade: str
    rate: Decimal
    units: int
    amount: Decimal

    @property
    def unit_label(self) -> str:
        return _("half day") if self.standard.unit == FeeStandard.Unit.HALF_DAY else _("class hour")

    def explain(self) -> str:
        """``3 学时 × 1,000.00 元 = 3,000.00 元（财行〔2016〕540号）``."""
        return _("%(units)s %(unit)s × %(rate)s = %(amount)s (%(standard)s)") % {
            "units": self.units,
            "unit": self.unit_label,
            "rate": format_yuan(self.rate),
            "amount": format_yuan(self.amount),
            "standard": self.standard.number,
        }


def standard_on(day: date) -> FeeStandard | None:
    """The fee standard in force on ``day`` (the latest one in force from that day or earlier)."""
    return FeeStandard.objects.filter(effective_from__lte=day).order_by("-effective_from").first()


def units_paid(standard: FeeStandard, *, starts_at: datetime, ends_at: datetime, class_hours: int) -> int:
    touched = half_days_touched(starts_at, ends_at)
    if standard.unit == FeeStandard.Unit.HALF_DAY:
        return max(1, min(touched, math.ceil(class_hours / HOURS_PER_HALF_DAY)))
    cap = standard.max_hours_per_half_day
    return class_hours if cap is None else min(class_hours, cap * touched)


def lecture_fee(*, grade: str, starts_at: datetime, ends_at: datetime, class_hours: int) -> Fee | None:
    """The fee of a lecture by an instructor of ``grade``; None when no standard or rate applies."""
    standard = standard_on(timezone.localtime(starts_at).date())
    if standard is None:
        return None
    rate = FeeRate.objects.filter(standard=standard, grade=grade).values_list("amount", flat=True).first()
    if rate is None:
        return None
    units = units_paid(standard, starts_at=starts_at, ends_at=ends_at, class_hours=class_hours)
    return Fee(standard=standard, grade=grade, rate=rate, units=units, amount=(rate * units).quantize(CENT))
