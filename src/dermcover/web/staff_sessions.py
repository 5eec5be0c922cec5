"""The signed-in staff member's session, as a request sees it: resumed from the cookie at most
once per request, started at sign-in, ended at sign-out."""

from __future__ import annotations

from starlette.requests import Request

from dermcover.store.sessions import ActiveSession
from dermcover.web.cookies import SESSION_COOKIE, delete_cookie, set_cookie
from dermcover.web.records import Records

_CACHE = "staff_session"


def _records(request: Request) -> Records:
    records: Records = request.app.state.records
    return records


def staff_session(request: Request) -> ActiveSession | None:
    """The live session this request's cookie names, or None (and the dead cookie goes)."""
    state = request.scope.setdefault("state", {})
    if _CACHE in state:
        cached: ActiveSession | None = state[_CACHE]
        return cached
    token = request.cookies.get(SESSION_COOKIE)
    found = _records(request).sessions.resume(token) if token else None
    if token and found is None:
        delete_cookie(request, SESSION_COOKIE)
    state[_CACHE] = found
    return found


def start_session(request: Request, user_id: int) -> ActiveSession:
    """A fresh session (and CSRF token) for `user_id`; any session the request had ends, so a
    session id planted before sign-in is worth nothing after it."""
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        _records(request).sessions.end(old)
    token, started = _records(request).sessions.start(user_id)
    set_cookie(request, SESSION_COOKIE, token)
    request.scope.setdefault("state", {})[_CACHE] = started
    return started


def end_session(request: Request) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        _records(request).sessions.end(token)
    delete_cookie(request, SESSION_COOKIE)
    request.scope.setdefault("state", {})[_CACHE] = None
