"""Documents to HTML (Jinja2), PDF (WeasyPrint) and JSON: the thin shell around the models.

Every template extends `base.html` and shares `style.css`, so the papers look alike: a letterhead,
plain headings, tables with the same rules, a footer with the page number. WeasyPrint is imported
on first use; it is slow to load and most commands never print a page.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

import simplejson
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from pydantic import BaseModel

from dermcover.money.amounts import cents

TEMPLATES = {
    "lmn": "lmn.html",
    "pa-packet": "pa_packet.html",
    "gfe": "gfe.html",
    "appeal": "appeal.html",
}


def money(amount: Decimal | None) -> str:
    """`$1,800.00`; a blank for an unknown amount."""
    if amount is None:
        return ""
    rounded = cents(amount)
    sign = "-" if rounded < 0 else ""
    return f"{sign}${abs(rounded):,.2f}"


def day(value: date | None) -> str:
    """`November 22, 2026`."""
    if value is None:
        return ""
    return f"{value:%B} {value.day}, {value.year}"


def short_day(value: date | None) -> str:
    """`11/22/2026`, as forms print dates."""
    return "" if value is None else f"{value:%m/%d/%Y}"


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("dermcover.documents", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = money
    env.filters["day"] = day
    env.filters["short_day"] = short_day
    return env


def html(kind: str, document: BaseModel) -> str:
    """The document as a standalone HTML page (styles inlined)."""
    env = environment()
    stylesheet = env.loader.get_source(env, "style.css")[0] if env.loader else ""
    return env.get_template(TEMPLATES[kind]).render(doc=document, stylesheet=stylesheet)


def pdf(kind: str, document: BaseModel) -> bytes:
    """The document as PDF bytes."""
    from weasyprint import HTML  # type: ignore[import-untyped]  # the package ships no types

    rendered: bytes = HTML(string=html(kind, document)).write_pdf()
    return rendered


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def json_text(document: BaseModel) -> str:
    """The document as JSON for systems: dates ISO 8601, money as exact decimal numbers."""
    data = document.model_dump(mode="python", exclude_none=True)
    return simplejson.dumps(data, use_decimal=True, default=_json_default, indent=2) + "\n"
