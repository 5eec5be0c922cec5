"""Every CRD request body the kit ships, as the kit sends it (a signed JWT, ES384 or RS384),
checked against every assertion the kit makes of the server; then the same requests with
dermatology codes, whose answers the policy text fixes."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from . import kit_checks as kit
from .conftest import signed
from .support import CRD, StandInEhr, crd, deep, load
from .variants import DERMATOLOGY

SERVICE_FOR_HOOK = {
    h: h for h in ("order-sign", "order-select", "order-dispatch", "appointment-book")
}
KIT_REQUESTS = sorted(
    p.name for p in CRD.glob("*.json") if isinstance(load(p), dict) and "hook" in load(p)
)


def call(client: TestClient, body: dict[str, Any], alg: str = "ES384") -> tuple[int, Any]:
    path = f"/cds-services/{SERVICE_FOR_HOOK.get(body['hook'], body['hook'])}"
    answer = client.post(path, json=body, headers=signed(path, alg))
    return answer.status_code, answer.json()


def draft_orders(body: dict[str, Any]) -> list[str] | None:
    bundle = body["context"].get("draftOrders")
    if bundle is None:
        return None
    return [f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in bundle["entry"]]


def full_check(body: dict[str, Any], status: int, answer: Any) -> list[str]:
    """crd_service_call_test, crd_service_response_validation and, for the primary hooks,
    crd_coverage_info_system_action_received / _validation."""
    hook = body["hook"]
    problems = [] if status == 200 else [f"HTTP {status}: {answer}"]
    problems += kit.response_problems(hook, answer)
    actions = kit.coverage_actions(hook, answer)
    if hook in kit.PRIMARY_HOOKS and not actions:
        problems.append("no coverage-information systemAction")
    for index, action in enumerate(actions):
        problems += kit.coverage_action_problems(action, f"action[{index}]", draft_orders(body))
    return problems


def test_discovery_answers_without_a_token_and_lists_the_four_hooks(client: TestClient) -> None:
    answer = client.get("/cds-services")
    assert answer.status_code == 200
    document = answer.json()
    assert kit.discovery_problems(document) == []
    assert {s["hook"] for s in document["services"]} == {
        "order-sign",
        "order-dispatch",
        "appointment-book",
        "order-select",
    }
    for service in document["services"]:
        assert (
            service["prefetch"]["coverage"]
            == "Coverage?patient={{context.patientId}}&status=active"
        )
        codes = [o["code"] for o in service["extension"]["davinci-crd.configuration-options"]]
        assert "coverage-info" in codes


@pytest.mark.parametrize(
    "name",
    [n for n in KIT_REQUESTS if not n.startswith(("spec_", "encounter_"))],
)
@pytest.mark.parametrize("alg", ["ES384", "RS384"])
def test_each_kit_request_passes_every_server_check(
    client: TestClient, name: str, alg: str
) -> None:
    body = crd(name)
    status, answer = call(client, body, alg)
    assert full_check(body, status, answer) == []


def test_kit_orders_outside_dermatology_are_conditional_and_say_why(client: TestClient) -> None:
    _, answer = call(client, crd("order_sign_0.json"))
    info = answer["systemActions"][0]["resource"]["extension"][-1]["extension"]
    values = {s["url"]: s.get("valueCode") or s.get("valueCodeableConcept") for s in info}
    assert values["covered"] == "conditional" and values["pa-needed"] == "conditional"
    assert "E0250" in values["reason"]["text"]
    assert answer["cards"][0]["source"]["label"] == "Medicare"  # the bundled payer map


def test_the_update_changes_nothing_but_the_coverage_information(client: TestClient) -> None:
    body = crd("order_sign_1.json")
    _, answer = call(client, body)
    updated = deep(answer["systemActions"][0]["resource"])
    added = updated.pop("extension")
    assert updated == body["context"]["draftOrders"]["entry"][0]["resource"]
    assert [e["url"] for e in added] == [kit.COVERAGE_INFO]


def test_the_kits_unit_fixtures_are_answered_without_an_error(client: TestClient) -> None:
    """The kit's spec fixtures hold orders the FHIR models refuse (a NutritionOrder without its
    required intent, a malformed dose): the answer is 200 and says what could not be read."""
    for name in [n for n in KIT_REQUESTS if n.startswith("spec_order_s")]:
        status, answer = call(client, crd(name))
        assert status == 200
        assert kit.response_problems("order-select", answer) == []
        assert any("intent" in card["detail"] for card in answer["cards"])
    # Both its appointments have an `end` that is no instant (and the first an R4-less `reason`);
    # the first problem of each is named.
    status, answer = call(client, crd("spec_appointment_book_hook_request.json"))
    assert status == 200
    assert kit.response_problems("order-select", answer) == []
    details = " ".join(card["detail"] for card in answer["cards"])
    assert details.count("end: ") == 2


def test_order_dispatch_in_the_older_shape_reads_the_order_from_the_ehr(
    client: TestClient, ehr: StandInEhr
) -> None:
    body = crd("spec_order_dispatch_hook_request.json")  # context.order + context.task, no prefetch
    status, answer = call(client, body)
    assert full_check(body, status, answer) == []
    assert "ServiceRequest/example" in ehr.paths
    assert ehr.tokens[-1] == "Bearer SAMPLE_TOKEN"


def test_order_dispatch_in_the_newer_shape_is_read_too(client: TestClient) -> None:
    body = deep(crd("spec_order_dispatch_hook_request.json"))
    context = body["context"]
    context["dispatchedOrders"] = [context.pop("order")]
    context["fulfillmentTasks"] = [context.pop("task")]
    context["somethingNew"] = {"ignored": True}
    status, answer = call(client, body)
    assert full_check(body, status, answer) == []


def test_encounter_hooks_are_not_offered(client: TestClient) -> None:
    for name in [n for n in KIT_REQUESTS if "encounter" in n]:
        body = crd(name)
        path = f"/cds-services/{body['hook']}"
        answer = client.post(path, json=body, headers=signed(path))
        assert answer.status_code == 404
        assert "order-sign" in answer.json()["detail"]


@pytest.mark.parametrize("name", sorted(DERMATOLOGY))
def test_dermatology_orders_get_the_answer_the_policy_gives(client: TestClient, name: str) -> None:
    make, covered, pa_needed = DERMATOLOGY[name]
    body = make()
    status, answer = call(client, body)
    assert full_check(body, status, answer) == []
    [action] = kit.coverage_actions(body["hook"], answer)
    subs = action["resource"]["extension"][-1]["extension"]
    values = {s["url"]: s.get("valueCode") for s in subs}
    assert values["covered"] == covered
    assert values.get("pa-needed") == pa_needed
    urls = {s["url"] for s in subs}
    if covered == "conditional" and body["hook"] != "order-select":
        assert {"info-needed", "doc-needed", "questionnaire"} <= urls
    if body["hook"] == "order-select":  # a secondary hook asks for no documentation (CRD)
        assert "info-needed" in urls and not {"doc-needed", "questionnaire"} & urls
    cards = answer["cards"]
    assert any(kit.is_instructions(card) for card in cards)
    assert any(kit.is_external_reference(card) for card in cards)


def test_across_the_hooks_the_required_card_kinds_and_a_valid_coverage_action_appear(
    client: TestClient,
) -> None:
    """crd_server_required_card_response_validation, over every hook run."""
    external = instructions = passing = 0
    for make, _, _ in DERMATOLOGY.values():
        body = make()
        status, answer = call(client, body)
        external += sum(kit.is_external_reference(c) for c in answer["cards"])
        instructions += sum(kit.is_instructions(c) for c in answer["cards"])
        passing += int(full_check(body, status, answer) == [] and bool(answer["systemActions"]))
    assert external and instructions and passing


def test_configuration_options_are_honoured_and_unknown_ones_ignored(client: TestClient) -> None:
    body = DERMATOLOGY["order-sign 17000 actinic keratoses"][0]()
    body["extension"] = {"davinci-crd.configuration": {"guideline": False, "max-cards": 1, "x": 3}}
    _, answer = call(client, body)
    assert len(answer["cards"]) == 1 and kit.is_instructions(answer["cards"][0])
    body["extension"] = {"davinci-crd.configuration": {"coverage-info": False}}
    _, answer = call(client, body)
    assert answer["systemActions"] == []
