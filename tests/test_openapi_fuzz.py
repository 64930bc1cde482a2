"""Schemathesis against the OpenAPI schema, in-process: every operation, positive and negative
cases, as an anonymous caller and as each demo role, on the demo province.

Run with ``pytest -m fuzz`` (SQLite) and with DATABASE_URL set (PostgreSQL); `.ci/run` does both.
Examples per operation: ``FUZZ_EXAMPLES`` (default 100), spread over the roles and rounded up, so each
operation gets at least that many generated examples in total (9 roles x ceil(100 / 9) = 108), unless
its whole input space is smaller (an operation without parameters has one request to send). The
coverage phase's deterministic cases come on top. ``FUZZ_TALLY=<file>`` writes the cases sent per
operation, to check that (one file per xdist worker: ``<file>.gw0``, ...).

Every built-in check runs; two are narrowed, each for a reason of this API's design, and nothing else
is switched off. First ``positive_data_acceptance`` (ST202, a schema-valid
request answered 400): a request can fit the schema and still name an object that does not exist or
is outside one's jurisdiction, or break a rule of the domain (a date in the past, a wrong password,
a state that does not allow it). The schema cannot express those, and SPEC section 9 wants 400 with
field errors for them. So a 400 to a schema-valid request passes only when the server refused it for
such a reason: a domain rule (``orgs.errors.DomainError``, a model's ``clean``) or a validation error
whose codes are all about the data (``does_not_exist``, ``unique``, ``authorization``, or a code the
application chose for a rule), or an import whose uploaded file was refused, as a whole (not an
.xlsx or .csv, empty) or row by row: the schema says "a file"; its name and content are data.
A 400 with a shape code (``required``, ``invalid``, ``max_length``,
``invalid_choice``, ...) means the schema promised something the API refuses, and fails as ST202.

Second ``negative_data_rejection`` (ST201, a schema-violating request accepted): DRF
coerces a JSON scalar to the scalar type of the field (``12`` for a text field is ``"12"``, ``"5"``
for a number field is 5) — the same fields read form-encoded input, where every value is a string —
so a body whose only violation is a scalar of another scalar type, and that the server took, passes.
Every other negative case (a missing field, an object for a number, a value out of range, a wrong
query parameter, ...) must still be refused.
"""

import json
import math
import os
from collections import Counter

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.openapi_support import connection_kept_open, load_schema

pytestmark = pytest.mark.fuzz

ROLES = [
    "anonymous",
    "province_admin",
    "nanjing_admin",
    "jiangning_admin",
    "secretary",
    "secretary2",
    "xuzhou_secretary",
    "instructor",
    "member",
]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
# FUZZ_DERANDOMIZE=1 (what CI sets): the same examples on every run, so a CI run fails for a change, not
# for a draw; without it (``make fuzz``) every run draws new ones and explores further.
DERANDOMIZE = os.environ.get("FUZZ_DERANDOMIZE") == "1"
# Validation codes that a request fitting the schema must never get: the schema describes these.
SHAPE_CODES = {
    "required",
    "null",
    "blank",
    "invalid",
    "incorrect_type",
    "invalid_choice",
    "max_length",
    "min_length",
    "max_value",
    "min_value",
    "max_digits",
    "max_decimal_places",
    "max_whole_digits",
    "not_a_list",
    "not_a_dict",
    "empty",
    "date",
    "datetime",
    "parse_error",
    "unsupported_media_type",
}
CAUGHT: list[Exception] = []
TALLY: Counter = Counter()


@pytest.fixture(scope="module", autouse=True)
def _record_handled_exceptions():
    """Remember the exceptions the API turned into answers during the current request."""
    from rest_framework.views import APIView

    original = APIView.handle_exception

    def recording(self, exc):
        CAUGHT.append(exc)
        return original(self, exc)

    APIView.handle_exception = recording
    yield
    APIView.handle_exception = original
    tally = os.environ.get("FUZZ_TALLY")
    if tally:
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        with open(f"{tally}.{worker}" if worker else tally, "w") as out:
            json.dump(dict(sorted(TALLY.items())), out, ensure_ascii=False, indent=1)


def _codes(detail) -> set[str]:
    if isinstance(detail, dict):
        return set().union(*(_codes(value) for value in detail.values())) if detail else set()
    if isinstance(detail, list):
        return set().union(*(_codes(value) for value in detail)) if detail else set()
    return {str(detail)}


def _refused_for_the_data(exceptions) -> bool:
    from django.core.exceptions import ValidationError as ModelValidationError
    from rest_framework.exceptions import ValidationError

    from orgs.errors import DomainError

    if not exceptions:
        return False
    for exc in exceptions:
        if isinstance(exc, DomainError):
            continue
        if isinstance(exc, ModelValidationError):
            # A model's or a form's own rule; its code tells a rule (none, or the app's) from a shape error.
            errors = [e for group in exc.error_dict.values() for e in group] if hasattr(exc, "error_dict") else []
            if not {e.code for e in errors or exc.error_list} & SHAPE_CODES:
                continue
            return False
        if isinstance(exc, ValidationError) and not _codes(exc.get_codes()) & SHAPE_CODES:
            continue
        return False
    return True


SCALAR_TYPES = {"string", "integer", "number", "boolean"}


