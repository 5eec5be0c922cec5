"""Reading an API request body (JSON or YAML, as the spec allows) into a contract model.

A JSON body is validated straight from its bytes by pydantic-core, without building Python
dicts first. A body that does not validate is read again the careful way: parsed with the
standard library, then (only when it is wrong) with line marks, so the error can say on which
line the field sits. Errors read exactly as the CLI's do, because they come from the same
`dermcover.inputs`.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from dermcover.inputs import InputError, LineLocator, describe, field_path, parse_text
from dermcover.web.errors import FieldError

ModelT = TypeVar("ModelT", bound=BaseModel)

SOURCE = "request body"
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


def parse_document(raw: bytes, content_type: str) -> tuple[Any, str]:
    """The parsed body and its text; JSON unless the client says YAML."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FieldError(f"{SOURCE}: not UTF-8 text") from None
    if not text.strip():
        raise FieldError(f"{SOURCE}: is empty; send a JSON (or YAML) document")
    if _media_type(content_type) in YAML_TYPES:
        data, _ = parse_text(text, SOURCE)
        return data, text
    try:
        return json.loads(text, parse_constant=_no_constants), text
    except json.JSONDecodeError as exc:
        raise FieldError(
            f"{SOURCE}:{exc.lineno}: not valid JSON ({exc.msg}); send a JSON document, or "
            "YAML with Content-Type: application/yaml"
        ) from None
    except RecursionError:
        raise FieldError(f"{SOURCE}: nested too deeply") from None


def _no_constants(name: str) -> Any:
    raise FieldError(f"{SOURCE}: {name} is not a number a request may hold")


def validate_document(model: type[ModelT], data: Any, text: str) -> ModelT:
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"{json.dumps(data)[:40]}"
        raise FieldError(f"{SOURCE}: must be a mapping of fields, not {kind}")
    try:
        return model.model_validate(data)
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


async def read_document(request: Request, model: type[ModelT]) -> ModelT:
    """The request body as `model`; any problem is a FieldError (422) naming the field."""
    raw = await request.body()
    content_type = request.headers.get("content-type", "")
    valid = _valid_json(model, raw, content_type)
    if valid is not None:
        return valid
    data, text = parse_document(raw, content_type)
    return validate_document(model, data, text)


def _valid_json(model: type[ModelT], raw: bytes, content_type: str) -> ModelT | None:
    """The model validated from JSON bytes by pydantic-core, or None to take the careful way.

    pydantic-core would read NaN and Infinity as numbers, which the standard reading refuses
    (no request may hold them), so a body with either word anywhere takes the careful way too.
    """
    if _media_type(content_type) in YAML_TYPES or b"NaN" in raw or b"Infinity" in raw:
        return None
    try:
        return model.model_validate_json(raw)
    except ValidationError:
        return None


def _media_type(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def document(model: type[ModelT]) -> Callable[[Request], Awaitable[ModelT]]:
    """A dependency that reads the request body into `model`, or answers 422 naming the field."""

    async def read(request: Request) -> ModelT:
        return await read_document(request, model)

    read.__name__ = f"read_{model.__name__.lower()}"
    return read


def request_body(model: type[BaseModel], example: dict[str, Any] | None = None) -> dict[str, Any]:
    """`openapi_extra` for a route whose body `document(model)` reads: the schema, by reference."""
    media: dict[str, Any] = {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
    if example is not None:
        media["example"] = example
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": media,
                "application/yaml": {"schema": media["schema"]},
            },
        }
    }
