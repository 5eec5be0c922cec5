"""English and Spanish: the translation catalogue and the way each language writes money and dates.

The catalogue is gettext's (Babel): `src/dermcover/locale/messages.pot`, one `.po` per language
and its compiled `.mo` beside it (`make translations` extracts, updates and compiles). English is
the language the code is written in, so it needs no catalogue. Money and dates are formatted by
Babel for the United States in each language (`en_US`, `es_US`): the same dollar sign and digit
grouping, the words and the order of day and month the reader expects. Amounts stay Decimal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from dermcover.money.amounts import cents

LOCALE = Path(__file__).resolve().parent / "locale"
LANGUAGES: dict[str, str] = {"en": "English", "es": "Español"}
DEFAULT = "en"
# Babel's locale for each language: care and its papers are given in the United States.
REGIONS = {"en": "en_US", "es": "es_US"}
# How a form writes a date in figures: 11/22/2026 in English, 22/11/2026 in Spanish.
SHORT_DATES = {"en": "MM/dd/yyyy", "es": "dd/MM/yyyy"}


@cache
def translations(language: str) -> NullTranslations:
    if language == DEFAULT:
        return NullTranslations()
    return Translations.load(str(LOCALE), [language], domain="messages")


def N_(message: str) -> str:
    """A message marked for the catalogue and translated later, where the reader is known."""
    return message


def translate(language: str, message: str) -> str:
    """One message in the language, for text made outside the templates."""
    return str(translations(language).gettext(message))


def has_translation(language: str, message: str) -> bool:
    """Whether the catalogue has the message in the language (English always has)."""
    if language == DEFAULT:
        return True
    catalogue: dict[object, str] = getattr(translations(language), "_catalog", {})
    return bool(catalogue.get(message))


@cache
def _pattern(template: str) -> re.Pattern[str]:
    """`Ask %(payer)s first.` -> a pattern that matches the sentence and names its values (`%%`
    stands for the `%` the sentence has)."""
    parts = re.split(r"%\((\w+)\)s", template)
    return re.compile(
        "".join(
            re.escape(part.replace("%%", "%")) if n % 2 == 0 else f"(?P<{part}>.+?)"
            for n, part in enumerate(parts)
        )
    )


def translate_made(
    language: str,
    text: str,
    templates: Iterable[str],
    values: Callable[[str, str], str] | None = None,
) -> str | None:
    """An English sentence made elsewhere (by the engine, a calculator) in `language`.

    The sentence is matched against the templates it may have been made from (%-style, with
    named values); the translated template gets the values back, each passed through `values`
    (name, English value) when given. A sentence that is itself a message is looked up whole.
    None when the catalogue has no translation, so the caller can say the text stays English.
    """
    if language == DEFAULT:
        return text
    for template in templates:
        found = _pattern(template).fullmatch(text)
        if found is None:
            continue
        if not has_translation(language, template):
            return None
        named = found.groupdict()
        if values is not None:
            named = {name: values(name, value) for name, value in named.items()}
        return translate(language, template) % named
    return translate(language, text) if has_translation(language, text) else None


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


def money(amount: Decimal | None, language: str = DEFAULT) -> str:
    """`$1,800.00`; a blank for an unknown amount."""
    if amount is None:
        return ""
    from babel.numbers import format_currency  # loaded on first use, as the papers need it

    return str(format_currency(cents(amount), "USD", locale=REGIONS[language]))


def whole_dollars(amount: Decimal, language: str = DEFAULT) -> str:
    """`$400`: a round figure as a rule or a law states it."""
    from babel.numbers import format_currency

    return str(
        format_currency(amount, "USD", "¤#,##0", locale=REGIONS[language], currency_digits=False)
    )


def long_date(value: date | None, language: str = DEFAULT) -> str:
    """`November 22, 2026`; `22 de noviembre de 2026`."""
    if value is None:
        return ""
    from babel.dates import format_date

    return str(format_date(value, "long", locale=REGIONS[language]))


def short_date(value: date | None, language: str = DEFAULT) -> str:
    """`11/22/2026`; `22/11/2026`."""
    if value is None:
        return ""
    from babel.dates import format_date

    return str(format_date(value, SHORT_DATES[language], locale=REGIONS[language]))
