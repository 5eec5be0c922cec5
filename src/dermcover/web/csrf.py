"""CSRF tokens: one random token per session, carried by every form and checked on every write.

The session cookie is signed (Starlette's SessionMiddleware) and sent SameSite=Lax; on top of
that, a write must echo the session's token, in the form's `csrf_token` field or, for the staff
API, in the `X-CSRF-Token` header.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request

SESSION_KEY = "csrf"
FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"


def csrf_token(request: Request) -> str:
    """The session's token, made on first use."""
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return token


def token_matches(request: Request, offered: str | None) -> bool:
    expected = request.session.get(SESSION_KEY)
    if not isinstance(expected, str) or not offered:
        return False
    return hmac.compare_digest(expected.encode(), offered.encode())
