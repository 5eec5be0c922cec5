"""The pages in English and Spanish: chosen by the browser or the switcher, from a real gettext
catalogue that is complete and compiled."""

from __future__ import annotations

import html
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from dermcover.web.i18n import from_accept_language

from .test_patient_pages import reply, start

LOCALE = Path(__file__).resolve().parents[2] / "src" / "dermcover" / "locale"
SPANISH = {"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}


def test_the_browsers_preference_picks_the_language() -> None:
    assert from_accept_language("es-MX,es;q=0.9,en;q=0.5") == "es"
    assert from_accept_language("fr-FR,en;q=0.8,es;q=0.9") == "es"  # by quality, not order
    assert from_accept_language("en-US,en;q=0.9") == "en"
    assert from_accept_language("de-DE") is None
    assert from_accept_language("es;q=0") is None
    assert from_accept_language(None) is None


def test_a_spanish_browser_gets_the_start_page_in_spanish(client: TestClient) -> None:
    page = client.get("/", headers=SPANISH).text
    assert '<html lang="es">' in page
    assert "¿Lo cubrirá mi seguro?" in page
    assert "Microagujas (microneedling)" in page  # a procedure's label, from the catalogue
    english = client.get("/").text
    assert '<html lang="en">' in english
    assert "Will my insurance cover it?" in english


def test_the_switcher_remembers_the_choice_without_patient_data(client: TestClient) -> None:
    switched = client.get("/language", params={"to": "es", "next": "/"}, follow_redirects=False)
    assert switched.status_code == 303
    assert switched.headers["location"] == "/"
    assert switched.headers["set-cookie"].startswith("dermcover_lang=es;")
    assert "¿Lo cubrirá mi seguro?" in client.get("/").text  # the cookie wins over the browser
    back = client.get("/language", params={"to": "en", "next": "//evil.example"})
    assert back.url.path == "/"  # only a path on this site is followed
    assert "Will my insurance cover it?" in back.text
    refused = client.get("/language", params={"to": "fr"})
    assert refused.status_code == 422
    assert "allowed: en, es" in refused.text


def test_the_questions_and_the_result_are_in_spanish(client: TestClient) -> None:
    client.cookies.set("dermcover_lang", "es")
    question = start(client, "microneedling")
    text = html.unescape(question.text)
    assert "Pregunta 1" in text
    assert "¿Qué afección" in text  # the engine's question, from the catalogue
    assert "No lo sé" in text
    answered = reply(client, question, "answer", answer="acne_scars")
    answered = reply(client, answered, "answer", answer="appearance")
    result = html.unescape(reply(client, answered, "answer", answer="__none__").text)
    assert "No cubierto: el plan lo trata como estético" in result
    assert "Sus respuestas no se guardan aquí" in result
    # Plain words for the plan's terms, where the costs form asks for them.
    assert "Deducible: lo que usted paga cada año del plan" in result
    assert "Coseguro: después del deducible" in result
    assert "Máximo de gastos de bolsillo: lo máximo que usted paga" in result


def test_the_costs_form_explains_the_plans_terms_in_english(client: TestClient) -> None:
    question = start(client, "microneedling")
    answered = reply(client, question, "answer", answer="acne_scars")
    answered = reply(client, answered, "answer", answer="appearance")
    result = html.unescape(reply(client, answered, "answer", answer="__none__").text)
    assert "Deductible: what you pay each plan year for covered care" in result
    assert "With 20%, you pay $20 of every $100" in result
    assert "Out-of-pocket maximum: the most you pay in a plan year" in result


def test_every_message_has_a_spanish_translation_and_the_mo_is_current() -> None:
    template = read_po((LOCALE / "messages.pot").open("rb"))
    spanish = read_po((LOCALE / "es" / "LC_MESSAGES" / "messages.po").open("rb"))
    wanted = {message.id if isinstance(message.id, str) else message.id[0] for message in template}
    for message in spanish:
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key:
            assert message.string and "fuzzy" not in message.flags, key
            wanted.discard(key)
    assert wanted <= {""}, f"not in the Spanish catalogue: {sorted(wanted)[:5]}"
    compiled = BytesIO()
    write_mo(compiled, spanish)
    compiled.seek(0)
    fresh = _messages(read_mo(compiled))
    committed = _messages(read_mo((LOCALE / "es" / "LC_MESSAGES" / "messages.mo").open("rb")))
    assert committed == fresh, "the .mo is older than the .po: run `make translations`"


def _messages(catalog: Catalog) -> dict[object, object]:
    return {_key(m.id): _key(m.string) for m in catalog if m.id}


def _key(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value
