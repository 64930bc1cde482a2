"""OpenAPI post-processing: the error answers every operation can give (SPEC section 9).

drf-spectacular documents the success answers; this hook adds 400 (field errors), 401 (no or a bad
token), 403/404 (outside one's jurisdiction), 409 (a state or schedule conflict) and 429 (too many
attempts) to each operation, so that a client — and the contract tests — know them.
"""

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
            for status, (description, schema) in ERROR_RESPONSES.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
                    },
                )
    return result
