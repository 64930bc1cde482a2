"""Personal information at rest: encrypted fields, keyed hashes for lookup, and masking for display.

Keys come from the environment, never from the database: ``FIELD_ENCRYPTION_KEYS`` (comma-separated
Fernet keys, newest first, so old keys can be rotated out) and ``FIELD_HASH_KEY`` (the HMAC key for
lookup hashes). Development and test settings carry fixed keys; production has none by default.
"""

import base64
import hashlib
import hmac
import re
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

_PREFIX = "enc1:"


@cache
def _fernet() -> MultiFernet:
    keys = [k.strip() for k in settings.FIELD_ENCRYPTION_KEYS if k.strip()]
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: personal data cannot be stored.")
    return MultiFernet([Fernet(k.encode()) for k in keys])


def encrypt(value: str) -> str:
    return _PREFIX + _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token.startswith(_PREFIX):
        raise ValueError("not an encrypted value")
    try:
        return _fernet().decrypt(token[len(_PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured("A stored value cannot be decrypted with FIELD_ENCRYPTION_KEYS.") from exc


def normalize(value: str) -> str:
    """The canonical form hashed for lookups: no spaces, upper-case X in ID numbers."""
    return re.sub(r"\s+", "", value or "").upper()


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of the normalized value: equal inputs match, the value cannot be read back.

    Base64 rather than hex: a hex digest holds long runs of decimal digits, which a scan of a
    database dump for ID or phone numbers would report as leaks.
    """
    key = settings.FIELD_HASH_KEY.encode()
    digest = hmac.new(key, normalize(value).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class EncryptedCharField(models.TextField):
    """A text value stored encrypted (Fernet); reads give the plain value, the database never has it.

    It cannot be filtered on: store a ``keyed_hash`` beside it for lookups and uniqueness.
    """

    description = "Encrypted text"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))


def mask_phone(value: str | None) -> str:
    """138****5678"""
    value = normalize(value or "")
    if len(value) < 7:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def mask_id_number(value: str | None) -> str:
    """3201**********1234"""
    value = normalize(value or "")
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"
