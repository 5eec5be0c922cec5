"""The pages in English and Spanish: chosen by the browser or the switcher, from a real gettext
catalogue that is complete and compiled."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from dermcover.web.i18n import from_accept_language

from .support import csrf_from, pdf_words
from .test_patient_pages import asked, download_estimate, hidden, reply, result_page, start

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


def _words(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _walk(client: TestClient, page: str, answers: dict[str, str], skip: bool = True) -> str:
    response = start(client, page.split(":")[0], policy=page.split(":")[1])
    while 'id="verdict"' not in response.text:
        field = asked(response)
        action = "answer" if field in answers else "skip"
        response = reply(
            client, response, action, **({"answer": answers[field]} if field in answers else {})
        )
    return response.text


def test_a_spanish_result_gives_the_reasons_next_steps_and_open_questions_in_spanish(
    client: TestClient,
) -> None:
    client.cookies.set("dermcover_lang", "es")
    # A peel for actinic keratoses under Aetna: the depth, the count and the topical treatment
    # tried are left unanswered, so the answer waits on them.
    page = _walk(client, "chemical_peel:aetna", {"condition.kind": "actinic_keratosis"})
    text = _words(page)
    # The engine's reason, its outcomes put back in Spanish.
    assert (
        "La respuesta depende de datos que aún no tenemos: podría estar cubierto con "
        "autorización previa o no cubierto por no ser médicamente necesario." in text
    )
    # The next steps, with the count and the missing records translated.
    assert "Conteste las 3 preguntas de abajo; cada respuesta puede cambiar el resultado." in text
    assert "Reúna antes de enviar: fotos, mapa de lesiones" in text
    # The questions left open, and why each record is needed (the pack's words, in Spanish).
    assert "¿Cuántas queratosis actínicas hay?" in text
    assert "Fechas y resultados del 5-FU, el imiquimod, la crioterapia" in text
    for english in ("The answer depends", "Answer the 3 questions", "Gather before submitting"):
        assert english not in text, english
    assert "se muestran en inglés" not in text, "every sentence shown has its translation"


def test_a_spanish_result_gives_the_policys_own_reason_in_spanish(client: TestClient) -> None:
    client.cookies.set("dermcover_lang", "es")
    text = _words(result_page(client).text)
    assert (
        "Los planes excluyen los tratamientos cuyo fin es cambiar el aspecto de la piel; esta "
        "afección y este fin entran en esa exclusión." in text
    )
    assert "pida a la clínica una Estimación de Buena Fe del precio sin seguro" in text
    assert "Plans exclude treatment whose aim" not in text


def test_the_spread_reads_in_spanish_with_the_payers_named(client: TestClient) -> None:
    client.cookies.set("dermcover_lang", "es")
    answers = {"condition.kind": "acne_scars", "purpose": "appearance", "impairment": "__none__"}
    text = _words(_walk(client, "microneedling:all", answers))
    assert "de los 6 planes que conocemos lo consideran cosmético (Aetna, Cigna, Medicare y" in text
    assert "Anthem: La respuesta depende de datos que aún no tenemos" in text
    assert "plans we know" not in text


def test_a_spanish_page_says_the_letter_to_the_insurer_is_in_english(client: TestClient) -> None:
    client.cookies.set("dermcover_lang", "es")
    answers = {
        "condition.kind": "burn_scar",
        "condition.cause": "burn",
        "purpose": "function",
        "impairment": "restricted_range_of_motion",
        "provider.setting": "office",
        "provider.type": "dermatologist",
    }
    text = _words(_walk(client, "fractional_ablative_laser:generic", answers))
    assert "Carta de necesidad médica" in text
    assert "Va dirigida a la aseguradora, así que está en inglés." in text
    # The framework's payer is "your health plan", and reads so in Spanish too.
    assert "solicite la autorización previa a su plan de salud antes del tratamiento" in text


def test_the_english_result_keeps_the_engines_words(client: TestClient) -> None:
    page = _walk(client, "chemical_peel:aetna", {"condition.kind": "actinic_keratosis"})
    text = _words(page)
    assert "The answer depends on facts the case does not give yet: it could be covered" in text
    assert "Answer the 3 questions below; each answer can change the result." in text
    assert "Gather before submitting: photos, lesion map" in text
    assert "no están traducidas" not in text


def test_the_api_answers_in_english_whatever_the_browser(client: TestClient) -> None:
    case = {"procedures": [{"kind": "microneedling"}], "condition": {"kind": "acne_scars"}}
    client.cookies.set("dermcover_lang", "es")
    response = client.post("/api/v1/determinations", json=case, headers=SPANISH)
    assert response.status_code == 200, response.text
    body = response.json()
    assert any("The answer depends" in r for line in body["lines"] for r in line["reasons"])


def test_the_estimate_a_spanish_page_downloads_is_in_spanish(client: TestClient) -> None:
    client.cookies.set("dermcover_lang", "es")
    response = download_estimate(client, result_page(client))
    first = date.today() + timedelta(days=21)
    assert response.status_code == 200
    text = pdf_words(response.content)
    assert "Estimación de Buena Fe" in text
    assert "02/04/1990" in text  # the birth date, day first
    assert "$1,050.00" in text  # three sessions at $350
    assert f"{first.day:02d}/{first.month:02d}/{first.year}" in text
    assert "Good Faith Estimate" not in text


def _ask_for_estimate(client: TestClient, **details: str) -> str:
    page = result_page(client)
    data = {
        "csrf_token": csrf_from(page.text),
        "state": hidden(page.text, "state"),
        "kind": "gfe",
        "self_pay": "350",
        **details,
    }
    response = client.post("/check/papers", data=data)
    assert response.status_code == 422
    return _words(response.text)


def test_a_spanish_page_says_in_spanish_what_the_estimate_still_needs(
    client: TestClient,
) -> None:
    client.cookies.set("dermcover_lang", "es")
    text = _ask_for_estimate(client, provider_name="Dra. Ana Ruiz", provider_state="OR")
    assert "Aún no se puede redactar: Estimación de Buena Fe." in text
    # A missing detail by the name of the form field the patient fills in.
    assert "Falta: Nombre completo" in text
    assert "Falta: Fecha de nacimiento" in text
    assert "Falta: NPI" in text
    assert "Falta: Número de identificación fiscal (TIN)" in text
    assert "Falta: Nombre del médico" not in text, "the clinician's name was given"
    assert "escríbala en «Dirección»" in text
    assert "escríbalos en «Códigos de diagnóstico»" in text
    assert "escríbalo en «Reservado el»" in text
    for english in ("is missing", "provider.npi", "schedule.", "condition.diagnoses"):
        assert english not in text, english
    assert "se muestran en inglés" not in text, "every reason has its translation"


def test_a_spanish_page_tells_an_insured_patient_how_to_ask_for_an_estimate(
    client: TestClient,
) -> None:
    client.cookies.set("dermcover_lang", "es")
    text = _ask_for_estimate(client, plan_type="commercial")
    assert "Usted tiene seguro (Comercial (del empleador o del mercado de seguros))." in text
    assert "marque «Tengo seguro, pero pagaré yo, sin reclamar a mi plan»" in text
    assert "self_pay_requested" not in text


def test_a_spanish_result_names_the_policy_in_spanish_and_its_english_title(
    client: TestClient,
) -> None:
    client.cookies.set("dermcover_lang", "es")
    text = _words(_walk(client, "chemical_peel:aetna", {"condition.kind": "actinic_keratosis"}))
    assert (
        "Según Boletines de política clínica de Aetna para procedimientos de la piel "
        "(Aetna clinical policy bulletins for skin procedures)" in text
    )
    client.cookies.set("dermcover_lang", "en")
    english = _words(_walk(client, "chemical_peel:aetna", {"condition.kind": "actinic_keratosis"}))
    assert "Under Aetna clinical policy bulletins for skin procedures" in english
    assert "Boletines" not in english


def _costs_error(client: TestClient, **typed: str) -> str:
    page = result_page(client)
    data = {"csrf_token": csrf_from(page.text), "state": hidden(page.text, "state"), **typed}
    response = client.post("/check/costs", data=data)
    assert response.status_code == 422
    found = re.search(r'<p class="error" role="alert">(.*?)</p>', response.text, re.S)
    assert found, "the costs form says what is wrong"
    return _words(found.group(1))


def test_the_costs_form_says_what_is_wrong_in_spanish_by_the_forms_own_labels(
    client: TestClient,
) -> None:
    client.cookies.set("dermcover_lang", "es")
    assert _costs_error(client, self_pay="mucho") == "Precio en efectivo: «mucho» no es un número."
    assert (
        _costs_error(client, self_pay="350", coinsurance="150")
        == "Coseguro: 150 % no es un porcentaje de 0 a 100."
    )
    assert _costs_error(client, deductible="1500") == (
        "Los precios: escriba el «Precio en efectivo» por sesión o el «Cargo completo»: una "
        "sesión que el plan no paga se cobra a ese precio"
    )
    client.cookies.set("dermcover_lang", "en")
    # In English too, a field is named as the form labels it.
    assert _costs_error(client, self_pay="lots") == "Cash price: “lots” is not a number."


def test_a_question_answered_wrongly_says_so_in_spanish(client: TestClient) -> None:
    client.cookies.set("dermcover_lang", "es")
    question = start(client, "microneedling")
    response = reply(client, question, "answer", answer="")
    assert response.status_code == 422
    text = _words(response.text)
    assert "Responda, o elija «No lo sé»." in text
    assert "Give an answer" not in text and "aún sin traducir" not in text
    token = csrf_from(client.get("/").text)
    started = client.post("/check", data={"csrf_token": token, "action": "start"})
    assert "Elija el procedimiento que está considerando." in _words(started.text)


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
