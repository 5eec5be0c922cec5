"""The Jinja2 environment the pages render with, and the filters that put domain values into
plain words and dollars."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from starlette.requests import Request

from dermcover.web import labels
from dermcover.web.csrf import csrf_token
from dermcover.web.i18n import DEFAULT, template_context, translate

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


def _csrf(request: Request) -> dict[str, Any]:
    return {"csrf_token": csrf_token(request)}


def dollars(amount: Decimal | int | None) -> str:
    if amount is None:
        return "—"
    return f"${Decimal(amount):,.2f}"


@pass_context
def _label(context: Context, value: object) -> str:
    """A domain value in plain words, in the page's language."""
    return translate(context.get("lang") or DEFAULT, labels.label(value))


@pass_context
def _answer_text(context: Context, value: object) -> str:
    language = context.get("lang") or DEFAULT
    if isinstance(value, list) and value:
        return "; ".join(_answer_text(context, item) for item in value)
    return translate(language, labels.answer_text(value))


templates = Jinja2Templates(directory=TEMPLATES, context_processors=[_csrf, template_context])
templates.env.add_extension("jinja2.ext.i18n")
templates.env.newstyle_gettext = True  # type: ignore[attr-defined]
templates.env.filters["dollars"] = dollars
templates.env.filters["label"] = _label
templates.env.globals["answer_text"] = _answer_text
templates.env.globals["labels"] = labels
