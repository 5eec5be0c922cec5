"""ASGI middleware: one layer every request passes through, for every safeguard of the answers.

It is plain ASGI so it sees every request, whatever route or parser reads the body, and it is one
layer rather than one per safeguard: each layer wrapped `send` (and `receive`) in a function of
its own on every request, so every message an answer sent went through five of them.

It never logs a query string, a body, a header or an exception's message: those can carry a
patient's details. What is logged is the method, the route's path, the status and the time taken.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import traceback
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dermcover.logs import log_quickly
from dermcover.web.cookies import outgoing_cookies

log = logging.getLogger("dermcover.web")

Endpoint = Callable[[Request], Awaitable[Response]]
Handler = Callable[[Request, Any], Response | Awaitable[Response]]
Headers = list[tuple[bytes, bytes]]


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit:,} bytes")


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


class Safeguards:
    """What every request gets, whatever answers it:

    - **the security headers**: no MIME sniffing, no framing (clickjacking), no Referer with a
      page's path sent to other sites, the Content-Security-Policy and Permissions-Policy;
      `Cache-Control: no-store` on everything but the shared static files; HSTS when the
      request came over HTTPS (directly, or through a trusted proxy that says so);
    - **the body-size limit**: 413 for a body over `max_bytes`, at once when Content-Length
      says so, else as soon as the bytes read pass the limit (chunked uploads declare none);
    - **the time budget**: a request still unanswered after `seconds` gets 503 with
      Retry-After, so that one costly request is refused rather than left holding the client
      (and a worker) indefinitely. Costly work runs off the event loop (a worker thread, or for
      heavy work a helper process, see `web.heavy`; only the few smallest determinations are
      decided on the loop), so the loop keeps answering everyone else meanwhile; cancelling a
      heavy request kills the helper doing it;
    - **never a traceback**: any exception that escapes becomes a plain 500 with no details,
      and the log gets where it happened (file, line, function) but not its message;
    - **the cookies** the request's handlers set (`web.cookies`), on whatever kind of answer
      the app gave (a page, a redirect, JSON, an error);
    - **one log line**: method, path, status and time taken.

    `direct` names the routes (method, path) whose endpoint takes the request alone and is
    answered here, its exceptions by the app's own `handlers`, without the router and the
    framework's per-request layers in between (the determinations route: those layers cost
    more than reading its body). Every safeguard above holds for them as for any route.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        seconds: float,
        trusted_proxies: frozenset[str] = frozenset(),
        retry_after: int = 5,
        direct: Mapping[tuple[str, str], Endpoint] | None = None,
        handlers: Mapping[Any, Handler] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.seconds = seconds
        self.trusted_proxies = trusted_proxies
        self.retry_after = retry_after
        self.direct = dict(direct or {})
        self.handlers = handlers if handlers is not None else {}
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
        begun = time.perf_counter()
        path = str(scope.get("path", ""))
        cacheable = path.startswith(CACHEABLE)
        added = self._added[cacheable, _over_https(scope, self.trusted_proxies)]
        status = 0  # until the answer starts
        received = 0

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [*message.get("headers", ()), *outgoing_cookies(scope)]
                if not cacheable:  # no-store replaces whatever caching the answer allowed
                    headers = [h for h in headers if h[0].lower() != b"cache-control"]
                message["headers"] = headers + added
            await send(message)

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def refuse(code: int, detail: str, headers: Headers | None = None) -> None:
            nonlocal status
            status = code
            await _send_error(send, scope, code, detail, [*(headers or []), *added])

        try:
            refused = self._refused_at_once(scope)
            if refused is not None:
                await refuse(*refused)
                return
            # Under a root path the router strips it first: such requests take the router.
            direct = not scope.get("root_path")
            endpoint = self.direct.get((scope["method"], path)) if direct else None
            # A timeout on this task, not wait_for: that would run the app in a task of its
            # own, one more task made and switched to on every request.
            async with asyncio.timeout(self.seconds):
                if endpoint is None:
                    await self.app(scope, limited, answer)
                else:
                    await self._answer_directly(endpoint, scope, limited, answer)
        except BodyTooLarge as exc:
            if status:  # too late for a 413: the answer had begun
                _log_unhandled(exc, scope)
                status = 500
            else:
                await refuse(413, exc.detail)
        except TimeoutError:
            log.warning("over the time budget at %s %s", _method(scope), _route(scope))
            if not status:
                await refuse(
                    503,
                    f"this request took longer than its {self.seconds:g} s budget; try again "
                    "later, or send a smaller one",
                    [(b"retry-after", str(self.retry_after).encode())],
                )
        except Exception as exc:
            _log_unhandled(exc, scope)
            if not status:
                await refuse(500, "something went wrong on our side")
            status = 500
        finally:
            elapsed = (time.perf_counter() - begun) * 1000
            line = (_method(scope), _route(scope), status or 500, elapsed)
            log_quickly(log, logging.INFO, "%s %s %d %.1fms", *line)

    def _refused_at_once(self, scope: Scope) -> tuple[int, str] | None:
        """400 or 413 for what the request's Content-Length says, before anything is read."""
        declared = None
        for name, value in scope.get("headers") or ():
            if name == b"content-length":
                declared = value
        if declared is None:
            return None
        try:
            too_large = int(declared) > self.max_bytes
        except ValueError:
            return 400, "Content-Length is not a number"
        return (413, BodyTooLarge(self.max_bytes).detail) if too_large else None

    async def _answer_directly(
        self, endpoint: Endpoint, scope: Scope, receive: Receive, send: Send
    ) -> None:
        request = Request(scope, receive, send)
        try:
            response = await endpoint(request)
        except Exception as exc:
            handler = self._handler_for(exc)
            if handler is None:
                raise
            answered = handler(request, exc)  # the app's handlers are coroutines
            response = answered if isinstance(answered, Response) else await answered
        await response(scope, receive, send)

    def _handler_for(self, exc: Exception) -> Handler | None:
        """The app's handler for `exc`, found as the framework finds it: by status code for an
        HTTP exception, else by the nearest class in its MRO."""
        if isinstance(exc, HTTPException) and exc.status_code in self.handlers:
            return self.handlers[exc.status_code]
        for cls in type(exc).__mro__:
            if cls in self.handlers:
                return self.handlers[cls]
        return None


async def _send_error(send: Send, scope: Scope, status: int, detail: str, headers: Headers) -> None:
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
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _log_unhandled(exc: BaseException, scope: Scope) -> None:
    """Where an exception happened, never its message (it may quote a case)."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = "; ".join(f"{f.filename}:{f.lineno} in {f.name}" for f in frames[-5:])
    log.error(
        "unhandled %s at %s %s (%s)", type(exc).__name__, _method(scope), _route(scope), where
    )


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