def _scalars_at(value, pointer: list[str]) -> bool:
    """Whether every value the schema pointer reaches in the body is a JSON scalar (not null)."""
    if not pointer:
        return isinstance(value, str | int | float)
    head, rest = pointer[0], pointer[1:]
    if head == "properties" and rest:
        return isinstance(value, dict) and rest[0] in value and _scalars_at(value[rest[0]], rest[1:])
    if head == "items":
        return isinstance(value, list) and bool(value) and all(_scalars_at(item, rest) for item in value)
    return False


def _only_scalar_retyping_in_body(case) -> bool:
    """Whether the case's only violation is a body value of one scalar type where another is due."""
    from schemathesis.core.mutations import OperatorKind
    from schemathesis.core.parameters import ParameterLocation
    from schemathesis.generation.meta import CoveragePhaseData, CoverageScenario

    meta = case.meta
    if meta is None:
        return False
    negative = [location for location, component in meta.components.items() if component.mode.is_negative]
    if negative != [ParameterLocation.BODY]:
        return False
    data = meta.phase.data
    if isinstance(data, CoveragePhaseData):
        if data.scenario != CoverageScenario.INCORRECT_TYPE or not isinstance(case.body, dict):
            return False
        # `location` points into the schema: /properties/<name>, /items, ... and ends in /type.
        parts = (data.location or "").strip("/").split("/")
        if len(parts) < 2 or parts[-1] != "type":
            return False
        return _scalars_at(case.body, parts[:-1])
    mutations = getattr(data, "mutations", ())
    return bool(mutations) and all(
        m.operator == OperatorKind.CHANGE_TYPE
        and m.parameter_location == ParameterLocation.BODY
        and m.new_value in SCALAR_TYPES
        and str(m.original_value) in SCALAR_TYPES
        for m in mutations
    )


def negative_data_rejection(ctx, response, case):
    """ST201 as schemathesis defines it, except a scalar the server coerced to the field's type."""
    from schemathesis.core.failures import AcceptedNegativeData
    from schemathesis.specs.openapi.checks import negative_data_rejection as builtin

    try:
        return builtin(ctx, response, case)
    except AcceptedNegativeData:
        if _only_scalar_retyping_in_body(case):
            return None
        raise


def _without_the_upload(exceptions) -> list[Exception]:
    """The exceptions with what they say of the uploaded ``file`` left out (those saying only that, dropped)."""
    from rest_framework.exceptions import ValidationError

    kept = []
    for exc in exceptions:
        if isinstance(exc, ValidationError) and isinstance(exc.detail, dict) and "file" in exc.detail:
            rest = {field: errors for field, errors in exc.detail.items() if field != "file"}
            if not rest:
                continue
            exc = ValidationError(rest)  # the ErrorDetails keep their codes
        kept.append(exc)
    return kept


def _positive_data_acceptance(caught: list[Exception]):
    """ST202 as schemathesis defines it, except a 400 that the server gave for the data itself.
    ``caught``: what the API handled while answering the case itself (not the checks' probes)."""

    def positive_data_acceptance(ctx, response, case):
        meta = case.meta
        if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
            return None
        if _refused_for_the_data(caught):
            return None
        if case.path.endswith("/import/") and (
            set(response.json()) <= {"file", "errors"} or _refused_for_the_data(_without_the_upload(caught))
        ):
            # The uploaded file was refused (empty, its type, its rows): its content, not the request's
            # shape; anything else refused with it was refused for the data.
            return None
        codes = [e.get_codes() if hasattr(e, "get_codes") else type(e).__name__ for e in caught]
        raise AssertionError(
            f"ST202 Schema-valid request rejected with 400 for its shape: {response.text[:500]}\ncodes: {codes}"
        )

    return positive_data_acceptance


@pytest.fixture(scope="module", autouse=True)
def _keep_the_test_connection():
    with connection_kept_open():
        yield


@pytest.fixture(scope="module")
def demo_tokens(django_db_setup, django_db_blocker):
    """The demo province, seeded once for the module, and a token per demo account."""
    from rest_framework.authtoken.models import Token

    from orgs.models import User

    with django_db_blocker.unblock():
        call_command("seed_demo", verbosity=0)
        tokens = {
            user.username: Token.objects.get_or_create(user=user)[0].key
            for user in User.objects.filter(username__in=ROLES)
        }
    yield tokens
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


schema = load_schema()


@schema.parametrize()
@pytest.mark.parametrize("role", ROLES)
@hypothesis_settings(
    max_examples=math.ceil(EXAMPLES / len(ROLES)),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=DERANDOMIZE,
)
def test_api_operation(case, role, demo_tokens, db):
    from schemathesis.specs.openapi import checks

    headers = {} if role == "anonymous" else {"Authorization": f"Token {demo_tokens[role]}"}
    TALLY[case.operation.label] += 1  # the documented operation (method probes of the coverage phase too)
    CAUGHT.clear()
    response = case.call(headers=headers)
    case.validate_response(
        response,
        headers=headers,
        excluded_checks=[checks.positive_data_acceptance, checks.negative_data_rejection],
        additional_checks=[_positive_data_acceptance(list(CAUGHT)), negative_data_rejection],
    )
