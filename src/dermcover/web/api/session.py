"""POST /api/v1/session signs a staff member in (a session cookie and a CSRF token for
writes); DELETE signs out; GET says who is signed in; PUT /api/v1/session/password changes the
password and ends every other session the account has."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from dermcover.store.passwords import MAX_LENGTH, MIN_LENGTH
from dermcover.store.users import WrongPassword
from dermcover.web.bodies import document, request_body
from dermcover.web.csrf import csrf_token
from dermcover.web.deps import (
    RecordsDep,
    StaffDep,
    sign_in,
    sign_out,
    verify_csrf,
)
from dermcover.web.throttle import PasswordChecks

router = APIRouter(tags=["session"])


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=254)
    password: str = Field(max_length=256)


class SessionOut(BaseModel):
    staff_id: int
    email: str
    name: str | None
    csrf_token: str = Field(description="Send it as X-CSRF-Token on every write.")


@router.post(
    "/session",
    openapi_extra=request_body(Credentials, yaml=False),
    summary="Sign in (staff)",
)
async def create_session(
    request: Request,
    credentials: Annotated[Credentials, Depends(document(Credentials))],
) -> SessionOut:
    if not request.headers.get("content-type", "").startswith("application/json"):
        # A cross-site form cannot send JSON, so this keeps sign-in itself from being forged.
        raise HTTPException(415, "send the credentials as application/json")
    checks: PasswordChecks = request.app.state.password_checks
    staff = await checks.sign_in(request, credentials.email, credentials.password)
    if staff is None:
        raise HTTPException(401, "email or password is wrong, or the account is disabled")
    await run_in_threadpool(sign_in, request, staff)
    return SessionOut(
        staff_id=staff.id, email=staff.email, name=staff.name, csrf_token=csrf_token(request)
    )


@router.get("/session", summary="Who is signed in")
def read_session(request: Request, staff: StaffDep) -> SessionOut:
    return SessionOut(
        staff_id=staff.id, email=staff.email, name=staff.name, csrf_token=csrf_token(request)
    )


@router.delete("/session", status_code=204, dependencies=[Depends(verify_csrf)], summary="Sign out")
def delete_session(request: Request) -> None:
    sign_out(request)


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(max_length=256)
    new_password: str = Field(min_length=MIN_LENGTH, max_length=MAX_LENGTH)


@router.put(
    "/session/password",
    dependencies=[Depends(verify_csrf)],
    openapi_extra=request_body(PasswordChange),
    summary="Change your password; every other session of the account ends",
)
def change_password(
    request: Request,
    change: Annotated[PasswordChange, Depends(document(PasswordChange))],
    staff: StaffDep,
    store: RecordsDep,
) -> SessionOut:
    try:
        changed = store.users.change_password(
            staff.id, change.current_password, change.new_password
        )
    except WrongPassword as exc:
        raise HTTPException(403, str(exc)) from None
    sign_in(request, changed)
    return SessionOut(
        staff_id=changed.id, email=changed.email, name=changed.name, csrf_token=csrf_token(request)
    )
