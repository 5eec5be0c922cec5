"""The code checks: one small case per path, pass and fail (research 1.8, 1.12, 2.1, 2.2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dermcover.case import Case
from dermcover.codes.checks import check_codes
from dermcover.determination import CodeIssue, Severity
from dermcover.inputs import load_model

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def issues(procedures: list[dict[str, Any]], **condition: Any) -> list[CodeIssue]:
    case: dict[str, Any] = {"procedures": procedures}
    if condition:
        case["condition"] = condition
    return check_codes(Case.model_validate(case))


def only(found: list[CodeIssue]) -> CodeIssue:
    assert len(found) == 1, found
    return found[0]


def test_a_case_with_sound_codes_has_no_issues() -> None:
    found = issues(
        [{"kind": "chemical_peel", "code": "15789", "depth": "dermal", "site": "face"}],
        diagnoses=["L57.0"],
        kind="actinic_keratosis",
    )
    assert found == []


def test_a_case_without_codes_has_no_issues() -> None:
    assert issues([{"kind": "microneedling"}]) == []


def test_the_bad_codes_example_names_17320_and_t95_as_errors() -> None:
    case = load_model(Case, EXAMPLES / "bad-codes.yaml")
    errors = {issue.code: issue for issue in check_codes(case) if issue.severity is Severity.error}
    assert set(errors) == {"17320", "T95.1"}
    assert errors["17320"].field == "procedures[0].code"
    assert errors["T95.1"].field == "condition.diagnoses[0]"


# -- procedure codes that do not exist -------------------------------------------------------


def test_17320_is_no_cpt_code_and_points_to_the_real_ones() -> None:
    issue = only(issues([{"kind": "lesion_abrasion", "code": "17320"}]))
    assert issue.severity is Severity.error
    assert "no such code" in issue.message
    for pointer in ("15786", "15787", "17999", "microdermabrasion"):
        assert pointer in issue.message


def test_a_cpt_shaped_code_outside_the_table_is_only_a_warning() -> None:
    issue = only(issues([{"kind": "scar_revision", "code": "13160"}]))
    assert issue.severity is Severity.warning
    assert "not a code dermcover knows" in issue.message


@pytest.mark.parametrize("code", ["1234", "ABCDE", "157880", "X1234"])
def test_a_code_of_the_wrong_shape_is_an_error(code: str) -> None:
    issue = only(issues([{"kind": "scar_revision", "code": code}]))
    assert issue.severity is Severity.error
    assert code in issue.message
    assert "not a CPT or HCPCS code" in issue.message


# -- diagnosis codes -------------------------------------------------------------------------


def test_t95_is_who_only_and_points_to_the_burn_sequela_codes() -> None:
    issue = only(issues([{"kind": "scar_revision"}], diagnoses=["T95.1"]))
    assert issue.severity is Severity.error
    assert "WHO ICD-10" in issue.message
    assert "T20-T25" in issue.message
    assert "7th character S" in issue.message


def test_an_invalid_diagnosis_is_an_error_naming_it() -> None:
    issue = only(issues([{"kind": "lesion_destruction"}], diagnoses=["L57.0", "L99.99"]))
    assert issue.severity is Severity.error
    assert issue.field == "condition.diagnoses[1]"
    assert "L99.99 is not an ICD-10-CM code" in issue.message


def test_a_header_diagnosis_cannot_be_billed_and_children_are_offered() -> None:
    issue = only(issues([{"kind": "lesion_destruction"}], diagnoses=["L57"]))
    assert issue.severity is Severity.error
    assert "cannot be billed; choose a more specific code" in issue.message
    assert "L57.0 (Actinic keratosis)" in issue.message


def test_a_burn_coded_as_acute_when_the_case_is_a_scar() -> None:
    issue = only(issues([{"kind": "scar_revision"}], diagnoses=["T23.302A"], kind="burn_scar"))
    assert issue.severity is Severity.warning
    assert "T23.302S" in issue.message


def test_an_acute_burn_code_is_fine_when_no_scar_is_claimed() -> None:
    assert issues([{"kind": "prp_wound_gel"}], diagnoses=["T23.302A"]) == []


def test_z41_1_flags_cosmetic_intent() -> None:
    issue = only(issues([{"kind": "lesion_destruction"}], diagnoses=["L57.0", "Z41.1"]))
    assert issue.severity is Severity.warning
    assert issue.field == "condition.diagnoses[1]"
    assert "cosmetic" in issue.message


# -- procedure code against the line ---------------------------------------------------------


def test_an_epidermal_peel_code_billed_for_microneedling() -> None:
    issue = only(issues([{"kind": "microneedling", "code": "15788"}]))
    assert issue.severity is Severity.error
    assert "does not describe microneedling" in issue.message
    assert "17999" in issue.message


def test_a_code_that_fits_its_kind_passes() -> None:
    assert issues([{"kind": "chemical_peel", "code": "15788"}]) == []


def test_a_depth_that_contradicts_the_code() -> None:
    issue = only(issues([{"kind": "chemical_peel", "code": "15788", "depth": "dermal"}]))
    assert issue.severity is Severity.error
    assert issue.field == "procedures[0].code"
    assert "15789" in issue.message  # the dermal facial peel


def test_a_depth_that_agrees_with_the_code() -> None:
    assert issues([{"kind": "chemical_peel", "code": "15788", "depth": "epidermal"}]) == []


def test_a_facial_peel_code_off_the_face() -> None:
    issue = only(issues([{"kind": "chemical_peel", "code": "15788", "site": "leg"}]))
    assert issue.severity is Severity.error
    assert "15792" in issue.message  # the non-facial epidermal peel


def test_the_unlisted_code_needs_a_narrative() -> None:
    issue = only(issues([{"kind": "microneedling", "code": "17999"}]))
    assert issue.severity is Severity.warning
    assert "narrative" in issue.message
    assert "records" in issue.message


def test_a_self_pay_case_sends_no_claim_so_no_narrative_is_asked() -> None:
    case = Case.model_validate(
        {
            "payer": {"plan_type": "self_pay"},
            "procedures": [{"kind": "microneedling", "code": "17999"}],
        }
    )
    assert not [issue for issue in check_codes(case) if "narrative" in issue.message]


def test_the_unlisted_code_for_a_kind_that_has_its_own_codes() -> None:
    issue = only(issues([{"kind": "chemical_peel", "code": "17999"}]))
    assert "15789" in issue.message


# -- PRP wound codes against diabetes (research 1.8 code conflict) ---------------------------


def test_g0465_without_a_diabetes_diagnosis() -> None:
    issue = only(issues([{"code": "G0465"}], diagnoses=["L97.512"]))
    assert issue.severity is Severity.warning
    assert "G0460" in issue.message


def test_g0465_with_a_diabetes_diagnosis() -> None:
    assert issues([{"code": "G0465"}], diagnoses=["E11.621", "L97.512"]) == []


def test_g0460_with_a_diabetes_diagnosis() -> None:
    issue = only(issues([{"code": "G0460"}], diagnoses=["E11.621", "L97.512"]))
    assert issue.severity is Severity.warning
    assert "G0465" in issue.message


def test_g0460_without_diabetes() -> None:
    assert issues([{"code": "G0460"}], diagnoses=["L97.512"]) == []


def test_prp_codes_are_not_judged_when_the_diagnoses_are_unknown() -> None:
    assert issues([{"code": "G0465"}]) == []


# -- procedure against condition -------------------------------------------------------------


def test_a_procedure_that_does_not_treat_the_condition() -> None:
    issue = only(issues([{"kind": "laser_hair_removal"}], kind="actinic_keratosis"))
    assert issue.severity is Severity.warning
    assert issue.field == "procedures[0].kind"
    assert "laser_hair_removal" in issue.message
    assert "actinic_keratosis" in issue.message


def test_the_condition_inferred_from_diagnoses_is_checked_too() -> None:
    issue = only(issues([{"kind": "laser_hair_removal"}], diagnoses=["L57.0"]))
    assert "inferred" in issue.message


def test_a_procedure_that_treats_the_condition() -> None:
    assert issues([{"kind": "pulsed_dye_laser"}], kind="port_wine_stain") == []


# -- diagnosis against the condition kind given ----------------------------------------------


def test_a_diagnosis_that_contradicts_the_kind() -> None:
    issue = only(issues([{"kind": "microneedling"}], diagnoses=["L81.1"], kind="acne_scars"))
    assert issue.severity is Severity.warning
    assert issue.field == "condition.diagnoses[0]"
    assert "melasma" in issue.message
    assert "acne_scars" in issue.message


def test_one_fitting_diagnosis_is_enough() -> None:
    found = issues(
        [{"kind": "fractional_ablative_laser"}],
        diagnoses=["L90.5", "T23.302S"],
        kind="burn_scar",
    )
    assert found == []


def test_a_diagnosis_the_table_does_not_know_raises_no_doubt() -> None:
    assert issues([{"kind": "microneedling"}], diagnoses=["L98.8"], kind="acne_scars") == []
