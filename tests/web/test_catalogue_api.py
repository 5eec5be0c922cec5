"""GET /api/v1/policies and GET /api/v1/codes/icd10, and the OpenAPI document."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_policies_list_every_pack_with_its_review_date(client: TestClient) -> None:
    response = client.get("/api/v1/policies")
    assert response.status_code == 200
    packs = {pack["id"]: pack for pack in response.json()}
    assert {"generic", "medicare"} <= set(packs)
    assert packs["generic"]["reviewed"] == "2026-12-01"  # policies/generic/policy.yaml
    assert packs["generic"]["sources"], "every pack names its sources"


def test_a_pack_names_the_plan_documents_weighed_before_it(client: TestClient) -> None:
    uhc = client.get("/api/v1/policies/uhc").json()
    assert {"uhc-mmc-2026", "uhc-coc-sample"} <= {plan["id"] for plan in uhc["plans"]}
    assert client.get("/api/v1/policies/medicare").json()["plans"] == []


def test_one_policy_and_an_unknown_one(client: TestClient) -> None:
    assert client.get("/api/v1/policies/medicare").json()["id"] == "medicare"
    missing = client.get("/api/v1/policies/acme")
    assert missing.status_code == 404
    assert "generic" in missing.json()["detail"]


def test_code_search_finds_actinic_keratosis(client: TestClient) -> None:
    response = client.get("/api/v1/codes/icd10", params={"q": "actinic keratosis", "limit": 3})
    assert response.status_code == 200
    assert response.json()[0]["code"] == "L57.0"  # ICD-10-CM: Actinic keratosis
    assert len(response.json()) <= 3


def test_code_search_needs_a_query(client: TestClient) -> None:
    missing = client.get("/api/v1/codes/icd10")
    assert missing.status_code == 422
    assert missing.json()["field"] == "q"
    blank = client.get("/api/v1/codes/icd10", params={"q": "   "})
    assert blank.status_code == 422
    assert blank.json()["field"] == "q"
    too_many = client.get("/api/v1/codes/icd10", params={"q": "scar", "limit": 0})
    assert too_many.status_code == 422
    assert too_many.json()["field"] == "limit"


def test_procedure_code_search_finds_microneedling_codes(client: TestClient) -> None:
    response = client.get("/api/v1/codes/procedures", params={"q": "microneedling"})
    assert response.status_code == 200
    assert response.json()[0]["code"] == "17999"
    blank = client.get("/api/v1/codes/procedures", params={"q": " "})
    assert blank.status_code == 422
    assert blank.json()["field"] == "q"


def test_openapi_documents_the_case_body(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    document = client.get("/openapi.json").json()
    body = document["paths"]["/api/v1/determinations"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("/Case")
    assert "Procedure" in document["components"]["schemas"]
    assert "/api/v1/estimates" in document["paths"]
