"""The clinic's new-case and edit pages as forms, on SQLite and PostgreSQL."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient

from .support import csrf_from
from .test_clinic_pages import CASE, new_case, sign_in

FORM = {
    "patient.name": "Jordan Rivera",
    "payer.policy": "generic",
    "payer.plan_type": "commercial",
    "payer.network": "in",
    "procedures[0].kind": "fractional_ablative_laser",
    "procedures[0].sessions": "3",
    "procedures[0].site": "hand",
    "condition.diagnoses": "L90.5, T23.302S",
    "condition.cause": "burn",
    "condition.severity": "severe",
    "purpose": "function",
    "impairment": "restricted_range_of_motion",
    "prior_treatments[0].name": "silicone_sheeting",
    "prior_treatments[0].outcome": "failed",
    "prior_treatments[0].months": "6",
}


def test_a_case_made_in_the_form_is_saved_and_decided(records_client: TestClient) -> None:
    sign_in(records_client)
    form = records_client.get("/clinic/cases/new").text
    assert 'name="procedures[0].kind"' in form
    assert 'value="rf_microneedling"' in form  # the enum's values are the choices
    response = records_client.post(
        "/clinic/cases", data={"csrf_token": csrf_from(form), **FORM, "action": "save"}
    )
    assert response.status_code == 200
    page = response.text
    assert "Jordan Rivera" in page
    assert "L90.5, T23.302S" in page
    assert "Silicone sheeting: failed (6 months)" in page


def test_a_bad_form_comes_back_with_errors_on_their_fields(records_client: TestClient) -> None:
    sign_in(records_client)
    token = csrf_from(records_client.get("/clinic/cases/new").text)
    bad = {**FORM, "patient.age": "two hundred", "condition.lesion_count": "-3"}
    response = records_client.post("/clinic/cases", data={"csrf_token": token, **bad})
    assert response.status_code == 422
    text = html.unescape(response.text)
    assert "Age = 'two hundred': Input should be a valid integer" in text
    assert "Number of lesions = '-3': Input should be greater than or equal to 0" in text
    assert 'value="two hundred"' in text, "what was typed is kept"
    assert 'value="Jordan Rivera"' in text
    assert records_client.get("/clinic/cases").text.count("Jordan Rivera") == 0


def test_checking_shows_what_the_engine_still_needs_without_saving(
    records_client: TestClient,
) -> None:
    sign_in(records_client)
    token = csrf_from(records_client.get("/clinic/cases/new").text)
    response = records_client.post(
        "/clinic/cases",
        data={"csrf_token": token, "procedures[0].kind": "microneedling", "action": "check"},
    )
    assert response.status_code == 200
    assert 'id="still-needed"' in response.text
    assert response.text.count("Still needed</small>") >= 3
    assert "microneedling" not in records_client.get("/clinic/cases").text.lower()


def test_the_edit_form_holds_the_case_and_marks_open_questions(
    records_client: TestClient,
) -> None:
    sign_in(records_client)
    url = new_case(records_client, {**CASE, "purpose": None})
    edit = records_client.get(url.split("testserver")[-1] + "/edit").text
    assert '<option value="burn_scar" selected>' in edit
    assert 'value="Alex Example"' in edit
    assert "Still needed" in edit  # the purpose is unknown, and the engine asks for it
    response = records_client.post(
        url.split("testserver")[-1] + "/edit",
        data={
            "csrf_token": csrf_from(edit),
            "procedures[0].kind": "fractional_ablative_laser",
            "purpose": "function",
            "patient.name": "Alex Example",
        },
    )
    assert response.status_code == 200
    assert "To restore function" in response.text
