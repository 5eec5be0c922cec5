"""ASGI middleware: the body-size limit, and the last line of defence against a traceback.

Both are plain ASGI so they see every request, whatever route or parser reads the body. Neither
logs a query string, a body, a header or an exception's message: those can carry a patient's
details. What is logged is the method, the route's path, the status and the time taken.
"""

from __future__ import annotations

import asyncio
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


async def _send_error(
    send: Send,
    scope: Scope,
    status: int,
    detail: str,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
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
                *(headers or []),
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


# Scripts only from this origin, and none inline (no onclick=, no <script>...</script>);
# styles may be inline (the documents' own stylesheet, Swagger UI's); nothing may frame a page.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (
        b"permissions-policy",
        b"camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    ),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
NO_STORE = (b"cache-control", b"no-store")
# Files that are the same for everyone may be cached; everything else may carry patient data.
CACHEABLE = ("/static/", "/docs-assets/")


class SecurityHeaders:
    """Headers every answer carries: no MIME sniffing, no framing (clickjacking), no Referer
    with a page's path sent to other sites, the Content-Security-Policy and Permissions-Policy;
    `Cache-Control: no-store` on everything but the shared static files; and HSTS when the
    request came over HTTPS (directly, or through a trusted proxy that says so)."""

    def __init__(self, app: ASGIApp, trusted_proxies: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.trusted_proxies = trusted_proxies
        # The headers added, by (cacheable, over HTTPS): made once, not on every request.
        self._added = {
            (cacheable, https): [
                *SECURITY_HEADERS,
                *([] if cacheable else [NO_STORE]),
                *([HSTS] if https else []),
            ]
            for cacheable in (False, True)
            for https in (False, True)
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = str(scope.get("path", "")).startswith(CACHEABLE)
        added = self._added[cacheable, _over_https(scope, self.trusted_proxies)]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                if not cacheable:  # no-store replaces whatever caching the answer allowed
                    headers = [h for h in headers if h[0].lower() != b"cache-control"]
                message["headers"] = [*headers, *added]
            await send(message)

        await self.app(scope, receive, with_headers)


class TimeBudget:
    """A request still unanswered after `seconds` gets 503 with Retry-After, so that one costly
    request is refused rather than left holding the client (and a worker) indefinitely. Costly
    work runs off the event loop (a worker thread, or for heavy work a helper process, see
    `web.heavy`; only the few smallest determinations are decided on the loop), so the loop keeps
    answering everyone else meanwhile; cancelling a heavy request kills the helper doing it."""

    def __init__(self, app: ASGIApp, seconds: float, retry_after: int = 5) -> None:
        self.app = app
        self.seconds = seconds
        self.retry_after = retry_after

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            # A timeout on this task, not wait_for: that would run the app in a task of its own,
            # one more task made and switched to on every request.
            async with asyncio.timeout(self.seconds):
                await self.app(scope, receive, watched_send)
        except TimeoutError:
            log.warning("over the time budget at %s %s", _method(scope), _route(scope))
            if not started:
                await _send_error(
                    send,
                    scope,
                    503,
                    f"this request took longer than its {self.seconds:g} s budget; try again "
                    "later, or send a smaller one",
                    headers=[(b"retry-after", str(self.retry_after).encode())],
                )


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


def _over_https(scope: Scope, trusted_proxies: frozenset[str]) -> bool:
    if scope.get("scheme") == "https":
        return True
    client = scope.get("client")
    if not client or str(client[0]) not in trusted_proxies:
        return False
    headers: dict[bytes, bytes] = dict(scope.get("headers") or [])
    return headers.get(b"x-forwarded-proto", b"").lower() == b"https"


def _method(scope: Scope) -> str:
    return str(scope.get("method", "?"))


def _route(scope: Scope) -> str:
    """The path without its query string (a search term would sit there). Paths hold only
    record numbers, never a case's content."""
    return str(scope.get("path", "?"))
