"""Document downloads through the API: the PDF when the document can honestly be written, a
409 with every reason when the case as decided does not support it, a 422 when an input is
missing (docs/samples holds the same documents from the CLI)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from .support import example

DATE = {"date": "2026-11-22"}


def request(**parts: Any) -> dict[str, Any]:
    return {"case": example("burn-scar-laser.yaml"), **parts}


def test_a_letter_for_a_covered_case_is_a_pdf(client: TestClient) -> None:
    body = request(schedule=example("schedule-burn-laser.yaml"))
    response = client.post("/api/v1/documents/lmn", params=DATE, json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "letter-of-medical-necessity.pdf" in response.headers["content-disposition"]


def test_the_same_document_as_json_names_the_patient(client: TestClient) -> None:
    case = example("burn-scar-laser.yaml")
    body = request(schedule=example("schedule-burn-laser.yaml"))
    response = client.post(
        "/api/v1/documents/pa-packet", params={**DATE, "format": "json"}, json=body
    )
    assert response.status_code == 200, response.text
    assert case["patient"]["name"] in response.text


def test_no_letter_for_a_cosmetic_case(client: TestClient) -> None:
    body = {"case": example("pico-laser-prp-melasma.yaml")}
    response = client.post("/api/v1/documents/lmn", params=DATE, json=body)
    assert response.status_code == 409
    assert response.json()["detail"].startswith("cannot write the letter of medical necessity")


def test_a_gfe_needs_the_prices(client: TestClient) -> None:
    body = {"case": example("self-pay-microneedling.yaml")}
    response = client.post("/api/v1/documents/gfe", params=DATE, json=body)
    assert response.status_code == 422
    assert response.json()["field"] == "estimate"


def test_a_gfe_for_a_self_pay_patient(client: TestClient) -> None:
    body = {
        "case": example("self-pay-microneedling.yaml"),
        "estimate": example("self-pay-microneedling-estimate.yaml"),
        "schedule": example("self-pay-microneedling-schedule.yaml"),
    }
    response = client.post("/api/v1/documents/gfe", params={"date": "2026-11-23"}, json=body)
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"%PDF")


def gfe_request() -> dict[str, Any]:
    return {
        "case": example("self-pay-microneedling.yaml"),
        "estimate": example("self-pay-microneedling-estimate.yaml"),
        "schedule": example("self-pay-microneedling-schedule.yaml"),
    }


def test_a_gfe_in_spanish_for_the_patient_who_reads_it(client: TestClient) -> None:
    params = {"date": "2026-11-23", "format": "html"}
    english = client.post("/api/v1/documents/gfe", params=params, json=gfe_request())
    spanish = client.post(
        "/api/v1/documents/gfe", params={**params, "lang": "es"}, json=gfe_request()
    )
    assert english.status_code == spanish.status_code == 200, spanish.text
    assert '<html lang="en">' in english.text and "Total de cargos previstos" not in english.text
    assert '<html lang="es">' in spanish.text and "Total de cargos previstos" in spanish.text
    assert "$" in spanish.text, "the money stays in dollars"


def test_a_spanish_letter_to_the_insurer_is_refused_not_quietly_english(
    client: TestClient,
) -> None:
    body = request(schedule=example("schedule-burn-laser.yaml"))
    response = client.post("/api/v1/documents/lmn", params={**DATE, "lang": "es"}, json=body)
    assert response.status_code == 422
    assert response.json()["field"] == "lang"
    assert "English only" in response.json()["detail"]
    unknown = client.post("/api/v1/documents/gfe", params={**DATE, "lang": "fr"}, json=body)
    assert unknown.status_code == 422
    assert unknown.json()["field"] == "lang" and "'en' or 'es'" in unknown.json()["detail"]


def test_an_unknown_document_kind_is_422(client: TestClient) -> None:
    response = client.post("/api/v1/documents/poem", json=request())
    assert response.status_code == 422
    assert response.json()["field"] == "kind"


def test_staff_download_an_appeal_for_a_stored_case(staff_client: TestClient) -> None:
    case_id = staff_client.post("/api/v1/cases", json=example("burn-scar-laser.yaml")).json()["id"]
    response = staff_client.post(
        f"/api/v1/cases/{case_id}/documents/appeal",
        params=DATE,
        json={"denial": example("denial-burn-laser.yaml")},
    )
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"%PDF")


def test_stored_case_documents_are_for_staff_only(records_client: TestClient) -> None:
    response = records_client.post("/api/v1/cases/1/documents/lmn", json={})
    assert response.status_code == 401
