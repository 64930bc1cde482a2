"""The API's shared conventions (SPEC section 9): pagination and the mapping of errors to statuses.

400 with field errors for bad input, 401 without credentials, 403/404 outside one's jurisdiction,
409 for a state or schedule conflict, and never a 500 for anything a client can send.
"""

import logging

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.fields import empty
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import ConflictError, DomainError
from .models import Role
from .selectors import jurisdiction_of

logger = logging.getLogger(__name__)


class Pagination(PageNumberPagination):
    """Page-number pagination that refuses a malformed ``page_size`` instead of ignoring it."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.getlist(self.page_size_query_param)
        if not raw:
            return self.page_size
        value = raw[-1]
        if len(raw) > 1 or not value.isdigit() or not 1 <= int(value) <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Give a whole number from 1 to %(max)s.") % {"max": self.max_page_size}
                    ]
                }
            )
        return int(value)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
            if parameter["name"] == self.page_query_param:
                parameter["schema"].update({"minimum": 1})
        return parameters


#: For an ``@action`` that answers with the whole (small) list of something of one object, not a page:
#: ``@action(detail=True, methods=["get"], **WHOLE_LIST)``. The schema then says a plain array, without
#: the viewset's page and filter parameters, and looking the object up ignores those filters.
WHOLE_LIST = {"pagination_class": None, "filter_backends": []}


def require(allowed: bool) -> None:
    """Refuse the caller as a person (403) before the body is read: someone who may not act here learns
    nothing of the input the action takes, and hears "not yours" rather than "bad input"."""
    if not allowed:
        raise PermissionDenied


def is_staff(user) -> bool:
    """An org admin or a branch secretary somewhere (or a superuser): who keeps records for a branch."""
    j = jurisdiction_of(user)
    return j.has_role(Role.ORG_ADMIN) or j.has_role(Role.SECRETARY)


def is_org_admin(user) -> bool:
    return jurisdiction_of(user).has_role(Role.ORG_ADMIN)


def is_secretary(user) -> bool:
    return jurisdiction_of(user).has_role(Role.SECRETARY)


def domain_error_response(exc: DomainError) -> Response:
    if isinstance(exc, ConflictError):
        return Response({"detail": str(exc.message), "code": exc.code}, status=status.HTTP_409_CONFLICT)
    if exc.field:
        return Response({exc.field: [str(exc.message)]}, status=status.HTTP_400_BAD_REQUEST)
    return Response({"detail": str(exc.message), "code": exc.code}, status=status.HTTP_400_BAD_REQUEST)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return domain_error_response(exc)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = ValidationError(detail)
    elif isinstance(exc, ObjectDoesNotExist):
        return Response({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
    elif isinstance(exc, IntegrityError):
        # A uniqueness or exclusion constraint refused the write: the client raced another write.
        logger.info("integrity error answered with 409: %s", exc.__class__.__name__)
        return Response(
            {"detail": _("The request conflicts with data saved in the meantime."), "code": "conflict"},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)


class DecimalField(serializers.DecimalField):
    """A decimal input that refuses a blank string. DRF reads ``""`` (or spaces) as null when the field
    allows null; the schema documents a decimal string or ``null``, and a blank would pass for "none"
    unseen (a points rule's ``points: ""`` removed the rule). A form's empty input still means null: DRF
    turns it into None before validation (``Field.get_value``)."""

    def validate_empty_values(self, data):
        if isinstance(data, str) and not data.strip():
            self.fail("invalid")
        return super().validate_empty_values(data)


class PrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An object's id that refuses a blank string. DRF reads ``""`` as null for a related field, so
    ``"activity": ""`` passed for "no activity" although the schema documents an integer or ``null``. A
    form's empty input still means null: DRF turns it into None before validation (``Field.get_value``)."""

    def run_validation(self, data=empty):
        if isinstance(data, str) and not data.strip():
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().run_validation(data)


class AmountField(DecimalField):
    """A sum of money or of points that is never negative (documented without a sign, orgs.schema)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)
