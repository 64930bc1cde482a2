"""Monthly party dues by the 2008 rules of the Central Organization Department (SPEC section 8).

Employed members pay on their after-tax regular monthly pay: up to 3000 元 0.5%, above 3000 up to 5000 1%,
above 5000 up to 10000 1.5%, above 10000 2%. Retirees pay on their pension: up to 5000 0.5%, above 1%.
Farmers pay a fixed 0.2–1 元 set by the province (``RECORDS_FARMER_MONTHLY_DUES``, 0.50 by default).
Students, the unemployed and members on 低保 pay 0.2 元. Amounts are rounded half up to the fen.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from members.models import DuesCategory
from orgs.errors import DomainError

CENT = Decimal("0.01")
FARMER_MIN = Decimal("0.20")
FARMER_MAX = Decimal("1.00")
FARMER_DEFAULT = Decimal("0.50")
MINIMUM_FIXED = Decimal("0.20")
BACK_PAYMENT_MONTHS = 6
ARREARS_FLAG_MONTHS = 6

EMPLOYED_BRACKETS = (
    (Decimal("3000"), Decimal("0.005")),
    (Decimal("5000"), Decimal("0.01")),
    (Decimal("10000"), Decimal("0.015")),
    (None, Decimal("0.02")),
)
RETIREE_BRACKETS = (
    (Decimal("5000"), Decimal("0.005")),
    (None, Decimal("0.01")),
)


def farmer_amount() -> Decimal:
    """The province's monthly figure for farmers, checked against the 0.2–1 元 range of the rules."""
    value = Decimal(str(getattr(settings, "RECORDS_FARMER_MONTHLY_DUES", FARMER_DEFAULT))).quantize(CENT)
    if not FARMER_MIN <= value <= FARMER_MAX:
        raise DomainError(_("The farmers' monthly dues must lie between 0.20 and 1.00 yuan."))
    return value


def rate_for(category: str, income: Decimal | None) -> Decimal | None:
    """The percentage rate (as a fraction) for an income-based category, None for a fixed amount."""
    if category == DuesCategory.EMPLOYED:
        brackets = EMPLOYED_BRACKETS
    elif category == DuesCategory.RETIREE:
        brackets = RETIREE_BRACKETS
    else:
        return None
    if income is None:
        raise DomainError(_("Enter the member's monthly income to compute the dues."), field="monthly_income")
    income = Decimal(income)
    if income < 0:
        raise DomainError(_("The monthly income cannot be negative."), field="monthly_income")
    for upper, rate in brackets:
        if upper is None or income <= upper:
            return rate
    raise AssertionError("unreachable: the last bracket has no upper bound")


def monthly_dues(category: str, income: Decimal | None) -> Decimal:
    """The monthly dues in 元 (two decimals) for a dues category and monthly income."""
    if category == DuesCategory.FARMER:
        return farmer_amount()
    if category in (DuesCategory.STUDENT, DuesCategory.UNEMPLOYED, DuesCategory.LOW_INCOME):
        return MINIMUM_FIXED
    rate = rate_for(category, income)
    if rate is None:
        raise DomainError(_("Choose a dues category."), field="dues_category")
    return (Decimal(income) * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> int:
    """How many months from ``first`` to ``last`` (both first days), counting both ends."""
    return (last.year - first.year) * 12 + last.month - first.month + 1
