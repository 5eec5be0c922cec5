"""The clinic's note page: a pasted note to reviewed facts to the new-case form."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient

from .support import csrf_from
from .test_clinic_pages import sign_in

NOTE = """\
41 yo F with severe burn scars of the right forearm. Range of motion at the elbow is limited.
Patient denies itching. Silicone gel sheeting for 6 months without improvement.
Photographs in chart. Dx: T22.30XS, L90.5. Plan: fractional CO2 laser, 4 sessions.
"""


def test_a_note_is_read_into_proposals_with_their_sentences(records_client: TestClient) -> None:
    sign_in(records_client)
    token = csrf_from(records_client.get("/clinic/notes").text)
    response = records_client.post("/clinic/notes", data={"csrf_token": token, "note": NOTE})
    assert response.status_code == 200
    page = html.unescape(response.text)
    assert "<mark>burn scars</mark>" in page
    assert "<mark>forearm</mark>" in page
    assert 'value="silicone_sheeting"' in page
    assert '<option value="failed" selected>' in page
    assert "<q>itching</q> — negated" in page
    assert "Jordan" not in records_client.get("/clinic/cases").text


def test_accepted_and_corrected_facts_fill_the_case_form(records_client: TestClient) -> None:
    sign_in(records_client)
    token = csrf_from(records_client.get("/clinic/notes").text)
    # What the review page posts: each row's field and value; row 3 unticked, row 1 corrected.
    form = {
        "csrf_token": token,
        "use": ["0", "1", "2", "4", "5", "6", "7"],
        "field_0": "procedures.kind", "value_0": "fractional_ablative_laser",
        "field_1": "procedures.site", "value_1": "hand",
        "field_2": "condition.kind", "value_2": "burn_scar",
        "field_3": "impairment", "value_3": "itching",
        "field_4": "condition.diagnoses", "value_4": "T22.30XS",
        "field_5": "condition.diagnoses", "value_5": "L90.5",
        "field_6": "prior_treatments", "name_6": "silicone_sheeting",
        "outcome_6": "failed", "months_6": "6",
        "field_7": "documentation", "value_7": "photos",
    }  # fmt: skip
    response = records_client.post("/clinic/notes/accept", data=form)
    assert response.status_code == 200
    text = html.unescape(response.text)
    assert '<option value="fractional_ablative_laser" selected>' in text
    assert '<option value="hand" selected>' in text
    assert '<option value="burn_scar" selected>' in text
    assert 'value="T22.30XS, L90.5"' in text
    assert 'value="silicone_sheeting"' in text
    assert 'value="photos" checked' in text
    assert 'value="itching" checked' not in text  # unticked on the review page
    assert "Still needed" in text  # the draft is decided, not saved
    assert "burn" not in records_client.get("/clinic/cases").text.lower()


def test_an_empty_or_oversized_note_is_refused_with_the_limit(records_client: TestClient) -> None:
    sign_in(records_client)
    token = csrf_from(records_client.get("/clinic/notes").text)
    empty = records_client.post("/clinic/notes", data={"csrf_token": token, "note": "  "})
    assert empty.status_code == 422
    assert "paste the visit note first" in empty.text
    huge = records_client.post("/clinic/notes", data={"csrf_token": token, "note": "x" * 20_001})
    assert huge.status_code == 422
    assert "at most 20,000" in huge.text
