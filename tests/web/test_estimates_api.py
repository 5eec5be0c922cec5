"""POST /api/v1/estimates against the worked cases of research/cost-and-rules.md section 8."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from .support import example

URL = "/api/v1/estimates"


def scenario(body: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in body["scenarios"] if s["name"] == name)
    return found


def test_a13_sessions_past_the_visit_limit_are_self_pay(client: TestClient) -> None:
    # A13: visit limit 6/yr; 8 sessions; allowed 200; coinsurance 20%; deductible met;
    # self-pay 250 for uncovered sessions -> member 740.00.
    request = {
        "sessions": 8,
        "plan": {
            "deductible": 500,
            "deductible_met": 500,
            "coinsurance": 0.2,
            "visit_limit": 6,
        },
        "prices": {"negotiated_rate": 200, "self_pay": 250},
    }
    response = client.post(URL, json=request)
    assert response.status_code == 200
    in_network = scenario(response.json(), "in_network")
    assert in_network["patient_total"] == 740.00
    assert '"patient_total": 740.00' in response.text, "money is an exact two-decimal number"


def test_a14_a_cosmetic_case_pays_the_self_pay_price(client: TestClient) -> None:
    # A14: cosmetic, excluded; self-pay price 350 -> member 350.00, plan 0.00.
    case = example("pico-laser-prp-melasma.yaml")
    case["procedures"] = case["procedures"][:1]
    request = {
        "case": case,
        "sessions": 1,
        "plan": {"deductible": 1500, "coinsurance": 0.2},
        "prices": {"negotiated_rate": 300, "self_pay": 350},
    }
    body = client.post(URL, json=request).json()
    assert body["determination"] == "not_covered_cosmetic"
    in_network = scenario(body, "in_network")
    assert in_network["covered"] is False
    assert in_network["patient_total"] == 350.00
    assert in_network["plan_total"] == 0.00


def test_d1_loan_disclosure(client: TestClient) -> None:
    # D1: principal 500, APR 7%, 12 months -> monthly 43.26, finance charge 19.17.
    request = {
        "prices": {"self_pay": 500},
        "funding": {"amount": 500, "loan": {"apr": 0.07, "months": 12}},
    }
    loan = client.post(URL, json=request).json()["funding"]["loan"]
    assert loan["monthly_payment"] == 43.26
    assert loan["finance_charge"] == 19.17


def test_a_request_without_a_price_names_the_field(client: TestClient) -> None:
    response = client.post(URL, json={"prices": {}})
    assert response.status_code == 422
    assert response.json()["field"] == "prices"
    assert "self_pay" in response.json()["detail"]


def test_money_with_fractions_of_a_cent_is_refused(client: TestClient) -> None:
    response = client.post(URL, json={"prices": {"self_pay": 350.125}})
    assert response.status_code == 422
    assert response.json()["field"] == "prices.self_pay"


def test_a_bad_case_inside_the_request_is_named_with_its_path(client: TestClient) -> None:
    request = {"case": {"procedures": [{"kind": "nope"}]}, "prices": {"self_pay": 100}}
    response = client.post(URL, json=request)
    assert response.status_code == 422
    assert response.json()["field"] == "case.procedures[0].kind"


def test_an_unknown_policy_inside_the_case_is_named(client: TestClient) -> None:
    request = {
        "case": {"procedures": [{"kind": "microneedling"}], "payer": {"policy": "acme"}},
        "prices": {"self_pay": 100},
    }
    response = client.post(URL, json=request)
    assert response.status_code == 422
    assert response.json()["field"] == "case.payer.policy"
