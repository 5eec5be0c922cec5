"""A case naming a drug counts the class the drug belongs to, and each pack counts the classes its
text names (the readings are in each pack's README, "Prior-treatment classes")."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from dermcover.case import Case, PriorTreatment, TreatmentClass
from dermcover.determination import Status
from dermcover.engine import determine

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("podophyllotoxin", TreatmentClass.topical_chemotherapy),
        ("diclofenac_topical", TreatmentClass.topical_nsaid),
        ("tacrolimus_topical", TreatmentClass.topical_calcineurin_inhibitor),
        ("pimecrolimus_topical", TreatmentClass.topical_calcineurin_inhibitor),
        ("ivermectin_topical", TreatmentClass.topical_rosacea_agent),
        ("azelaic_acid", TreatmentClass.topical_rosacea_agent),
    ],
)
def test_each_drug_stands_for_its_class(name: str, kind: TreatmentClass) -> None:
    assert PriorTreatment(name=name, outcome="failed").resolved_kind is kind


def test_a_kind_that_contradicts_the_drug_is_refused() -> None:
    with pytest.raises(ValueError, match="diclofenac_topical is of kind topical_nsaid"):
        PriorTreatment(name="diclofenac_topical", kind=TreatmentClass.topical_chemotherapy)


def status_of(case: dict[str, Any], criterion: str) -> Status:
    line = determine(Case.model_validate(case), today=TODAY).lines[0]
    return next(result.status for result in line.criteria if result.id == criterion)


def wart_case(*names: str) -> dict[str, Any]:
    return {
        "payer": {"policy": "aetna", "plan_type": "commercial"},
        "procedures": [{"kind": "pulsed_dye_laser", "site": "hand"}],
        "condition": {"kind": "warts"},
        "purpose": "disease_treatment",
        "prior_treatments": [{"name": name, "outcome": "failed"} for name in names],
    }


def test_podophyllotoxin_is_one_of_the_two_wart_therapies_aetna_counts() -> None:
    criterion = "aetna.0559.two-failed-therapies"
    assert status_of(wart_case("podophyllotoxin", "cryotherapy"), criterion) is Status.met
    # Two chemotherapy creams are one class, not two therapies.
    twice = wart_case("podophyllotoxin", "fluorouracil_topical")
    assert status_of(twice, criterion) is Status.not_met
    # Diclofenac is no wart therapy of 0559's list.
    assert status_of(wart_case("diclofenac_topical", "cryotherapy"), criterion) is Status.not_met


def psoriasis_case(*names: str) -> dict[str, Any]:
    return {
        "payer": {"policy": "aetna", "plan_type": "commercial"},
        "procedures": [{"kind": "excimer_laser", "course_treatments": 10}],
        "condition": {"kind": "psoriasis", "severity": "mild", "body_surface_percent": 3},
        "purpose": "disease_treatment",
        "prior_treatments": [{"name": name, "outcome": "failed", "months": 4} for name in names],
    }


@pytest.mark.parametrize("inhibitor", ["tacrolimus_topical", "pimecrolimus_topical"])
def test_calcineurin_inhibitors_are_not_among_the_psoriasis_topicals(inhibitor: str) -> None:
    criterion = "aetna.0577.psoriasis-topicals-failed"
    listed = ("topical_corticosteroid", "calcipotriene")
    assert status_of(psoriasis_case(*listed, inhibitor), criterion) is Status.not_met
    assert status_of(psoriasis_case(*listed, "coal_tar"), criterion) is Status.met


@pytest.mark.parametrize("agent", ["ivermectin_topical", "azelaic_acid"])
def test_a_rosacea_cream_is_medical_therapy_for_bleeding_rhinophyma(agent: str) -> None:
    case = {
        "payer": {"policy": "aetna", "plan_type": "commercial"},
        "procedures": [{"kind": "shave_removal", "site": "face"}],
        "condition": {"kind": "rhinophyma"},
        "impairment": ["bleeding"],
        "prior_treatments": [{"name": agent, "outcome": "failed", "months": 3}],
    }
    assert status_of(case, "aetna.0547.refractory-bleeding-or-infection") is Status.met


def test_azelaic_acid_is_not_the_antibiotic_trial_an_acne_peel_needs() -> None:
    case = {
        "payer": {"policy": "bcbs-al", "plan_type": "commercial"},
        "procedures": [{"kind": "chemical_peel", "depth": "epidermal", "site": "face"}],
        "condition": {"kind": "acne_active", "cause": "acne"},
        "prior_treatments": [{"name": "azelaic_acid", "outcome": "failed"}],
    }
    assert status_of(case, "bcbs-al.052.failed-antibiotics") is Status.not_met
    case["prior_treatments"] = [{"name": "topical_antibiotic", "outcome": "failed"}]
    assert status_of(case, "bcbs-al.052.failed-antibiotics") is Status.met


def test_diclofenac_does_not_stand_in_for_5fu_or_imiquimod_for_an_ak_peel() -> None:
    case = {
        "payer": {"policy": "aetna", "plan_type": "commercial"},
        "procedures": [{"kind": "chemical_peel", "depth": "dermal", "site": "face"}],
        "condition": {"kind": "actinic_keratosis", "lesion_count": 20},
        "prior_treatments": [{"name": "diclofenac_topical", "outcome": "failed"}],
    }
    assert status_of(case, "aetna.0251.peel-inadequate-topical") is Status.not_met
