"""The clinic's workspace through its forms, on SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re

import yaml
from fastapi.testclient import TestClient

from .support import EXAMPLES, STAFF_EMAIL, STAFF_PASSWORD, csrf_from, pdf_words

CASE = {
    "patient": {"name": "Alex Example", "age": 52},
    "payer": {"policy": "generic", "plan_type": "commercial", "network": "in"},
    "procedures": [{"kind": "fractional_ablative_laser", "sessions": 3, "site": "hand"}],
    "condition": {"kind": "burn_scar", "cause": "burn", "severity": "severe"},
    "purpose": "function",
    "impairment": ["restricted_range_of_motion"],
}


def sign_in(client: TestClient) -> None:
    token = csrf_from(client.get("/clinic/login").text)
    response = client.post(
        "/clinic/login",
        data={"csrf_token": token, "email": STAFF_EMAIL, "password": STAFF_PASSWORD},
    )
    assert response.status_code == 200
    assert str(response.url).endswith("/clinic/cases")


def new_case(client: TestClient, case: dict[str, object]) -> str:
    token = csrf_from(client.get("/clinic/cases/new").text)
    response = client.post(
        "/clinic/cases", data={"csrf_token": token, "document": yaml.safe_dump(case)}
    )
    assert response.status_code == 200, response.text
    return str(response.url)


def test_anonymous_visitors_are_sent_to_sign_in(records_client: TestClient) -> None:
    for path in ("/clinic/cases", "/clinic/cases/1", "/clinic/cases/new"):
        response = records_client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/clinic/login"


def test_a_wrong_password_is_refused_on_the_page(records_client: TestClient) -> None:
    token = csrf_from(records_client.get("/clinic/login").text)
    response = records_client.post(
        "/clinic/login", data={"csrf_token": token, "email": STAFF_EMAIL, "password": "nope"}
    )
    assert response.status_code == 401
    assert "do not match" in response.text


def test_signing_in_needs_the_forms_csrf_token(records_client: TestClient) -> None:
    records_client.get("/clinic/login")
    response = records_client.post(
        "/clinic/login", data={"email": STAFF_EMAIL, "password": STAFF_PASSWORD}
    )
    assert response.status_code == 403


def test_a_new_case_shows_its_facts_and_determination(records_client: TestClient) -> None:
    sign_in(records_client)
    url = new_case(records_client, CASE)
    page = records_client.get(url).text
    assert "Alex Example" in page
    assert "Determination" in page
    listing = records_client.get("/clinic/cases").text
    assert "Alex Example" in listing


def test_a_bad_case_is_shown_again_with_the_error(records_client: TestClient) -> None:
    sign_in(records_client)
    token = csrf_from(records_client.get("/clinic/cases/new").text)
    response = records_client.post(
        "/clinic/cases",
        data={"csrf_token": token, "document": "procedures:\n  - kind: laser_magic\n"},
    )
    assert response.status_code == 422
    assert "case:2: procedures[0].kind = &#39;laser_magic&#39;" in response.text
    assert "laser_magic" in response.text, "what was typed is kept"


def test_recording_a_denial_shows_the_appeal_deadline(records_client: TestClient) -> None:
    sign_in(records_client)
    url = new_case(records_client, CASE)
    page = records_client.get(url).text
    case_path = url.split("testserver")[-1]
    response = records_client.post(
        f"{case_path}/events",
        data={"csrf_token": csrf_from(page), "kind": "pa_denied", "on": "2025-01-10"},
    )
    assert response.status_code == 200
    page = html.unescape(response.text)
    # Research C1: ERISA/ACA internal appeal, denial received 2025-01-10 -> file by 2025-07-09.
    assert "2025-07-09" in page
    assert "Prior authorization denied" in page
    listing = records_client.get("/clinic/cases").text
    assert "2025-07-09" in listing


def test_an_event_dated_in_the_future_is_explained(records_client: TestClient) -> None:
    sign_in(records_client)
    url = new_case(records_client, CASE)
    page = records_client.get(url).text
    response = records_client.post(
        f"{url.split('testserver')[-1]}/events",
        data={"csrf_token": csrf_from(page), "kind": "pa_denied", "on": "2999-01-01"},
    )
    assert response.status_code == 422
    assert "after today" in response.text


def test_signing_out_ends_the_session(records_client: TestClient) -> None:
    sign_in(records_client)
    page = records_client.get("/clinic/cases").text
    records_client.post("/clinic/logout", data={"csrf_token": csrf_from(page)})
    response = records_client.get("/clinic/cases", follow_redirects=False)
    assert response.status_code == 303


def test_a_document_downloads_or_says_what_is_missing(records_client: TestClient) -> None:
    sign_in(records_client)
    url = new_case(records_client, CASE)
    path = url.split("testserver")[-1]
    page = records_client.get(url).text
    token = csrf_from(page)
    # The case does not say who performs it or where, so the policy's answer is still open:
    # a letter must not claim medical necessity before it is settled.
    refused = records_client.post(f"{path}/documents", data={"csrf_token": token, "kind": "lmn"})
    assert refused.status_code == 422
    assert "Cannot write the letter of medical necessity yet" in refused.text
    assert "still depends on open questions" in refused.text
    # No letter for an appeal either without the denial notice.
    appeal = records_client.post(f"{path}/documents", data={"csrf_token": token, "kind": "appeal"})
    assert appeal.status_code == 422
    assert "denial: required" in html.unescape(appeal.text)


def test_a_complete_case_gets_its_letter_as_a_pdf(records_client: TestClient) -> None:
    sign_in(records_client)
    url = new_case(
        records_client, yaml.safe_load(EXAMPLES.joinpath("burn-scar-laser.yaml").read_text())
    )
    page = records_client.get(url).text
    response = records_client.post(
        f"{url.split('testserver')[-1]}/documents",
        data={
            "csrf_token": csrf_from(page),
            "kind": "lmn",
            "interval_every": "6",
            "interval_unit": "weeks",
        },
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_clinic_writes_the_estimate_in_the_patients_language(
    records_client: TestClient,
) -> None:
    sign_in(records_client)
    case = yaml.safe_load(EXAMPLES.joinpath("self-pay-microneedling.yaml").read_text())
    url = new_case(records_client, case)
    page = records_client.get(url).text
    assert '<option value="es">Español</option>' in page
    form = {
        "csrf_token": csrf_from(page),
        "kind": "gfe",
        "scheduled_on": "2026-11-23",
        "first_session": "2026-12-07",
        "interval_every": "4",
        "interval_unit": "weeks",
        "nothing_separate": "1",
        "self_pay": "350",
    }
    path = f"{url.split('testserver')[-1]}/documents"
    spanish = records_client.post(path, data={**form, "patient_language": "es"})
    assert spanish.status_code == 200, html.unescape(spanish.text)[-800:]
    text = pdf_words(spanish.content)
    assert "Estimación de Buena Fe" in text and "Total de cargos previstos" in text
    assert "07/12/2026" in text  # day first
    english = pdf_words(records_client.post(path, data=form).content)
    assert "Good Faith Estimate" in english and "12/07/2026" in english
    wrong = records_client.post(path, data={**form, "patient_language": "fr"})
    assert wrong.status_code == 422
    assert "patient_language: 'fr' is not a language dermcover writes; allowed: en, es" in (
        html.unescape(wrong.text)
    )


def test_a_refused_estimate_keeps_the_dates_and_prices_typed(records_client: TestClient) -> None:
    sign_in(records_client)
    url = new_case(records_client, CASE)
    page = records_client.get(url).text
    refused = records_client.post(
        f"{url.split('testserver')[-1]}/documents",
        data={
            "csrf_token": csrf_from(page),
            "kind": "gfe",
            "scheduled_on": "2026-01-05",
            "first_session": "2026-02-02",
            "interval_every": "4",
            "interval_unit": "months",
            "self_pay": "450",
        },
    )
    assert refused.status_code == 422  # the case has no provider NPI, so no estimate yet
    text = refused.text
    assert 'name="scheduled_on" value="2026-01-05"' in text
    assert 'name="first_session" value="2026-02-02"' in text
    assert 'name="interval_every" value="4"' in text
    assert '<option value="months" selected>' in text
    assert 'name="self_pay" value="450"' in text
    # A box left unticked stays unticked.
    assert re.search(r'name="nothing_separate" value="1"\s*>', text)


def test_a_patients_saved_answers_open_as_a_case(records_client: TestClient) -> None:
    # What the patient's "Save my answers" writes (tests/web/test_patient_pages.py saves one).
    saved = """\
format: dermcover-answers/1
case:
  procedures: [{kind: microneedling, sessions: 3}]
  payer: {plan_type: commercial}
  patient: {name: Ana Gomez}
  condition: {kind: acne_scars}
  purpose: appearance
  impairment: []
costs: {self_pay: "350", sessions: "3"}
answered: [condition.kind, purpose, impairment]
"""
    sign_in(records_client)
    token = csrf_from(records_client.get("/clinic/cases").text)
    response = records_client.post(
        "/clinic/cases/import",
        data={"csrf_token": token},
        files={"answers": ("my-coverage-check.yaml", saved.encode(), "application/yaml")},
    )
    assert response.status_code == 200
    assert "/clinic/cases/" in str(response.url)
    assert "Ana Gomez" in response.text
    assert "Not covered" in response.text  # decided on arrival
    bad = records_client.post(
        "/clinic/cases/import",
        data={"csrf_token": token},
        files={"answers": ("x.yaml", b"hello: world\n", "application/yaml")},
    )
    assert bad.status_code == 422
    assert "not saved answers or a case" in html.unescape(bad.text)
