"""The facts packs test: classes of prior treatment, partial responses, claim codes."""

from __future__ import annotations

from datetime import date
from typing import Any

from dermcover.case import Case
from dermcover.determination import Status
from dermcover.engine.facts import FACTS, line_views


def status(fact: str, params: dict[str, Any], **case: Any) -> Status:
    view = line_views(
        Case.model_validate({"procedures": [{"kind": "pulsed_dye_laser"}], **case}),
        date(2026, 12, 1),
    )[0]
    return FACTS[fact].compile(params).check(FACTS[fact].read(view))


WART_CLASSES = {
    "classes": ["topical_chemotherapy", "curettage", "electrodesiccation", "cryotherapy"],
    "at_least": 2,
}


def test_two_tries_of_one_class_count_once() -> None:
    tried = [
        {"name": "cryotherapy", "outcome": "failed"},
        {"name": "liquid nitrogen", "kind": "cryotherapy", "outcome": "failed"},
    ]
    assert status("prior_treatment", WART_CLASSES, prior_treatments=tried) is Status.not_met


def test_two_classes_from_the_list_meet_it_and_other_classes_do_not_count() -> None:
    tried = [
        {"name": "cryotherapy", "outcome": "failed"},
        {"name": "fluorouracil_topical", "outcome": "failed"},
    ]
    assert status("prior_treatment", WART_CLASSES, prior_treatments=tried) is Status.met
    other = [
        {"name": "cryotherapy", "outcome": "failed"},
        {"name": "salicylic_acid", "outcome": "failed"},
    ]
    assert status("prior_treatment", WART_CLASSES, prior_treatments=other) is Status.not_met


def test_a_treatment_of_unknown_class_leaves_the_count_unknown() -> None:
    tried = [
        {"name": "cryotherapy", "outcome": "failed"},
        {"name": "duct tape occlusion", "outcome": "failed"},
    ]
    assert status("prior_treatment", WART_CLASSES, prior_treatments=tried) is Status.unknown


def test_partial_counts_only_where_the_pack_says_so() -> None:
    tried = [{"name": "imiquimod", "outcome": "partial"}]
    assert status("prior_treatment", {"names": ["imiquimod"]}, prior_treatments=tried) is (
        Status.not_met
    )
    inadequate = {"names": ["imiquimod"], "outcomes": ["failed", "partial"]}
    assert status("prior_treatment", inadequate, prior_treatments=tried) is Status.met


def test_claim_codes_are_read_from_the_line_else_the_recorded_diagnoses_never_the_kind() -> None:
    rhinophyma = {"prefixes": ["L71.1"]}
    assert status("claim_diagnosis", rhinophyma, condition={"kind": "rhinophyma"}) is (
        Status.unknown
    )
    assert status("claim_diagnosis", rhinophyma, condition={"diagnoses": ["L71.1"]}) is (Status.met)
    on_claim = {
        "procedures": [{"kind": "dermabrasion", "claim_diagnoses": ["L71.9"]}],
        "condition": {"diagnoses": ["L71.1"]},
    }
    view = line_views(Case.model_validate(on_claim), date(2026, 12, 1))[0]
    fact = FACTS["claim_diagnosis"]
    assert fact.compile(rhinophyma).check(fact.read(view)) is Status.not_met


def test_new_numbers_and_flags_are_unknown_when_absent() -> None:
    assert status("impairment_significant", {"is": True}) is Status.unknown
    assert status("impairment_significant", {"is": True}, impairment_significant=True) is (
        Status.met
    )
    assert status("body_surface_percent", {"at_most": 10}, condition={}) is Status.unknown
    assert (
        status("days_since_injury", {"at_most": 30}, condition={"days_since_injury": 45})
        is Status.not_met
    )
    assert status("member_state", {"in": ["TX"]}, patient={"state": "tx"}) is Status.met


def test_the_lesion_and_scar_flags_are_three_valued() -> None:
    assert status("hyperkeratotic", {"is": False}, condition={}) is Status.unknown
    assert status("hyperkeratotic", {"is": False}, condition={"hyperkeratotic": False}) is (
        Status.met
    )
    assert status("atrophic_scars", {"is": True}, condition={"atrophic_scars": False}) is (
        Status.not_met
    )
