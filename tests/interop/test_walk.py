"""One order all the way through: CRD says "conditional" and names a DTR form; the form asks
exactly what the policy still needs; the completed form decides it; CRD asked again says
"covered, prior authorization needed"; PAS approves the request; and the clinic's case page
shows the prior-authorization record.

The policy text behind each step (policies/generic): fractional ablative laser (0479T) for a burn
scar is covered, with prior authorization, when the scar came from a burn, causes a documented
functional impairment and conventional treatment has been tried, done in a clinical setting by a
licensed clinician, with the documentation the pack lists.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from dermcover.case import Cause, Purpose

from . import kit_checks as kit
from .conftest import signed
from .variants import order_sign_laser_for_burn_scar, pas_request

ANSWERS: dict[str, Any] = {
    "purpose": "function",
    "impairment": ["restricted_range_of_motion"],
    "condition.cause": "burn",
    "condition.severity": "severe",
    "provider.setting": "office",
    "provider.type": "dermatologist",
}


def crd_call(client: TestClient) -> dict[str, Any]:
    body = order_sign_laser_for_burn_scar()
    coverage = body["prefetch"]["coverage"]["entry"][0]["resource"]
    coverage["class"][0]["value"] = "Cascade Gold PPO"  # not Medicare: the default pack answers
    answer = client.post(
        "/cds-services/order-sign", json=body, headers=signed("/cds-services/order-sign")
    )
    assert answer.status_code == 200
    assert kit.response_problems("order-sign", answer.json()) == []
    [action] = answer.json()["systemActions"]
    assert kit.coverage_action_problems(action, "action") == []
    return {s["url"]: _value(s) for s in action["resource"]["extension"][-1]["extension"]}


def _value(sub: dict[str, Any]) -> Any:
    return next(v for k, v in sub.items() if k.startswith("value"))


def fill(form: dict[str, Any], prefilled: dict[str, Any]) -> dict[str, Any]:
    """Answer every item of the form as the clinician would for this patient."""
    items = []
    for item in form["item"]:
        link = item["linkId"]
        if link == "prior_treatments":
            items.append(
                {
                    "linkId": link,
                    "item": [
                        {
                            "linkId": f"{link}.name",
                            "answer": [{"valueCoding": {"code": "silicone_sheeting"}}],
                        },
                        {
                            "linkId": f"{link}.outcome",
                            "answer": [{"valueCoding": {"code": "failed"}}],
                        },
                        {"linkId": f"{link}.months", "answer": [{"valueDecimal": 6}]},
                    ],
                }
            )
        elif link == "documentation":
            codes = [o["valueCoding"]["code"] for o in item["answerOption"]]
            items.append(
                {
                    "linkId": link,
                    "answer": [{"valueCoding": {"code": c}} for c in codes if c != "none"],
                }
            )
        elif link in ANSWERS:
            value = ANSWERS[link]
            values = value if isinstance(value, list) else [value]
            items.append({"linkId": link, "answer": [{"valueCoding": {"code": v}} for v in values]})
    return {**prefilled, "status": "completed", "item": items}


def test_one_order_through_crd_dtr_crd_pas_to_the_case_page(client: TestClient) -> None:
    # 1. CRD: not enough known yet.
    first = crd_call(client)
    assert first["covered"] == "conditional" and first["pa-needed"] == "conditional"
    assert "questionnaire" in first and "doc-needed" in first

    # 2. DTR: the form for that answer, by its coverage-assertion-id.
    path = "/fhir/Questionnaire/$questionnaire-package"
    parameters = {
        "resourceType": "Parameters",
        "parameter": [{"name": "context", "valueString": first["coverage-assertion-id"]}],
    }
    package = client.post(path, json=parameters, headers=signed(path))
    assert package.status_code == 200, package.text
    assert kit.fhir_problems(package.json(), "Parameters") == []
    [bundle] = [p["resource"] for p in package.json()["parameter"] if p["name"] == "PackageBundle"]
    form, prefilled = (e["resource"] for e in bundle["entry"])
    assert form["url"] == first["questionnaire"]
    asked = [item["linkId"] for item in form["item"]]
    # The generic pack's criteria for a burn scar: what it is for, what it impairs, its cause and
    # severity, what was tried, where and by whom; then the documents. Nothing about, say, age.
    assert set(asked) == {
        "purpose",
        "impairment",
        "condition.cause",
        "condition.severity",
        "prior_treatments",
        "provider.setting",
        "provider.type",
        "documentation",
    }
    purpose = next(item for item in form["item"] if item["linkId"] == "purpose")
    assert [o["valueCoding"]["code"] for o in purpose["answerOption"]] == [p.value for p in Purpose]
    cause = next(item for item in form["item"] if item["linkId"] == "condition.cause")
    assert [o["valueCoding"]["code"] for o in cause["answerOption"]] == [c.value for c in Cause]
    assert prefilled["questionnaire"] == form["url"]

    # 3. DTR: the completed form decides the case.
    completed = fill(form, prefilled)
    posted = client.post(
        "/fhir/QuestionnaireResponse", json=completed, headers=signed("/fhir/QuestionnaireResponse")
    )
    assert posted.status_code == 201, posted.text
    info = {s["url"]: _value(s) for s in posted.json()["extension"][-1]["extension"]}
    assert (info["covered"], info["pa-needed"]) == ("covered", "auth-needed")

    # 4. CRD again, for the same order: covered, prior authorization needed.
    second = crd_call(client)
    assert (second["covered"], second["pa-needed"]) == ("covered", "auth-needed")
    assert "info-needed" not in second

    # 5. PAS: the request, with the completed form attached, is approved.
    request = pas_request(
        "approval_pa_submit_request_payload.json",
        ["0479T"],
        "T23.361S",
        identifier="WALK-1",
        response=completed,
    )
    answer = client.post("/fhir/Claim/$submit", json=request, headers=signed("/fhir/Claim/$submit"))
    assert answer.status_code == 200
    assert kit.response_bundle_problems(answer.json()) == []
    assert kit.review_actions(answer.json()) == {1: ["A1"]}
    reference = answer.json()["entry"][0]["resource"]["preAuthRef"]

    # 6. The record on the clinic's case page.
    records = client.app.state.records  # type: ignore[attr-defined]
    records.users.add_user("casey.billing@clinic.example", "walk the whole order through")
    session = client.post(
        "/api/v1/session",
        json={"email": "casey.billing@clinic.example", "password": "walk the whole order through"},
    )
    assert session.status_code == 200
    record = records.prior_auths.latest_for_claim(
        "http://davinci-pas.org/PATIENT_EVENT_TRACE_NUMBER|WALK-1", client=None
    )
    page = client.get(f"/clinic/cases/{record.case_id}")
    assert page.status_code == 200
    assert reference in page.text
    assert "Certified in total" in page.text
    assert "Prior authorization approved" in page.text  # the timeline event
    client.delete("/api/v1/session")
