"""The OpenAPI document at /openapi.json (shown at /docs), made complete:

- routes that read their body with `bodies.document` declare it by reference (`request_body`);
  the referenced contract models are put into the document's components, and nothing refers
  to a schema the document does not contain;
- every error has one shape, `Error` (`{"detail": "<one line>", "field": "<path or null>"}`),
  and every operation lists the statuses it can answer: 422 (bad input), 413 and 415 (a body
  too large, or neither JSON nor YAML), 503 (over the time budget), 404 where a path names a
  record, 401 and 403 on staff routes, 429 on sign-in;
- staff routes carry the `staffSession` security scheme (the session cookie) and, for writes,
  `csrfToken` (the X-CSRF-Token header);
- money is documented as it is sent: a JSON number with two decimals, never a string;
- a created case links to reading, revising it and recording its events.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

REF = "#/components/schemas/{model}"
ERROR_REF = {"$ref": "#/components/schemas/Error"}
ERROR_SCHEMA = {
    "type": "object",
    "title": "Error",
    "description": "Every error answer: one line to show as it is, and the field it is about.",
    "properties": {
        "detail": {"type": "string", "description": "One line: where, what, what is allowed."},
        "field": {"anyOf": [{"type": "string"}, {"type": "null"}]},
    },
    "required": ["detail", "field"],
}
ERRORS = {
    "401": "Not signed in as staff (sign in with POST /api/v1/session).",
    "403": "The role does not allow this, or the CSRF token is missing or wrong.",
    "404": "No such record, or one another clinic holds.",
    "413": "The body is larger than the limit.",
    "415": "The body is neither JSON nor YAML.",
    "422": "Input that cannot be used; the line names the field, the value and the limit.",
    "429": "Too many failed sign-ins from here; wait Retry-After seconds.",
    "503": "Over the time budget, or too busy; try again after Retry-After seconds.",
}
WRITES = frozenset({"post", "put", "patch", "delete"})
# Pydantic documents a Decimal it serialises as a string; the API sends money as JSON numbers.
DECIMAL_PATTERN_START = "^(?!^[-+.]*$)"


def install_openapi(app: FastAPI, models: list[type[BaseModel]]) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
        )
        components = schema.setdefault("components", {})
        schemas = components.setdefault("schemas", {})
        for model in models:
            model_schema = model.model_json_schema(ref_template=REF)
            for name, definition in model_schema.pop("$defs", {}).items():
                schemas.setdefault(name, definition)
            schemas.setdefault(model.__name__, model_schema)
        schemas["Error"] = ERROR_SCHEMA
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                _complete(path, method, operation)
        _money_as_numbers(schemas)
        _link_new_cases(schema.get("paths", {}))
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _complete(path: str, method: str, operation: dict[str, Any]) -> None:
    codes = {"422", "503"}
    if "requestBody" in operation:
        codes |= {"413", "415"}
    if "{" in path:
        codes.add("404")
    schemes = {name for need in operation.get("security", []) for name in need}
    if "staffSession" in schemes:
        codes |= {"401", "403"}
    if "csrfToken" in schemes:
        codes.add("403")
        if method not in WRITES:  # reads need no token
            operation["security"] = [
                {k: v for k, v in need.items() if k != "csrfToken"}
                for need in operation["security"]
            ]
    if path == "/api/v1/session" and method == "post":
        codes |= {"401", "429"}
    responses = operation.setdefault("responses", {})
    for code in sorted(codes):
        responses[code] = {
            "description": ERRORS[code],
            "content": {"application/json": {"schema": ERROR_REF}},
        }


CASE_LINKS = {
    "ReadTheCase": ("/api/v1/cases/{case_id}", "get"),
    "ReviseTheCase": ("/api/v1/cases/{case_id}", "put"),
    "RecordAnEvent": ("/api/v1/cases/{case_id}/events", "post"),
    "ListTheEvents": ("/api/v1/cases/{case_id}/events", "get"),
}


def _link_new_cases(paths: dict[str, Any]) -> None:
    """OpenAPI links from a created case to what can be done with it (clients and stateful
    testers follow them)."""
    created = paths.get("/api/v1/cases", {}).get("post", {}).get("responses", {}).get("201")
    if created is None:
        return
    created["links"] = {
        name: {
            "operationId": paths[path][method]["operationId"],
            "parameters": {"case_id": "$response.body#/id"},
        }
        for name, (path, method) in CASE_LINKS.items()
        if method in paths.get(path, {})
    }


def _money_as_numbers(node: Any) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if (
                isinstance(value, dict)
                and value.get("type") == "string"
                and str(value.get("pattern", "")).startswith(DECIMAL_PATTERN_START)
            ):
                node[key] = {"type": "number", "description": "An amount in dollars (x.xx)."}
            else:
                _money_as_numbers(value)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            if (
                isinstance(value, dict)
                and value.get("type") == "string"
                and str(value.get("pattern", "")).startswith(DECIMAL_PATTERN_START)
            ):
                node[index] = {"type": "number", "description": "An amount in dollars (x.xx)."}
            else:
                _money_as_numbers(value)
