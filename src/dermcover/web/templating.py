"""The Jinja2 environment the pages render with, and the filters that put domain values into
plain words and dollars."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from starlette.requests import Request

from dermcover.web import labels
from dermcover.web.csrf import csrf_token

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


def _csrf(request: Request) -> dict[str, Any]:
    return {"csrf_token": csrf_token(request)}


def dollars(amount: Decimal | int | None) -> str:
    if amount is None:
        return "—"
    return f"${Decimal(amount):,.2f}"


templates = Jinja2Templates(directory=TEMPLATES, context_processors=[_csrf])
templates.env.filters["dollars"] = dollars
templates.env.filters["label"] = labels.label
templates.env.globals["labels"] = labels
