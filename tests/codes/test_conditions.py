"""Inferring the condition kind from ICD-10-CM diagnoses (research 2.2 and 1.12)."""

from __future__ import annotations

import pytest

from dermcover.case import Cause, ConditionKind
from dermcover.codes.conditions import condition_kinds_for, infer_condition_kind

K = ConditionKind


@pytest.mark.parametrize(
    ("diagnosis", "kind"),
    [
        ("T23.302S", K.burn_scar),  # burn of left hand, sequela
        ("T21.31XS", K.burn_scar),
        ("L57.0", K.actinic_keratosis),
        ("L91.0", K.hypertrophic_scar),
        ("L70.0", K.acne_active),
        ("L81.1", K.melasma),
        ("L81.0", K.post_inflammatory_hyperpigmentation),
        ("L81.4", K.lentigines),
        ("L57.8", K.photoaging),
        ("L57.9", K.photoaging),
        ("Q82.5", K.port_wine_stain),
        ("D18.01", K.hemangioma),
        ("L71.1", K.rhinophyma),
        ("L71.0", K.perioral_dermatitis),
        ("L71.8", K.rosacea),
        ("L71.9", K.rosacea),
        ("L90.6", K.striae),
        ("L63.9", K.hair_loss),
        ("L64.9", K.hair_loss),
        ("L65.9", K.hair_loss),
        ("L66.1", K.hair_loss),
        ("E11.621", K.diabetic_ulcer),
        ("B07.8", K.warts),
        ("L40.0", K.psoriasis),
        ("I78.1", K.telangiectasia),
        ("C44.311", K.basal_cell_carcinoma_superficial),
        ("S01.81XS", K.traumatic_scar),  # laceration of the head, sequela
    ],
)
def test_one_diagnosis_implies_its_kind(diagnosis: str, kind: ConditionKind) -> None:
    assert infer_condition_kind([diagnosis]) is kind


def test_codes_are_read_in_any_case_and_without_the_dot() -> None:
    assert infer_condition_kind(["l570"]) is K.actinic_keratosis


@pytest.mark.parametrize(
    "diagnoses",
    [
        ["L90.5"],  # a scar, but of what kind? acne scars and burn scars are decided differently
        ["T23.302A"],  # the acute burn, not its scar
        ["Z41.1"],
        ["T95.1"],  # not ICD-10-CM
        ["L57.0X"],  # mistyped: the valid prefix must not count
        [],
    ],
)
def test_no_kind_when_the_diagnoses_do_not_say(diagnoses: list[str]) -> None:
    assert infer_condition_kind(diagnoses) is None


def test_a_burn_sequela_makes_a_scar_code_a_burn_scar() -> None:
    assert infer_condition_kind(["L90.5", "T23.302S"]) is K.burn_scar
    assert infer_condition_kind(["L91.0", "T23.302S"]) is K.burn_scar


def test_a_scar_code_beside_acne_means_acne_scars() -> None:
    assert infer_condition_kind(["L70.0", "L90.5"]) is K.acne_scars


def test_an_ulcer_is_diabetic_only_with_a_diabetes_code() -> None:
    assert infer_condition_kind(["L97.512"]) is K.chronic_wound
    assert infer_condition_kind(["L97.512", "E11.9"]) is K.diabetic_ulcer


def test_bcc_yields_only_when_nothing_better_is_there() -> None:
    assert infer_condition_kind(["C44.311", "L57.0"]) is K.actinic_keratosis


def test_the_first_listed_of_equal_diagnoses_wins() -> None:
    assert infer_condition_kind(["L81.1", "L70.0"]) is K.melasma
    assert infer_condition_kind(["L70.0", "L81.1"]) is K.acne_active


@pytest.mark.parametrize(
    ("cause", "kind"),
    [
        (Cause.acne, K.acne_scars),
        (Cause.burn, K.burn_scar),
        (Cause.surgery, K.surgical_scar),
        (Cause.trauma, K.traumatic_scar),
        (Cause.aging, None),
    ],
)
def test_the_cause_settles_a_bare_scar_code(cause: Cause, kind: ConditionKind | None) -> None:
    assert infer_condition_kind(["L90.5"], cause=cause) is kind


def test_the_cause_does_not_override_a_diagnosis_that_names_a_kind() -> None:
    assert infer_condition_kind(["L57.0"], cause=Cause.burn) is K.actinic_keratosis


def test_kinds_a_code_is_consistent_with() -> None:
    assert K.burn_scar in condition_kinds_for("L90.5")
    assert K.acne_scars in condition_kinds_for("L90.5")
    assert K.keloid in condition_kinds_for("L91.0")  # L91.0 includes keloid
    assert condition_kinds_for("L81.1") == {K.melasma}
    assert condition_kinds_for("Z41.1") == frozenset()
    assert condition_kinds_for("T95.1") == frozenset()
