"""The pages' language: English or Spanish, from the person's choice or their browser.

The catalogue is `dermcover.i18n`'s (gettext, through Babel). The
language is, in order: the `dermcover_lang` cookie the switcher sets (`/language?to=es`), the
browser's Accept-Language, English. Neither carries anything about the person.

Templates translate with Jinja2's i18n extension (`{% trans %}`, `_()`); the callables are put
in each request's template context, so one shared environment serves every language at once.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from dermcover.i18n import DEFAULT, LANGUAGES, gettext_for, translate

__all__ = ["COOKIE", "DEFAULT", "LANGUAGES", "language_of", "template_context", "translate"]

COOKIE = "dermcover_lang"


def from_accept_language(header: str | None) -> str | None:
    """The first language the browser prefers that the pages speak: `es-MX,es;q=0.9` -> es."""
    if not header:
        return None
    preferences: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        preferences.append((-quality, position, tag.strip().lower()))
    for negative_quality, _, tag in sorted(preferences):
        primary = tag.split("-")[0]
        if negative_quality < 0 and primary in LANGUAGES:
            return primary
    return None


def language_of(request: Request) -> str:
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return from_accept_language(request.headers.get("accept-language")) or DEFAULT


def template_context(request: Request) -> dict[str, Any]:
    language = language_of(request)
    gettext, ngettext = gettext_for(language)
    return {
        "lang": language,
        "languages": LANGUAGES,
        "gettext": gettext,
        "ngettext": ngettext,
        "_": gettext,
    }
