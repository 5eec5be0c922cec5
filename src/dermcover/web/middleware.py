"""ASGI middleware: the body-size limit, and the last line of defence against a traceback.

Both are plain ASGI so they see every request, whatever route or parser reads the body. Neither
logs a query string, a body, a header or an exception's message: those can carry a patient's
details. What is logged is the method, the route's path, the status and the time taken.
"""

from __future__ import annotations

import json
import logging
import time
import traceback

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("dermcover.web")


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit:,} bytes")


async def _send_error(send: Send, scope: Scope, status: int, detail: str) -> None:
    is_api = str(scope.get("path", "")).startswith("/api/")
    if is_api:
        body = json.dumps({"detail": detail, "field": None}).encode()
        content_type = b"application/json"
    else:
        body = (
            "<!doctype html><meta charset=utf-8><title>dermcover</title>"
            f"<p>{status}: {detail}</p><p><a href='/'>Start again</a></p>"
        ).encode()
        content_type = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodySizeLimit:
    """413 for a body over `max_bytes`: at once when Content-Length says so, else as soon as
    the bytes read pass the limit (chunked uploads declare no length)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > self.max_bytes
            except ValueError:
                await _send_error(send, scope, 400, "Content-Length is not a number")
                return
            if too_large:
                await _send_error(send, scope, 413, BodyTooLarge(self.max_bytes).detail)
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except BodyTooLarge as exc:
            if started:
                raise
            await _send_error(send, scope, 413, exc.detail)


SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]


class SecurityHeaders:
    """Headers every answer carries: no MIME sniffing, no framing (clickjacking), and no
    Referer with a page's path sent to other sites."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


class NeverLeak:
    """Any exception that escapes the app becomes a plain 500 with no details, and the log gets
    where it happened (file, line, function) but not the exception's message."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        status = 500
        begun = time.perf_counter()

        async def watched_send(message: Message) -> None:
            nonlocal started, status
            if message["type"] == "http.response.start":
                started = True
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, watched_send)
        except Exception as exc:
            frames = traceback.extract_tb(exc.__traceback__)
            where = "; ".join(f"{f.filename}:{f.lineno} in {f.name}" for f in frames[-5:])
            log.error(
                "unhandled %s at %s %s (%s)",
                type(exc).__name__,
                _method(scope),
                _route(scope),
                where,
            )
            if not started:
                await _send_error(send, scope, 500, "something went wrong on our side")
            status = 500
        finally:
            elapsed = (time.perf_counter() - begun) * 1000
            log.info("%s %s %d %.1fms", _method(scope), _route(scope), status, elapsed)


def _method(scope: Scope) -> str:
    return str(scope.get("method", "?"))


def _route(scope: Scope) -> str:
    """The path without its query string (a search term would sit there). Paths hold only
    record numbers, never a case's content."""
    return str(scope.get("path", "?"))
