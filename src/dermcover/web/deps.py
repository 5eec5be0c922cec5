"""Everything a route depends on, in one place: the settings, the policy library, the checks on
what a client names, the CSRF check, and (for staff routes) the database and the signed-in user."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyCookie, APIKeyHeader

from dermcover.case import Case
from dermcover.engine import library
from dermcover.store.users import Staff
from dermcover.web.cookies import SESSION_COOKIE
from dermcover.web.csrf import FORM_FIELD, HEADER, token_matches
from dermcover.web.errors import FieldError, LoginRequired
from dermcover.web.records import Records
from dermcover.web.staff_sessions import end_session, staff_session, start_session

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def checked_policy(case: Case, policy: str | None, prefix: str = "") -> str | None:
    """The policy asked for, checked against the library so that an unknown id is a 422 that
    names the field it came from (the query parameter, or the case's payer.policy)."""
    packs = library().packs
    # The case's own policy is checked even when the query overrides it: an unknown id in the
    # body is bad input whichever policy the decision then uses.
    named = case.payer.policy if case.payer is not None else None
    if named is not None and named not in packs:
        raise FieldError(
            f"request body: {prefix}payer.policy = {named!r}: unknown policy; "
            f"allowed: {', '.join(packs)}",
            f"{prefix}payer.policy",
        )
    if policy is not None:
        if policy not in packs:
            raise FieldError(
                f"query parameter policy = {policy!r}: unknown policy; allowed: {', '.join(packs)}",
                "policy",
            )
        return policy
    return None


async def verify_csrf(
    request: Request, _header: Annotated[str | None, Depends(CSRF_HEADER_SCHEME)] = None
) -> None:
    """Writes (POST, PUT, PATCH, DELETE) must echo the session's CSRF token, in the form's
    `csrf_token` field or the X-CSRF-Token header."""
    if request.method in SAFE_METHODS:
        return
    offered = request.headers.get(HEADER)
    if offered is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
        offered = str((await request.form()).get(FORM_FIELD) or "")
    if not token_matches(request, offered):
        raise HTTPException(
            403,
            "this form has expired or did not come from this site; reload the page and try again",
        )


def records(request: Request) -> Records:
    found: Records = request.app.state.records
    return found


RecordsDep = Annotated[Records, Depends(records)]


# Declared as security schemes so that the OpenAPI document shows which routes need them; the
# checks themselves are `current_staff` and `verify_csrf`.
SESSION_COOKIE_SCHEME = APIKeyCookie(
    name=SESSION_COOKIE,
    scheme_name="staffSession",
    auto_error=False,
    description="The session cookie POST /api/v1/session sets.",
)
CSRF_HEADER_SCHEME = APIKeyHeader(
    name=HEADER,
    scheme_name="csrfToken",
    auto_error=False,
    description="The csrf_token POST /api/v1/session returns; required on writes.",
)


def current_staff(
    request: Request,
    store: RecordsDep,
    _cookie: Annotated[str | None, Depends(SESSION_COOKIE_SCHEME)] = None,
) -> Staff:
    """The signed-in staff member, from a live server-side session; anyone else is refused
    (401 on the API, the login page on the clinic pages), since case records are for staff."""
    session = staff_session(request)
    staff = store.users.get_user(session.user_id) if session is not None else None
    if staff is None or not staff.active:
        raise LoginRequired()
    return staff


StaffDep = Annotated[Staff, Depends(current_staff)]


def signed_in(request: Request) -> bool:
    return staff_session(request) is not None


def sign_in(request: Request, staff: Staff) -> None:
    """Start a fresh session for `staff` (a new CSRF token too: no session fixation)."""
    start_session(request, staff.id)


def sign_out(request: Request) -> None:
    end_session(request)
