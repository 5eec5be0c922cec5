"""The pages' language: English or Spanish, from the person's choice or their browser.

The catalogue is gettext's (Babel): `src/dermcover/locale/messages.pot`, one `.po` per language
and its compiled `.mo` beside it (`make translations` extracts, updates and compiles). The
language is, in order: the `dermcover_lang` cookie the switcher sets (`/language?to=es`), the
browser's Accept-Language, English. Neither carries anything about the person.

Templates translate with Jinja2's i18n extension (`{% trans %}`, `_()`); the callables are put
in each request's template context, so one shared environment serves every language at once.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from starlette.requests import Request

LOCALE = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES: dict[str, str] = {"en": "English", "es": "Español"}
DEFAULT = "en"
COOKIE = "dermcover_lang"


@cache
def translations(language: str) -> NullTranslations:
    if language == DEFAULT:
        return NullTranslations()
    return Translations.load(str(LOCALE), [language], domain="messages")


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


def gettext_for(language: str) -> tuple[Any, Any]:
    """Jinja2 "new style" gettext and ngettext for one language (autoescaped, %-formatted)."""
    catalogue = translations(language)

    @pass_context
    def gettext(context: Context, message: str, **variables: Any) -> str:
        text = catalogue.gettext(message)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables if variables else text

    @pass_context
    def ngettext(
        context: Context, singular: str, plural: str, number: int, **variables: Any
    ) -> str:
        variables.setdefault("num", number)
        text = catalogue.ngettext(singular, plural, number)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    return gettext, ngettext


def translate(language: str, message: str) -> str:
    """One message in the language, for text made outside the templates."""
    return str(translations(language).gettext(message))


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
