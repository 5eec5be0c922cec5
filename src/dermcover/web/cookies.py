"""The two cookies the service sets, and the headers that send what a request set.

- `dermcover_session`: a staff member's session token (see `dermcover.store.sessions`); nothing
  else is in it, and it means nothing without the sessions table.
- `dermcover_csrf`: before signing in (the sign-in form, the patient's forms), the CSRF token
  the forms echo (double-submit: a cross-site page can neither read the cookie nor set it).

Both are HttpOnly, SameSite=Lax and `Secure`, unless the service was told it runs over plain
HTTP on loopback for development (`Settings.plain_http`).
"""

from __future__ import annotations

from http.cookies import SimpleCookie

from starlette.requests import Request
from starlette.types import Scope

SESSION_COOKIE = "dermcover_session"
CSRF_COOKIE = "dermcover_csrf"
_OUTGOING = "outgoing_cookies"


def set_cookie(request: Request, name: str, value: str, *, max_age: int | None = None) -> None:
    """Send `name=value` with this request's answer (max_age=0 deletes it)."""
    cookie: SimpleCookie = SimpleCookie()
    cookie[name] = value
    morsel = cookie[name]
    morsel["path"] = "/"
    morsel["httponly"] = True
    morsel["samesite"] = "lax"
    if not request.app.state.settings.plain_http:
        morsel["secure"] = True
    if max_age is not None:
        morsel["max-age"] = max_age
    outgoing: list[str] = request.scope.setdefault("state", {}).setdefault(_OUTGOING, [])
    outgoing[:] = [c for c in outgoing if not c.startswith(f"{name}=")]
    outgoing.append(morsel.OutputString())


def delete_cookie(request: Request, name: str) -> None:
    set_cookie(request, name, "", max_age=0)


def outgoing_cookies(scope: Scope) -> list[tuple[bytes, bytes]]:
    """The Set-Cookie headers a request's handlers asked for (`web.middleware` adds them to its
    answer, whatever kind of answer it is: a page, a redirect, JSON, an error)."""
    outgoing: list[str] = scope.get("state", {}).get(_OUTGOING, [])
    return [(b"set-cookie", c.encode("latin-1")) for c in outgoing]
