"""Password validators whose messages the project translates.

Django 5.2 reworded the minimum-length message and its zh_Hans catalog has not caught up, so the
refusal came out in English; this validator carries the message in the project's own catalog.
"""

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short: it needs at least %(min_length)d character.",
            "This password is too short: it needs at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
