"""Domain errors shared by every app. The API maps them to HTTP status codes (see api_base)."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule of the domain refused the request; the message is shown to the user."""

    default_message = _("The request breaks a rule of the system.")

    def __init__(self, message=None, *, field: str | None = None, code: str = "invalid"):
        self.message = message or self.default_message
        self.field = field
        self.code = code
        super().__init__(str(self.message))


class ConflictError(DomainError):
    """The request conflicts with the current state (HTTP 409)."""

    default_message = _("The request conflicts with the current state.")

    def __init__(self, message=None, *, field=None, code="conflict"):
        super().__init__(message, field=field, code=code)


class InvalidTransition(ConflictError):
    """A state machine was asked for a move its transition table does not allow."""

    def __init__(self, *, model_label: str, from_status: str, to_status: str, message=None):
        self.from_status = from_status
        self.to_status = to_status
        super().__init__(
            message
            or _("%(model)s cannot move from “%(from)s” to “%(to)s”.")
            % {"model": model_label, "from": from_status, "to": to_status},
            code="invalid_transition",
        )
