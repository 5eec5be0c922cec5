"""The OpenAPI document at /openapi.json (shown at /docs), made complete:

- routes that read their body with `bodies.document` declare it by reference (`request_body`);
  the referenced contract models are put into the document's components, and nothing refers
  to a schema the document does not contain;
- every error has one shape, `Error` (`{"detail": "<one line>", "field": "<path or null>"}`),
  and every operation lists the statuses it can answer: 422 (bad input), 413 and 415 (a body
  too large, or neither JSON nor YAML), 503 (over the time budget), 404 where a path names a
  record, 401 and 403 on staff routes, 429 on sign-in;
- staff routes carry the `staffSession` security scheme (the session cookie) and, for writes,
  `csrfToken` (the X-CSRF-Token header): both at once, one requirement, never either;
- what the models' validators check is said in the schemas too, so that a request the schemas
  allow is one the service accepts (`_what_validators_check`): the policy and plan ids the
  library holds, a procedure's kind or a code that names one, an NPI (`format: npi`, ten digits
  whose check digit passes), the dates that may not lie after today (`format: past-date`), the
  prices an estimate needs, and whole numbers of at most 30 digits;
- money is documented as it is sent: a JSON number with two decimals, never a string;
- each document kind has a path of its own, whose request schema requires what that kind
  cannot be written without;
- a created case links to reading and revising it, recording its events and writing its
  letter of medical necessity.
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from dermcover.inputs import MAX_INTEGER_DIGITS
from dermcover.store.cases import MAX_NOTES
from dermcover.web.documents import (
    NEEDED_INPUT,
    PHRASES,
    DocumentInputs,
    DocumentRequest,
    schema_name,
    with_article,
)

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
    "409": "The case's facts and decision do not support this document; the line says why.",
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
        _inputs_each_kind_needs(schemas)
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                _complete(path, method, operation)
        _money_as_numbers(schemas)
        _what_validators_check(schema)
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
    if "/documents/" in path:
        codes.add("409")
    # FastAPI lists each dependency's scheme as a requirement of its own, which OpenAPI reads
    # as "any one of them"; the service wants them all (and reads need no CSRF token).
    schemes = [name for need in operation.get("security", []) for name in need]
    if method not in WRITES:
        schemes = [name for name in schemes if name != "csrfToken"]
    if schemes:
        operation["security"] = [{name: [] for name in dict.fromkeys(schemes)}]
    if "staffSession" in schemes:
        codes |= {"401", "403"}
    if "csrfToken" in schemes:
        codes.add("403")
    if path == "/api/v1/session" and method == "post":
        codes |= {"401", "429"}
    responses = operation.setdefault("responses", {})
    for code in sorted(codes):
        responses[code] = {
            "description": ERRORS[code],
            "content": {"application/json": {"schema": ERROR_REF}},
        }


def _inputs_each_kind_needs(schemas: dict[str, Any]) -> None:
    """A request schema for each document kind that needs an input: the general one with that
    input required (a Good Faith Estimate's `estimate`, an appeal's `denial`)."""
    for kind, field in NEEDED_INPUT.items():
        for stored, general in ((True, DocumentInputs), (False, DocumentRequest)):
            schema = copy.deepcopy(schemas[general.__name__])
            name = schema_name(kind, stored=stored)
            needed = schema["properties"][field]
            schema["properties"][field] = {
                **next(branch for branch in needed.pop("anyOf") if "$ref" in branch),
                **{key: value for key, value in needed.items() if key != "default"},
            }
            schema["required"] = [*schema.get("required", []), field]
            schema["title"] = name
            schema["description"] = f"What {with_article(PHRASES[kind])} is written from."
            schemas[name] = schema


CASE_LINKS = {
    "ReadTheCase": ("/api/v1/cases/{case_id}", "get"),
    "ReviseTheCase": ("/api/v1/cases/{case_id}", "put"),
    "RecordAnEvent": ("/api/v1/cases/{case_id}/events", "post"),
    "ListTheEvents": ("/api/v1/cases/{case_id}/events", "get"),
    # One document, the one the case alone can make (the others need an estimate or a denial):
    # a link to each kind would make a stateful tester, walking the links at random, write
    # documents far more often than it records the events a case's deadlines come from.
    "WriteALetterOfMedicalNecessity": ("/api/v1/cases/{case_id}/documents/lmn", "post"),
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


PAST_DATE = {
    "type": "string",
    "format": "past-date",
    "description": "A date (YYYY-MM-DD), today or before.",
}
NPI = {
    "type": "string",
    "format": "npi",
    "description": "Ten digits; the last is the Luhn check digit over 80840 and the first nine.",
}
ON_CALL = "The day of the call (it may lie ahead)."
ON_EVENT = "The day it happened: today or before."
# The codes searches' q must hold more than spaces twice over: pydantic's `\S` (Unicode's
# White_Space) and str.strip(), which also removes U+001C to U+001F. As JSON Schema's regex reads
# it: its `\s` leaves out those and U+0085, and takes U+FEFF, which both keep.
NOT_ONLY_SPACES = r"[^\s\u001c-\u001f\u0085]|\uFEFF"
UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
CLINIC_SLUG = "^[A-Za-z0-9][A-Za-z0-9-]{0,63}$"


def _what_validators_check(document: dict[str, Any]) -> None:
    """Say in the schemas what the models' validators check beyond their types, so that what
    the schemas allow is what the service takes: the library's policy and plan ids (and which
    policy each plan sits over), a procedure's kind or a code that names one, NPIs, and the
    dates that may not lie after today."""
    from dermcover.case import PlanType
    from dermcover.codes.procedures import PROCEDURE_CODES
    from dermcover.engine import library
    from dermcover.engine.plans import plan_library
    from dermcover.engine.spread import ALL_POLICIES

    schemas = document["components"]["schemas"]
    policies = list(library().packs)
    plans = plan_library().plans
    payer = schemas["Payer"]
    payer["properties"]["policy"]["anyOf"] = [
        {"type": "string", "enum": policies},
        {"type": "null"},
    ]
    payer["properties"]["plan"]["anyOf"] = [
        {"type": "string", "enum": sorted(plans)},
        {"type": "null"},
    ]
    payer["anyOf"] = [
        *_absent("plan"),
        *(
            {
                "properties": {
                    "plan": {"const": plan_id},
                    "policy": {"enum": [plan.spec.policy, None]},
                }
            }
            for plan_id, plan in sorted(plans.items())
        ),
    ]
    procedure = schemas["Procedure"]
    procedure["properties"]["code"]["anyOf"][0]["pattern"] = r"\S"
    procedure["anyOf"] = [
        {"required": ["kind"], "properties": {"kind": {"$ref": REF.format(model="ProcedureKind")}}},
        {
            "required": ["code"],
            "properties": {
                "code": {"enum": sorted(c for c, entry in PROCEDURE_CODES.items() if entry.implies)}
            },
        },
    ]
    _decimal_strings(schemas)
    schemas["PromoCardTerms"]["anyOf"] = [
        {"properties": {"interest_method": {"not": {"const": "daily_balance"}}}},
        {"required": ["purchase_date"], "properties": {"purchase_date": {"type": "string"}}},
    ]
    schemas["Prices"]["anyOf"] = [_given("self_pay"), _given("billed_charge")]
    # With a plan, the prices hold its negotiated rate; with out-of-network benefits, the billed
    # charge too (for the balance bill).
    schemas["EstimateRequest"]["anyOf"] = [
        *_absent("plan"),
        {
            "properties": {
                "prices": _given("negotiated_rate"),
                "plan": {"anyOf": _absent("out_of_network")},
            }
        },
        {"properties": {"prices": _given("negotiated_rate", "billed_charge")}},
    ]
    schemas["Provider"]["properties"]["npi"]["anyOf"][0] = NPI
    denial = schemas["Denial"]["properties"]
    denial["codes"]["items"]["pattern"] = r"\S"
    denial["plan_type"] = {
        "type": "string",
        "enum": [p.value for p in PlanType if p is not PlanType.self_pay],
        "description": "The kind of plan that denied it (self-pay has no decision to appeal).",
    }
    schemas["Patient"]["properties"]["birth_date"]["anyOf"][0] = PAST_DATE
    # A peer-to-peer call may be recorded ahead of its day; every other event has happened.
    event = schemas["NewEvent"]
    others = [kind for kind in schemas["EventKind"]["enum"] if kind != "peer_to_peer_scheduled"]
    notes = {"anyOf": [{"type": "string", "maxLength": MAX_NOTES}, {"type": "null"}]}
    schemas["NewEvent"] = {
        "title": "NewEvent",
        "description": event.get("description", "An event on a case's timeline."),
        "anyOf": [
            {
                "type": "object",
                "properties": {
                    "kind": {"type": "string", "const": "peer_to_peer_scheduled"},
                    "on": {"type": "string", "format": "date", "description": ON_CALL},
                    "notes": notes,
                },
                "required": ["kind", "on"],
                "additionalProperties": False,
            },
            {
                "type": "object",
                "properties": {
                    "kind": {"type": "string", "enum": others},
                    "on": {**PAST_DATE, "description": ON_EVENT},
                    "notes": notes,
                },
                "required": ["kind", "on"],
                "additionalProperties": False,
            },
        ],
    }
    _no_nul_characters(schemas)
    _integers_within_digits(document)
    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["schema"].get("format") == "uuid":
                    parameter["schema"]["pattern"] = UUID_PATTERN
                if parameter["in"] != "query":
                    continue
                if parameter["name"] == "policy":
                    extra = [ALL_POLICIES] if path.endswith("/determinations") else []
                    parameter["schema"] = {"type": "string", "enum": [*policies, *extra]}
                elif parameter["name"] == "clinic":
                    parameter["schema"] = {"type": "string", "pattern": CLINIC_SLUG}
                elif parameter["schema"].get("pattern") == r"\S":
                    parameter["schema"]["pattern"] = NOT_ONLY_SPACES


def _given(*names: str) -> dict[str, Any]:
    """An object that holds each of `names`, none of them null."""
    return {"required": list(names), "properties": {n: {"not": {"type": "null"}} for n in names}}


def _absent(name: str) -> list[dict[str, Any]]:
    """The two ways an object can leave `name` out: without it, or with it null."""
    return [{"not": {"required": [name]}}, {"properties": {name: {"type": "null"}}}]


# A Decimal in a request may come as a number or as its digits in a string; pydantic documents
# the string as any string at all. Amounts have at most two decimals (and at most ten million);
# rates are fractions from 0 to 1.
AMOUNT_DIGITS = r"^(10000000(\.00?)?|[0-9]{1,7}(\.[0-9]{1,2})?)$"
RATE_DIGITS = r"^(0(\.[0-9]{1,6})?|1(\.0{1,6})?)$"


def _decimal_strings(node: Any) -> None:
    if isinstance(node, dict):
        branches = node.get("anyOf")
        if isinstance(branches, list):
            numbers = [b for b in branches if isinstance(b, dict) and b.get("type") == "number"]
            for branch in branches:
                if branch == {"type": "string"} and numbers:
                    is_rate = node.get("maximum") == 1 or numbers[0].get("maximum") == 1
                    branch["pattern"] = RATE_DIGITS if is_rate else AMOUNT_DIGITS
                    if not is_rate:
                        numbers[0].setdefault("multipleOf", 0.01)
        for value in node.values():
            _decimal_strings(value)
    elif isinstance(node, list):
        for value in node:
            _decimal_strings(value)


LARGEST_INTEGER = 10**MAX_INTEGER_DIGITS - 1


def _integers_within_digits(node: Any) -> None:
    """No integer has more digits than a request may write (`dermcover.inputs` refuses more
    than MAX_INTEGER_DIGITS), whatever its own limits leave open."""
    if isinstance(node, dict):
        if node.get("type") == "integer":
            node.setdefault("maximum", LARGEST_INTEGER)
            node.setdefault("minimum", -LARGEST_INTEGER)
        for value in node.values():
            _integers_within_digits(value)
    elif isinstance(node, list):
        for value in node:
            _integers_within_digits(value)


ANY_TEXT = r"^[^\u0000]*$"
# At least one character that Python's str.strip() keeps, as JSON Schema's regex reads it: its
# `\s` leaves out U+001C to U+001F and U+0085, which strip() removes, and takes U+FEFF, which
# strip() keeps.
SOME_TEXT = r"^[^\u0000]*(?:[^\u0000\s\u001c-\u001f\u0085]|\uFEFF)[^\u0000]*$"


def _no_nul_characters(node: Any) -> None:
    """No text field takes a NUL character (`dermcover.inputs` refuses it in any string)."""
    if isinstance(node, dict):
        if node.get("type") == "string" and not {"enum", "const", "format"} & node.keys():
            pattern = node.get("pattern")
            if pattern is None:
                node["pattern"] = ANY_TEXT
            elif pattern == r"\S":
                node["pattern"] = SOME_TEXT
        for value in node.values():
            _no_nul_characters(value)
    elif isinstance(node, list):
        for value in node:
            _no_nul_characters(value)
