"""Query parameters checked against the published OpenAPI schema (SPEC section 9: 400 for bad input).

Many list endpoints read their query parameters leniently (django-filter ignores a boolean it cannot
read, a repeated parameter silently keeps its last value, hand-written filters drop what they cannot
parse), so a client with a typo got an unfiltered answer instead of an error. This middleware answers
400 with the parameter named, before the view runs, whenever a documented query parameter of the
operation does not fit its documented schema: wrong type, not one of the listed values, out of range,
given twice when it takes one value, or missing when required. Undocumented parameters are left to
the view. The schema is built once per process, on the first API request.
"""

import math
import re
from datetime import date
from functools import lru_cache

from django.http import JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/v1/"
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
INTEGER_RE = re.compile(r"^-?[0-9]+$")
BOOLEANS = {"true": True, "false": False}


@lru_cache(maxsize=1)
def _operations() -> list[tuple[re.Pattern, int, dict[str, list[dict]]]]:
    """(path regex, number of path placeholders, {method: query parameters}) for every API path."""
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for template, item in document.get("paths", {}).items():
        pattern = re.escape(template)
        placeholders = re.findall(r"\\\{[^}]+\\\}", pattern)
        for placeholder in placeholders:
            pattern = pattern.replace(placeholder, "[^/]+")
        by_method = {
            method.upper(): [p for p in operation.get("parameters", []) if p.get("in") == "query"]
            for method, operation in item.items()
            if isinstance(operation, dict)
        }
        operations.append((re.compile(f"^{pattern}$"), len(placeholders), by_method))
    # A literal segment wins over a placeholder: /instructors/recommend/ before /instructors/{id}/.
    operations.sort(key=lambda entry: entry[1])
    return operations


def _parameters_for(path: str, method: str) -> list[dict] | None:
    for pattern, _count, by_method in _operations():
        if pattern.match(path):
            return by_method.get(method)
    return None


def _check_value(raw: str, schema: dict) -> str | None:
    """The problem with one raw value under its schema, or None if it fits."""
    kind = schema.get("type")
    value: object = raw
    if kind == "integer":
        if not (raw.isascii() and INTEGER_RE.match(raw)):
            return _("Give a whole number.")
        value = int(raw)
    elif kind == "number":
        try:
            value = float(raw)
        except ValueError:
            return _("Give a number.")
        if not math.isfinite(value):
            return _("Give a number.")
    elif kind == "boolean":
        if raw not in BOOLEANS:
            return _("Give true or false.")
        value = BOOLEANS[raw]
    elif kind == "string":
        if schema.get("format") == "date":
            try:
                if not DATE_RE.match(raw):
                    raise ValueError(raw)
                date.fromisoformat(raw)
            except ValueError:
                return _("Give a date as YYYY-MM-DD.")
        if "minLength" in schema and len(raw) < schema["minLength"]:
            return _("Too short.")
        if "maxLength" in schema and len(raw) > schema["maxLength"]:
            return _("Too long.")
        if "pattern" in schema and not re.search(schema["pattern"], raw):
            return _("Not in the expected form.")
    if "enum" in schema and value not in schema["enum"]:
        return _("Not one of the allowed values: %(values)s.") % {
            "values": ", ".join(str(v) for v in schema["enum"] if v is not None)
        }
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            return _("At least %(min)s.") % {"min": schema["minimum"]}
        if "maximum" in schema and value > schema["maximum"]:
            return _("At most %(max)s.") % {"max": schema["maximum"]}
    return None


def query_errors(path: str, method: str, query) -> dict[str, list[str]]:
    """Field errors for the documented query parameters of the operation at ``path``."""
    parameters = _parameters_for(path, method)
    if not parameters:
        return {}
    errors: dict[str, list[str]] = {}
    for parameter in parameters:
        name, schema = parameter["name"], parameter.get("schema", {})
        values = query.getlist(name)
        if not values:
            if parameter.get("required"):
                errors[name] = [_("This parameter is required.")]
            continue
        if schema.get("type") == "array":
            problems = [_check_value(v, schema.get("items", {})) for v in values]
        elif len(values) > 1:
            problems = [_("Give this parameter once.")]
        else:
            problems = [_check_value(values[0], schema)]
        problems = [p for p in problems if p]
        if problems:
            errors[name] = problems[:1]
    return errors


class QueryParameterValidationMiddleware:
    """Answers 400 (field errors by parameter) to an API request whose query does not fit the schema."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX) and request.GET:
            errors = query_errors(request.path, request.method, request.GET)
            if errors:
                return JsonResponse(errors, status=400)
        return self.get_response(request)
