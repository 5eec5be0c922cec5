"""CSRF tokens, carried by every form and checked on every write.

A signed-in staff member's token lives with their session in the database; before sign-in (the
sign-in form, the patient's forms) it is a random token in the `dermcover_csrf` cookie, which
the form must echo (a cross-site page can neither read nor set that cookie). Cookies are sent
SameSite=Lax as well. A write echoes the token in the form's `csrf_token` field or, for the
staff API, in the `X-CSRF-Token` header.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request

from dermcover.web.cookies import CSRF_COOKIE, set_cookie
from dermcover.web.staff_sessions import staff_session

FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
_NEW = "new_csrf_token"
_MAX_LENGTH = 128


def _expected(request: Request) -> str | None:
    session = staff_session(request)
    if session is not None:
        return session.csrf_token
    made: str | None = request.scope.get("state", {}).get(_NEW)
    cookie = request.cookies.get(CSRF_COOKIE)
    if made is None and cookie and len(cookie) <= _MAX_LENGTH:
        return cookie
    return made


def csrf_token(request: Request) -> str:
    """The token this request's forms carry, made (and its cookie set) on first use."""
    token = _expected(request)
    if token is None:
        token = secrets.token_urlsafe(32)
        request.scope.setdefault("state", {})[_NEW] = token
        set_cookie(request, CSRF_COOKIE, token)
    return token


def token_matches(request: Request, offered: str | None) -> bool:
    expected = _expected(request)
    if not expected or not offered or len(offered) > _MAX_LENGTH:
        return False
    return hmac.compare_digest(expected.encode(), offered.encode("utf-8", "replace"))
