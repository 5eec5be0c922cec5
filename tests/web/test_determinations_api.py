"""POST /api/v1/determinations: the case in, the determination out, and every bad input a 422
that names the field (spec: case-format.md)."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from .support import example

URL = "/api/v1/determinations"


def test_a_cosmetic_case_is_not_covered_on_every_line(client: TestClient) -> None:
    # The example's own note: under generic, both lines are not_covered_cosmetic.
    response = client.post(URL, json=example("pico-laser-prp-melasma.yaml"))
    assert response.status_code == 200
    body = response.json()
    assert body["outcome"] == "not_covered_cosmetic"
    assert [line["outcome"] for line in body["lines"]] == ["not_covered_cosmetic"] * 2
    assert body["policy"]["id"] == "generic"
    assert all(line["criteria"] for line in body["lines"]), "the trace comes back by default"


def test_unknown_facts_come_back_as_questions(client: TestClient) -> None:
    # The example's note: insufficient_information, with questions about cause and impairment.
    response = client.post(URL, json=example("microneedling-unknown-reason.yaml"))
    body = response.json()
    assert body["outcome"] == "insufficient_information"
    asked = {question["field"] for question in body["questions"]}
    assert {"condition.cause", "impairment"} <= asked


def test_bad_codes_are_reported_not_refused(client: TestClient) -> None:
    response = client.post(URL, json=example("bad-codes.yaml"))
    assert response.status_code == 200
    issues = {issue["code"]: issue["severity"] for issue in response.json()["code_issues"]}
    assert issues.get("17320") == "error"
    assert issues.get("T95.1") == "error"


def test_yaml_bodies_are_accepted_as_the_spec_allows(client: TestClient) -> None:
    text = "procedures:\n  - kind: microneedling\ncondition: {kind: melasma}\n"
    response = client.post(URL, content=text, headers={"content-type": "application/yaml"})
    assert response.status_code == 200
    assert response.json()["outcome"] == "not_covered_cosmetic"


def test_a_bad_enum_value_names_the_field_and_what_is_allowed(client: TestClient) -> None:
    case = {"procedures": [{"kind": "laser_magic"}]}
    response = client.post(URL, json=case)
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "procedures[0].kind"
    assert "'laser_magic'" in body["detail"]
    assert "microneedling" in body["detail"], "the allowed values are listed"


def test_a_misspelt_field_is_refused_by_name(client: TestClient) -> None:
    response = client.post(URL, json={"procedures": [{"kind": "microneedling"}], "purpse": "x"})
    assert response.status_code == 422
    assert response.json()["field"] == "purpse"
    assert "unknown field" in response.json()["detail"]


def test_a_yaml_error_says_which_line(client: TestClient) -> None:
    text = "procedures:\n  - kind: microneedling\n    sessions: -2\n"
    response = client.post(URL, content=text, headers={"content-type": "application/yaml"})
    assert response.status_code == 422
    assert response.json()["field"] == "procedures[0].sessions"
    assert response.json()["detail"].startswith("request body:3:")


def test_a_missing_required_field_is_named(client: TestClient) -> None:
    response = client.post(URL, json={"patient": {"age": 30}})
    assert response.status_code == 422
    assert response.json()["field"] == "procedures"
    assert "required" in response.json()["detail"]


def test_broken_json_is_a_422_with_the_line(client: TestClient) -> None:
    response = client.post(
        URL, content=b'{"procedures": [\n{"kind": }]}', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith("request body:2: not valid JSON")


def test_json_cut_short_is_a_422_naming_its_last_line(client: TestClient) -> None:
    body = b'{"procedures": [\n{"kind": "microneedling"}\n'  # unclosed, then a newline
    response = client.post(URL, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("request body:2: not valid JSON")


def test_an_empty_body_and_a_list_body_are_422(client: TestClient) -> None:
    empty = client.post(URL, content=b"", headers={"content-type": "application/json"})
    assert empty.status_code == 422
    assert client.post(URL, content=b"").status_code == 415, "no Content-Type at all"
    listed = client.post(URL, json=[{"kind": "microneedling"}])
    assert listed.status_code == 422
    assert "mapping" in listed.json()["detail"]


def test_not_a_number_constants_are_refused(client: TestClient) -> None:
    body = b'{"procedures": [{"kind": "microneedling", "area_cm2": Infinity}]}'
    response = client.post(URL, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "Infinity" in response.json()["detail"]


def test_an_unknown_policy_is_a_422_naming_where_it_came_from(client: TestClient) -> None:
    case = {"procedures": [{"kind": "microneedling"}]}
    by_query = client.post(URL, params={"policy": "acme"}, json=case)
    assert by_query.status_code == 422
    assert by_query.json()["field"] == "policy"
    assert "generic" in by_query.json()["detail"]
    in_case = client.post(URL, json={**case, "payer": {"policy": "acme"}})
    assert in_case.status_code == 422
    assert in_case.json()["field"] == "payer.policy"


def test_the_policy_query_overrides_the_case(client: TestClient) -> None:
    case = example("pico-laser-prp-melasma.yaml")
    response = client.post(URL, params={"policy": "medicare"}, json=case)
    assert response.json()["policy"]["id"] == "medicare"


def test_trace_levels(client: TestClient) -> None:
    case = example("microneedling-unknown-reason.yaml")
    none = client.post(URL, params={"trace": "none"}, json=case).json()
    assert all(line["criteria"] == [] for line in none["lines"])
    full = client.post(URL, params={"trace": "full"}, json=case).json()
    assert any("facts" in criterion for criterion in full["lines"][0]["criteria"])
    bad = client.post(URL, params={"trace": "everything"}, json=case)
    assert bad.status_code == 422
    assert bad.json()["field"] == "trace"


def test_an_invalid_npi_is_refused_with_the_rule(client: TestClient) -> None:
    case = {"procedures": [{"kind": "microneedling"}], "provider": {"npi": "1234567890"}}
    response = client.post(URL, json=case)
    assert response.status_code == 422
    assert response.json()["field"] == "provider.npi"
    assert "Luhn" in response.json()["detail"]


def test_money_free_answer_is_plain_json(client: TestClient) -> None:
    response = client.post(URL, json=example("pico-laser-prp-melasma.yaml"))
    assert response.headers["content-type"].startswith("application/json")
    json.loads(response.text)


def test_policy_all_answers_the_spread_across_every_payer_pack(client: TestClient) -> None:
    case = example("burn-scar-laser.yaml")
    response = client.post(URL, params={"policy": "all"}, json=case)
    assert response.status_code == 200
    spread = response.json()
    answers = {a["policy"]: a for g in spread["groups"] for a in g["answers"]}
    assert "generic" not in answers  # the framework is not a plan's answer
    assert "medicare" not in answers  # the case's plan is commercial
    # Each payer's answer is what that payer's pack decides on its own.
    for policy, answer in answers.items():
        alone = client.post(URL, params={"policy": policy}, json=case).json()
        assert answer["outcome"] == alone["outcome"], policy
    sizes = [len(g["payers"]) for g in spread["groups"]]
    assert sizes == sorted(sizes, reverse=True)  # the likeliest answer first
    assert spread["summary"].startswith(f"{sizes[0]} of {spread['plans']} plans we know")
