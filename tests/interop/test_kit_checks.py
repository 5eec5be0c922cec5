"""The checks stand for the kits: the kits' known-good fixtures pass them, and copies broken in
the ways the kits catch fail them."""

from __future__ import annotations

from typing import Any

import pytest

from . import kit_checks as kit
from .support import crd, deep, pas


def test_the_kits_discovery_document_passes_and_a_service_without_an_id_fails() -> None:
    good = crd("inferno_cds-services.json")
    assert kit.discovery_problems(good) == []
    broken = deep(good)
    del broken["services"][0]["id"]
    assert kit.discovery_problems(broken) == ["services[0].id: must be a string"]


def test_the_kits_cards_pass_and_are_of_their_kinds() -> None:
    external, instructions = crd("card_external_reference.json"), crd("card_instructions.json")
    for card in [external, instructions, *crd("valid_cards.json")]:
        assert kit.card_problems(card) == []
    assert kit.is_external_reference(external) and not kit.is_instructions(external)
    assert kit.is_instructions(instructions) and not kit.is_external_reference(instructions)


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (lambda c: c.update(summary="x" * 140), "summary"),
        (lambda c: c["source"].pop("topic"), "source.topic"),
        (lambda c: c.update(indicator="urgent"), "indicator"),
        (lambda c: c["links"][0].update(url="not a url"), "links[0].url"),
        (lambda c: c["links"][0].update(type="relative"), "links[0].type"),
    ],
)
def test_a_broken_card_fails(breakage: Any, expected: str) -> None:
    card = deep(crd("card_external_reference.json"))
    breakage(card)
    assert any(expected in problem for problem in kit.card_problems(card))


def test_the_kits_covered_coverage_action_passes() -> None:
    action = crd("coverage_info_system_action_covered.json")
    response = {"cards": [], "systemActions": [action]}
    assert kit.coverage_actions("order-sign", response) == [action]
    assert kit.coverage_action_problems(action, "action") == []


def test_the_kits_conditional_action_breaks_only_crd_ci_q2_as_published() -> None:
    """The kit's own "conditional" fixture has no pa-needed. The 2.0.1 package's crd-ci-q2
    FHIRPath requires one whenever covered is not not-covered (its prose, and 2.2.1, say the
    opposite), so the fixture passes every check but that one; dermcover sends pa-needed for
    covered and conditional and never for not-covered, which satisfies both readings."""
    action = crd("coverage_info_system_action_conditional.json")
    assert kit.coverage_action_problems(action, "action") == [
        "action.coverage-information[0]: crd-ci-q2 (2.0.1) covered/conditional needs pa-needed"
    ]


def _subs(action: dict[str, Any]) -> list[dict[str, Any]]:
    subs: list[dict[str, Any]] = action["resource"]["extension"][0]["extension"]
    return subs


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (lambda a: a.update(type="create"), "type: must be update"),
        (
            lambda a: a["resource"]["extension"][0].update(
                extension=[s for s in _subs(a) if s["url"] != "coverage-assertion-id"]
            ),
            "coverage-assertion-id: 0 present",
        ),
        (
            lambda a: a["resource"]["extension"][0].update(
                extension=[s for s in _subs(a) if s["url"] != "pa-needed"]
            ),
            "crd-ci-q2",
        ),
        (lambda a: _subs(a).append({"url": "info-needed", "valueCode": "OTH"}), "crd-ci-q3"),
        (lambda a: _subs(a).append({"url": "satisfied-pa-id", "valueString": "1"}), "crd-ci-q5"),
        (lambda a: _subs(a)[1].update(valueCode="maybe"), "covered: 'maybe'"),
        (lambda a: a["resource"].update(authoredOn="yesterday"), "not valid FHIR"),
    ],
)
def test_a_broken_coverage_action_fails(breakage: Any, expected: str) -> None:
    action = deep(crd("coverage_info_system_action_covered.json"))
    breakage(action)
    assert any(expected in problem for problem in kit.coverage_action_problems(action, "a"))


def test_the_kits_good_pas_responses_pass_the_2_0_1_profile_and_carry_their_decisions() -> None:
    approved, denied = (
        pas("valid_pa_response_bundle.json"),
        pas("valid_pa_response_bundle_denial.json"),
    )
    assert kit.response_bundle_problems(approved, "2.0.1") == []
    assert kit.response_bundle_problems(denied, "2.0.1") == []
    assert kit.decision_problems(approved, "A1") == []
    assert kit.decision_problems(denied, "A3") == []
    assert kit.decision_problems(approved, "A3") != []
    assert kit.response_bundle_problems(pas("valid_pa_inquire_response_bundle.json"), "2.0.1") == []


def test_the_kits_2_0_1_era_fixtures_lack_what_2_2_1_requires() -> None:
    problems = kit.response_bundle_problems(pas("valid_pa_response_bundle.json"), "2.2.1")
    assert "Bundle.identifier: 1..1 in 2.2.1" in problems
    assert "ClaimResponse.request: 1..1 in 2.2.1" in problems


def test_the_kits_broken_pas_responses_fail() -> None:
    first = kit.response_bundle_problems(pas("invalid_first_entry_response_bundle.json"), "2.0.1")
    assert "entry[0]: must be the ClaimResponse" in first
    missing = kit.response_bundle_problems(
        pas("missing_referenced_resource_response_bundle.json"), "2.0.1"
    )
    assert any("0 entries match" in problem for problem in missing)


def test_an_error_answer_must_be_an_outcome_with_an_error_status() -> None:
    outcome = pas("../ig-examples/OperationOutcome-InvalidRequestResponse.json")
    assert kit.error_problems(400, outcome) == []
    assert kit.error_problems(200, outcome) != []
    assert kit.error_problems(400, {"resourceType": "Bundle"}) != []
