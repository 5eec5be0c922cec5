"""Reading an API request body (JSON or YAML, as the spec allows) into a contract model.

A JSON body is parsed by the standard library's C parser, with hooks that refuse a key given
twice and keep a too-long number short; the input limits are then checked on the bytes when
they can show the limits hold (`json_within_limits`: a few scans, nothing per value), else on
everything parsed. A body that does not validate is parsed again (only then) with line marks,
so the error can say on which line the field sits. Errors read exactly as the CLI's do,
because they come from the same `dermcover.inputs`.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request

from dermcover.case import EXACT_TYPES
from dermcover.inputs import (
    TOO_DEEP,
    InputError,
    LineLocator,
    bounded_integer,
    check_limits,
    describe,
    field_path,
    json_within_limits,
    line_of,
    parse_text,
    shown_briefly,
    unique_keys,
)
from dermcover.web.errors import FieldError
from dermcover.web.heavy import LIGHT_BODY_BYTES, heavy_work

ModelT = TypeVar("ModelT", bound=BaseModel)

SOURCE = "request body"
JSON_TYPE = "application/json"
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


def media_type(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def parse_document(raw: bytes, content_type: str) -> tuple[Any, str]:
    """The parsed body and its text; JSON unless the client says YAML."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FieldError(f"{SOURCE}: not UTF-8 text") from None
    if not text.strip():
        raise FieldError(f"{SOURCE}: is empty; send a JSON (or YAML) document")
    if media_type(content_type) in YAML_TYPES:
        data, _ = parse_text(text, SOURCE)
        return data, text
    try:
        data = json.loads(
            text,
            parse_constant=_no_constants,
            parse_int=bounded_integer,
            object_pairs_hook=unique_keys,
        )
    except InputError as exc:
        raise FieldError(f"{SOURCE}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise FieldError(
            f"{SOURCE}:{line_of(text, exc.pos)}: not valid JSON ({exc.msg}); send a JSON "
            "document, or YAML with Content-Type: application/yaml"
        ) from None
    except RecursionError:
        raise FieldError(f"{SOURCE}: {TOO_DEEP}") from None
    if json_within_limits(raw):
        return data, text
    try:
        check_limits(data, SOURCE)
    except InputError as exc:
        raise FieldError(str(exc)) from None
    return data, text


def _no_constants(name: str) -> Any:
    raise InputError(f"{name} is not a number a request may hold")


def validate_document(model: type[ModelT], data: Any, text: str) -> ModelT:
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"{json.dumps(data)[:40]}"
        raise FieldError(f"{SOURCE}: must be a mapping of fields, not {kind}")
    try:
        return model.model_validate(data, context={EXACT_TYPES: True})
    except ValidationError as exc:
        locator = _locator(text)
        loc = tuple(p for p in exc.errors()[0]["loc"] if not (isinstance(p, str) and "[" in p))
        raise FieldError(describe(exc, model, SOURCE, locator), field_path(loc)) from None


def _locator(text: str) -> LineLocator | None:
    """Line marks for an error message; a body YAML cannot read simply goes without them."""
    try:
        return parse_text(text, SOURCE)[1]
    except (InputError, RecursionError):
        return None


async def raw_document(request: Request) -> tuple[bytes, str]:
    """The request body, unread, and its content type: 415 unless it is JSON or YAML."""
    content_type = request.headers.get("content-type", "")
    if media_type(content_type) not in (JSON_TYPE, *YAML_TYPES):
        shown = shown_briefly(content_type) if content_type else "none"
        raise HTTPException(
            415, f"Content-Type {shown}: send the body as application/json or application/yaml"
        )
    return await request.body(), content_type


async def read_document(request: Request, model: type[ModelT]) -> ModelT:
    """The request body as `model`: 415 unless it is JSON or YAML; any other problem is a
    FieldError (422) naming the field and the limit.

    Every body takes the careful reading (`parse_document`): reading JSON bytes straight into
    the model would be faster, but would let through what the limits refuse (a key given twice,
    NUL characters and lone surrogates, nesting past the limit, 0 or "yes" for true)."""
    raw, content_type = await raw_document(request)
    if len(raw) > LIGHT_BODY_BYTES:  # a large body is read in a helper process (web.heavy)
        return await heavy_work(request).run(read_body, model, raw, content_type)
    return read_body(model, raw, content_type)


def read_body(model: type[ModelT], raw: bytes, content_type: str) -> ModelT:
    data, text = parse_document(raw, content_type)
    return validate_document(model, data, text)


def document(model: type[ModelT]) -> Callable[[Request], Awaitable[ModelT]]:
    """A dependency that reads the request body into `model`, or answers 422 naming the field."""

    async def read(request: Request) -> ModelT:
        return await read_document(request, model)

    read.__name__ = f"read_{model.__name__.lower()}"
    return read


def request_body(
    model: type[BaseModel] | str, example: dict[str, Any] | None = None, *, yaml: bool = True
) -> dict[str, Any]:
    """`openapi_extra` for a route whose body `document(model)` reads: the schema, by reference
    (to the model's, or to the component named), as JSON and (unless the route takes JSON only)
    YAML."""
    name = model if isinstance(model, str) else model.__name__
    media: dict[str, Any] = {"schema": {"$ref": f"#/components/schemas/{name}"}}
    if example is not None:
        media["example"] = example
    content = {JSON_TYPE: media}
    if yaml:
        content["application/yaml"] = {"schema": media["schema"]}
    return {"requestBody": {"required": True, "content": content}}
