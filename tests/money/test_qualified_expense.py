"""HSA/FSA eligibility under IRC 213(d)(9): research §5.1 and §8 cases E6, E7."""

from __future__ import annotations

from typing import Any

from dermcover.case import Case
from dermcover.estimate import Eligibility
from dermcover.money.qualified_expense import qualified_expense


def case(**fields: Any) -> Case:
    return Case.model_validate({"procedures": [{"kind": "scar_revision"}], **fields})


def test_e6_scar_revision_after_a_car_accident_qualifies() -> None:
    found = qualified_expense(
        case(condition={"kind": "traumatic_scar", "cause": "trauma"}, purpose="appearance")
    )
    assert found.eligible is Eligibility.yes
    assert "accident or trauma" in found.reason
    assert "213(d)(9)" in found.citation


def test_e7_reconstruction_of_a_deformity_from_cancer_qualifies() -> None:
    # Breast reconstruction after a mastectomy for cancer: a deformity from a disfiguring disease.
    found = qualified_expense(
        case(
            procedures=[{"kind": "scar_revision", "site": "trunk"}],
            condition={"kind": "surgical_scar", "cause": "disease"},
            purpose="appearance",
        )
    )
    assert found.eligible is Eligibility.yes
    assert "disfiguring disease" in found.reason


def test_cosmetic_microneedling_for_aging_does_not_qualify() -> None:
    found = qualified_expense(
        case(
            procedures=[{"kind": "microneedling"}],
            condition={"kind": "wrinkles", "cause": "aging"},
            purpose="appearance",
        )
    )
    assert found.eligible is Eligibility.no


def test_acne_scars_are_judged_case_by_case() -> None:
    found = qualified_expense(
        case(procedures=[{"kind": "microneedling"}], condition={"kind": "acne_scars"})
    )
    assert found.eligible is Eligibility.uncertain
    assert "case by case" in found.reason


def test_a_scar_from_surgery_for_an_unstated_reason_is_uncertain() -> None:
    found = qualified_expense(case(condition={"kind": "surgical_scar", "cause": "surgery"}))
    assert found.eligible is Eligibility.uncertain


def test_treating_a_disease_qualifies_whatever_a_plan_decides() -> None:
    found = qualified_expense(
        case(
            procedures=[{"kind": "photodynamic_therapy"}],
            condition={"kind": "actinic_keratosis"},
        )
    )
    assert found.eligible is Eligibility.yes


def test_a_documented_physical_impairment_makes_it_medical_care() -> None:
    found = qualified_expense(
        case(condition={"kind": "burn_scar"}, impairment=["restricted_range_of_motion"])
    )
    assert found.eligible is Eligibility.yes
    assert "restricted range of motion" in found.reason


def test_distress_alone_does_not_turn_a_cosmetic_procedure_into_medical_care() -> None:
    found = qualified_expense(
        case(
            procedures=[{"kind": "microneedling"}],
            condition={"kind": "photoaging", "cause": "sun_damage"},
            purpose="appearance",
            impairment=["psychological_distress"],
        )
    )
    assert found.eligible is Eligibility.no


def test_no_case_and_no_facts_is_uncertain() -> None:
    assert qualified_expense(None).eligible is Eligibility.uncertain
    assert qualified_expense(case()).eligible is Eligibility.uncertain
