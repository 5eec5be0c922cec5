"""The FHIR endpoint's own surface: the CapabilityStatement, DTR's errors, and that no body sent
to any operation gets a 500."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from . import kit_checks as kit
from .conftest import signed
from .support import pas

OPERATIONS = [
    "/fhir/Claim/$submit",
    "/fhir/Claim/$inquire",
    "/fhir/Questionnaire/$questionnaire-package",
    "/fhir/QuestionnaireResponse",
]


def test_the_capability_statement_names_the_operations(client: TestClient) -> None:
    answer = client.get("/fhir/metadata")
    assert answer.status_code == 200
    statement = answer.json()
    assert kit.fhir_problems(statement, "CapabilityStatement") == []
    operations = {
        (r["type"], o["name"])
        for r in statement["rest"][0]["resource"]
        for o in r.get("operation", [])
    }
    assert operations == {
        ("Claim", "submit"),
        ("Claim", "inquire"),
        ("Questionnaire", "questionnaire-package"),
    }


def test_a_package_for_an_unknown_answer_is_a_404_outcome(client: TestClient) -> None:
    path = OPERATIONS[2]
    body = {
        "resourceType": "Parameters",
        "parameter": [{"name": "context", "valueString": "0" * 32}],
    }
    answer = client.post(path, json=body, headers=signed(path))
    assert answer.status_code == 404
    assert kit.error_problems(answer.status_code, answer.json()) == []


def test_a_package_needs_coverage_and_order_when_no_answer_is_named(client: TestClient) -> None:
    path = OPERATIONS[2]
    answer = client.post(path, json={"resourceType": "Parameters"}, headers=signed(path))
    assert answer.status_code == 400
    assert "coverage" in answer.json()["issue"][0]["diagnostics"]


def test_a_response_to_a_form_never_issued_is_a_404_outcome(client: TestClient) -> None:
    path = OPERATIONS[3]
    body = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": "http://elsewhere.example/Questionnaire/abc",
    }
    answer = client.post(path, json=body, headers=signed(path))
    assert answer.status_code == 404
    assert kit.error_problems(answer.status_code, answer.json()) == []


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.sampled_from(OPERATIONS),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
        ),
        max_leaves=12,
    ),
)
def test_no_body_gets_a_500(client: TestClient, path: str, junk: Any) -> None:
    claim_bundle = pas("approval_pa_submit_request_payload.json")
    for body in (
        junk,
        {"resourceType": "Bundle", "type": "collection", "entry": junk},
        {
            **claim_bundle,
            "entry": [{"resource": {**claim_bundle["entry"][0]["resource"], "item": junk}}],
        },
    ):
        answer = client.post(path, content=json.dumps(body), headers=signed(path))
        assert answer.status_code < 500, answer.text
        if answer.status_code >= 400:
            assert answer.json()["resourceType"] == "OperationOutcome"
