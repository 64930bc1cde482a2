"""OpenAPI post-processing: the error answers every operation can give (SPEC section 9), and the
request formats the API documents.

drf-spectacular documents the success answers; `add_error_responses` adds 400 (field errors), 401 (no
or a bad token), 403/404 (outside one's jurisdiction), 409 (a state or schedule conflict), 429 (too
many attempts) and, where a body is read, 415 (a media type it does not read) to each operation, so that
a client — and the contract tests — know them.

`document_json_requests` documents JSON request bodies only. The form parsers stay on for convenience
(a flat partial update from a form), but form encoding cannot say ``null``, a list or a nested object,
so documenting the JSON schemas under form media types promised what the API cannot read. Uploads
(multipart only) keep their media type. It also documents times (``HH:MM[:SS]``) by a pattern: the
``time`` format means an RFC 3339 time with an offset, which the API neither sends nor needs. And a
required text input (``minLength`` 1) must hold a non-blank character: DRF trims text before checking it.
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension

ERROR = {
    "type": "object",
    "description": "An error: `detail` (and `code`) for the whole request.",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": "Bad input: each field named with its messages, or `detail` / `non_field_errors`.",
    "additionalProperties": True,
}
ERROR_RESPONSES = {
    "400": ("Bad input: the fields and what is wrong with them.", "FieldErrors"),
    "401": ("No credentials, or credentials that are not valid.", "Error"),
    "403": ("Not allowed for this user or outside its jurisdiction.", "Error"),
    "404": ("Not found, or not visible to this user.", "Error"),
    "409": ("Conflicts with the current state or the schedule.", "Error"),
    "429": ("Too many attempts; try again later.", "Error"),
}
METHODS = ("get", "post", "put", "patch", "delete")


def add_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("FieldErrors", FIELD_ERRORS)
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            errors = dict(ERROR_RESPONSES)
            if "requestBody" in operation:
                errors["415"] = ("The body is in a media type this operation does not read.", "Error")
            for status, (description, schema) in errors.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
                    },
                )
    return result


FORM_MEDIA_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"


def _local_times(node):
    if isinstance(node, dict):
        if node.get("type") == "string" and node.get("format") == "time":
            del node["format"]
            node["pattern"] = TIME_PATTERN
            node.setdefault("example", "09:00:00")
        for value in node.values():
            _local_times(value)
    elif isinstance(node, list):
        for value in node:
            _local_times(value)


# A character that Python's str.strip() keeps, which is what DRF trims by: not ECMA's ``\S``, which
# counts the separators U+001C-U+001F and U+0085 as text (DRF strips them) and U+FEFF as blank (DRF keeps it).
NON_BLANK = r"[^\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"


def _not_only_blanks(node):
    """Text inputs that must not be blank: DRF strips them first, so spaces alone are refused too."""
    if isinstance(node, dict):
        if (
            node.get("type") == "string"
            and node.get("minLength", 0) >= 1
            and not {"pattern", "format", "enum"} & node.keys()
            and not node.get("readOnly")
        ):
            node["pattern"] = NON_BLANK
        for value in node.values():
            _not_only_blanks(value)
    elif isinstance(node, list):
        for value in node:
            _not_only_blanks(value)


def _decimals_with_a_digit(node):
    """DRF refuses an empty decimal; spectacular's pattern (``\\d{0,N}``) lets one through."""
    if isinstance(node, dict):
        if node.get("format") == "decimal" and "pattern" in node and not node.get("readOnly"):
            node["pattern"] = node["pattern"].replace(r"^-?\d{0,", r"^-?\d{1,").replace(r"^\d{0,", r"^\d{1,")
            node["pattern"] = node["pattern"].replace(r"(?:\.\d{0,", r"(?:\.\d{1,")
        for value in node.values():
            _decimals_with_a_digit(value)
    elif isinstance(node, list):
        for value in node:
            _decimals_with_a_digit(value)


class AmountFieldExtension(OpenApiSerializerFieldExtension):
    """``orgs.api_base.AmountField`` is never negative: its pattern has no sign."""

    target_class = "orgs.api_base.AmountField"

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if "pattern" in schema:
            schema["pattern"] = schema["pattern"].replace("^-?", "^")
        return schema


def document_json_requests(result, generator, request, public):
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                for media_type in FORM_MEDIA_TYPES:
                    content.pop(media_type, None)
    _local_times(result)
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):
            _not_only_blanks(component)
            _decimals_with_a_digit(component)
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method in METHODS:
                _not_only_blanks(operation.get("parameters", []))
                _not_only_blanks(operation.get("requestBody", {}))
    return result
