"""What the schemathesis run found, each kept fixed with the input that showed it: the OpenAPI
document promised what the service refused, or the service took what the document forbids."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import URL

from dermcover.store.clinics import ClinicRepository
from dermcover.store.database import create_database_engine, session_factory

from .support import example

YAML = {"Content-Type": "application/yaml"}


def test_a_number_for_a_birth_date_is_refused_not_read_as_1970(client: TestClient) -> None:
    # pydantic reads a number as seconds since 1970: `birth_date: 0` became 1970-01-01.
    body = "patient:\n  birth_date: 0\nprocedures:\n- kind: microneedling\n"
    answer = client.post("/api/v1/determinations", content=body, headers=YAML)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "patient.birth_date"
    assert "YYYY-MM-DD" in answer.json()["detail"]


def test_a_number_for_an_event_date_is_refused(staff_client: TestClient) -> None:
    case_id = staff_client.post("/api/v1/cases", json=example("burn-scar-laser.yaml")).json()["id"]
    answer = staff_client.post(
        f"/api/v1/cases/{case_id}/events", json={"kind": "pa_submitted", "on": 20250102}
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "on"


@pytest.mark.parametrize("route", ["/api/v1/codes/icd10", "/api/v1/codes/procedures"])
@pytest.mark.parametrize("query", ["\U000c3814¶¼", "the", "?!"])
def test_a_search_with_no_words_finds_nothing_rather_than_failing(
    client: TestClient, route: str, query: str
) -> None:
    answer = client.get(route, params={"q": query})
    assert answer.status_code == 200, answer.text
    assert answer.json() == []


@pytest.mark.parametrize("route", ["/api/v1/codes/icd10", "/api/v1/codes/procedures"])
def test_a_blank_search_is_still_refused(client: TestClient, route: str) -> None:
    answer = client.get(route, params={"q": "   "})
    assert answer.status_code == 422
    assert answer.json()["field"] == "q"


def test_naming_a_clinic_reveals_no_other_clinic(
    staff_client: TestClient, database_url: URL
) -> None:
    engine = create_database_engine(database_url)
    ClinicRepository(session_factory(engine)).add_clinic("north", "North Skin Clinic")
    engine.dispose()
    body: dict[str, Any] = example("burn-scar-laser.yaml")
    unknown = staff_client.post("/api/v1/cases", params={"clinic": "nowhere"}, json=body)
    other = staff_client.post("/api/v1/cases", params={"clinic": "north"}, json=body)
    assert unknown.status_code == other.status_code == 403
    assert "north" not in unknown.text and "default" not in unknown.text
    assert "you are not a member of this clinic" in other.json()["detail"]


def test_staff_routes_need_the_session_and_the_token_together(client: TestClient) -> None:
    # FastAPI listed each scheme as a requirement of its own: "either one", and the reads even
    # "or nothing at all".
    paths = client.get("/openapi.json").json()["paths"]
    assert paths["/api/v1/cases"]["post"]["security"] == [{"staffSession": [], "csrfToken": []}]
    assert paths["/api/v1/cases/{case_id}"]["get"]["security"] == [{"staffSession": []}]


def test_sign_in_is_documented_as_json_only(client: TestClient) -> None:
    sign_in = client.get("/openapi.json").json()["paths"]["/api/v1/session"]["post"]
    assert list(sign_in["requestBody"]["content"]) == ["application/json"]
    refused = client.post(
        "/api/v1/session", content="email: a@b.example\npassword: x\n", headers=YAML
    )
    assert refused.status_code == 415


def test_an_unknown_policy_in_the_case_is_refused_even_when_the_query_names_one(
    client: TestClient,
) -> None:
    body = {"payer": {"policy": "AAA"}, "procedures": [{"kind": "microneedling"}]}
    answer = client.post("/api/v1/determinations", params={"policy": "aetna"}, json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "payer.policy"


def test_an_offset_beyond_64_bits_is_refused_not_a_500(staff_client: TestClient) -> None:
    answer = staff_client.get("/api/v1/cases", params={"offset": "31817640719550488576"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "offset"
    assert "1000000000" in answer.json()["detail"].replace(",", "")
