"""Every error a client can cause, answered the same way: 422 naming the field, 413 for a body
that is too large, 404, 403; and never a traceback.

API routes (under /api/) answer JSON: `{"detail": "<one line>", "field": "<path or null>"}`,
the same line the CLI prints for the same mistake. Pages answer a small HTML page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from dermcover.inputs import InputError, field_path
from dermcover.store.cases import CaseNotFound
from dermcover.store.clinics import NotPermitted
from dermcover.web.templating import templates

LOGIN_PAGE = "/clinic/login"


class FieldError(InputError):
    """Input that cannot be used, with the field it is about."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class LoginRequired(Exception):
    """A staff-only route asked for by someone not signed in."""


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(
    request: Request, status: int, detail: str, field: str | None = None
) -> Response:
    if wants_json(request):
        return JSONResponse({"detail": detail, "field": field}, status_code=status)
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "detail": detail}, status_code=status
    )


def describe_request_error(errors: Sequence[Any]) -> tuple[str, str]:
    """One line for FastAPI's own parameter checks (query, path, header), in the CLI's words."""
    first = errors[0]
    where, *loc = first.get("loc", ("request",))
    field = field_path(loc)
    message = first.get("msg", "invalid").removeprefix("Value error, ")
    if first.get("type") == "missing":
        text = f"{where} parameter {field}: required field is missing"
    else:
        shown = repr(first.get("input"))
        text = f"{where} parameter {field} = {shown[:60]}: {message}"
    if len(errors) > 1:
        text += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return text, field


async def _input_error(request: Request, exc: Exception) -> Response:
    field = exc.field if isinstance(exc, FieldError) else None
    return error_response(request, 422, str(exc), field)


async def _request_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    detail, field = describe_request_error(exc.errors())
    return error_response(request, 422, detail, field)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else "request refused"
    response = error_response(request, exc.status_code, detail)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    if exc.status_code == 405:
        allowed = _methods_at(request)
        if allowed:
            response.headers["Allow"] = ", ".join(allowed)
    return response


def _methods_at(request: Request) -> list[str]:
    """Every method some route answers at this path (one path may have several routes)."""
    path = request.url.path
    found: set[str] = set()
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = "^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path):
            found |= {method.upper() for method in operations}
    return sorted(found)


async def _login_required(request: Request, exc: Exception) -> Response:
    if wants_json(request):
        return JSONResponse(
            {"detail": "sign in as staff first (POST /api/v1/session)", "field": None},
            status_code=401,
        )
    return RedirectResponse(LOGIN_PAGE, status_code=303)


async def _not_found(request: Request, exc: Exception) -> Response:
    return error_response(request, 404, str(exc))


async def _not_permitted(request: Request, exc: Exception) -> Response:
    return error_response(request, 403, str(exc))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(CaseNotFound, _not_found)
    app.add_exception_handler(NotPermitted, _not_permitted)
    app.add_exception_handler(InputError, _input_error)
    app.add_exception_handler(RequestValidationError, _request_validation_error)
    app.add_exception_handler(HTTPException, _http_error)
