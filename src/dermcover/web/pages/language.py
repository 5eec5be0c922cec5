"""The language switcher: `/language?to=es&next=/check` remembers the choice in a cookie and goes
back to the page. Only a path on this site is followed back, and the cookie holds the language
code alone."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse, Response

from dermcover.web.errors import FieldError
from dermcover.web.i18n import COOKIE, LANGUAGES

router = APIRouter()

ONE_YEAR = 365 * 24 * 3600


@router.get("/language")
def switch_language(
    to: Annotated[str, Query(max_length=8)], next: Annotated[str, Query(max_length=200)] = "/"
) -> Response:
    if to not in LANGUAGES:
        raise FieldError(
            f"query parameter to = {to!r}: not a language these pages speak; "
            f"allowed: {', '.join(LANGUAGES)}",
            "to",
        )
    back = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(back, status_code=303)
    response.set_cookie(COOKIE, to, max_age=ONE_YEAR, samesite="lax", httponly=True)
    return response
