"""Checks of resident ID numbers (GB 11643-1999) and mainland mobile numbers."""

import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from orgs.crypto import normalize
from orgs.errors import DomainError

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: date
    gender: str  # "male" | "female"


def id_check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def parse_id_number(raw: str, *, field: str = "id_number") -> IdNumber:
    """The normalized 18-character ID number with the birth date and gender it encodes."""
    value = normalize(str(raw or ""))
    if not value:
        raise DomainError(_("The ID number is required."), field=field)
    if not _ID_RE.match(value):
        raise DomainError(_("An ID number has 18 characters: 17 digits and a digit or X."), field=field)
    if id_check_digit(value[:17]) != value[17]:
        raise DomainError(_("The ID number's check digit is wrong."), field=field)
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as exc:
        raise DomainError(_("The ID number holds no valid birth date."), field=field) from exc
    if born.year < 1900 or born > date.today():
        raise DomainError(_("The ID number holds no valid birth date."), field=field)
    return IdNumber(value=value, birth_date=born, gender="male" if int(value[16]) % 2 else "female")


def clean_phone(raw: str, *, field: str = "phone") -> str:
    """A mainland mobile number (11 digits starting 13–19), or "" when none is given."""
    value = normalize(str(raw or "")).removeprefix("+86")
    if not value:
        return ""
    if not _PHONE_RE.match(value):
        raise DomainError(_("A mobile number has 11 digits and starts with 13 to 19."), field=field)
    return value


def make_id_number(area: str, born: date, serial: int, *, male: bool) -> str:
    """A well-formed ID number (for demo data and tests): area code, birth date, serial, check digit."""
    serial = serial % 500 * 2 + (1 if male else 0)
    first17 = f"{area[:6]:0<6}{born:%Y%m%d}{serial:03d}"
    return first17 + id_check_digit(first17)
