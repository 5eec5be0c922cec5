"""The clinic's sign-in and sign-out pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dermcover.web.deps import (
    sign_in,
    sign_out,
    signed_in,
    verify_csrf,
)
from dermcover.web.templating import templates
from dermcover.web.throttle import PasswordChecks

router = APIRouter(prefix="/clinic", dependencies=[Depends(verify_csrf)])

CASES_PAGE = "/clinic/cases"


@router.get("/login")
def login_page(request: Request) -> Response:
    if signed_in(request):
        return RedirectResponse(CASES_PAGE, status_code=303)
    return templates.TemplateResponse(request, "clinic/login.html", {"error": None})


@router.post("/login")
async def login(
    request: Request,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    checks: PasswordChecks = request.app.state.password_checks
    staff = await checks.sign_in(request, email, password) if email and password else None
    if staff is None:
        return templates.TemplateResponse(
            request,
            "clinic/login.html",
            {
                "error": "That email and password do not match an active staff account.",
                "email": email,
            },
            status_code=401,
        )
    await run_in_threadpool(sign_in, request, staff)
    return RedirectResponse(CASES_PAGE, status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    sign_out(request)
    return RedirectResponse("/clinic/login", status_code=303)
