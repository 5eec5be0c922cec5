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
from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from pydantic import BaseModel

from dermcover import i18n

TEMPLATES = {
    "lmn": "lmn.html",
    "pa-packet": "pa_packet.html",
    "gfe": "gfe.html",
    "appeal": "appeal.html",
}


@pass_context
def money(context: Context, amount: Decimal | None) -> str:
    """`$1,800.00` in either language; a blank for an unknown amount."""
    return i18n.money(amount, context.get("lang", i18n.DEFAULT))


@pass_context
def day(context: Context, value: date | None) -> str:
    """`November 22, 2026`; `22 de noviembre de 2026`."""
    return i18n.long_date(value, context.get("lang", i18n.DEFAULT))


@pass_context
def short_day(context: Context, value: date | None) -> str:
    """`11/22/2026`, as forms print dates; `22/11/2026` in Spanish."""
    return i18n.short_date(value, context.get("lang", i18n.DEFAULT))


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("dermcover.documents", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.filters["money"] = money
    env.filters["day"] = day
    env.filters["short_day"] = short_day
    return env


def html(kind: str, document: BaseModel, language: str = i18n.DEFAULT) -> str:
    """The document as a standalone HTML page (styles inlined), its fixed words in `language`
    (the words built with the model are in the language it was built in)."""
    env = environment()
    stylesheet = env.loader.get_source(env, "style.css")[0] if env.loader else ""
    gettext, ngettext = i18n.gettext_for(language)
    return env.get_template(TEMPLATES[kind]).render(
        doc=document,
        stylesheet=stylesheet,
        lang=language,
        gettext=gettext,
        ngettext=ngettext,
        _=gettext,
    )


def pdf(kind: str, document: BaseModel, language: str = i18n.DEFAULT) -> bytes:
    """The document as PDF bytes."""
    from weasyprint import HTML  # type: ignore[import-untyped]  # the package ships no types

    rendered: bytes = HTML(string=html(kind, document, language)).write_pdf()
    return rendered


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def json_text(document: BaseModel) -> str:
    """The document as JSON for systems: dates ISO 8601, money as exact decimal numbers."""
    data = document.model_dump(mode="python", exclude_none=True)
    return simplejson.dumps(data, use_decimal=True, default=_json_default, indent=2) + "\n"
