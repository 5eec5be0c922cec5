"""The case's newer fields: what they accept, and the one-line error for what they do not."""

from __future__ import annotations

import pytest

from dermcover.case import Case, PriorTreatment, TreatmentClass, UsState
from dermcover.codes.checks import check_codes
from dermcover.codes.treatments import TREATMENT_CLASSES
from dermcover.inputs import InputError, load_model_text

HEAD = "procedures: [{kind: excision}]\n"


def error_for(text: str) -> str:
    with pytest.raises(InputError) as caught:
        load_model_text(Case, text, "case.yaml")
    message = str(caught.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (HEAD + "patient: {state: ZZ}\n", ["patient.state", "'ZZ'", "TX"]),
        ("procedures: [{kind: excision, weeks_given: -1}]\n", ["procedures[0].weeks_given"]),
        (
            "procedures: [{kind: excision, course_treatments: 0}]\n",
            ["procedures[0].course_treatments", "greater than or equal to 1"],
        ),
        (HEAD + "condition: {body_surface_percent: 140}\n", ["condition.body_surface_percent"]),
        (HEAD + "condition: {days_since_injury: soon}\n", ["condition.days_since_injury"]),
        (HEAD + "condition: {hyperkeratotic: thick}\n", ["condition.hyperkeratotic", "'thick'"]),
        (HEAD + "condition: {atrophic_scars: 2}\n", ["condition.atrophic_scars"]),
        (HEAD + "impairment_significant: maybe\n", ["impairment_significant", "'maybe'"]),
        (HEAD + "improvement_expected: 3\n", ["improvement_expected"]),
        (
            HEAD + "prior_treatments: [{name: x, kind: cream}]\n",
            ["prior_treatments[0].kind", "'cream'", "topical_chemotherapy"],
        ),
        (
            HEAD + "prior_treatments: [{name: imiquimod, kind: cryotherapy}]\n",
            ["imiquimod is of kind topical_immunomodulator, not cryotherapy"],
        ),
        (HEAD + "payer: {plan: 'UHC MMC'}\n", ["payer.plan", "lower-case letters"]),
        (
            "procedures: [{kind: excision, weeks_given: 600}]\n",
            ["procedures[0].weeks_given", "less than or equal to 520"],
        ),
        (
            "procedures: [{kind: excision, claim_diagnoses: L71.1}]\n",
            ["procedures[0].claim_diagnoses", "'L71.1'", "valid list"],
        ),
        # a yes/no field takes true or false, in a file as in an API body: never 0, 1 or "yes"
        (HEAD + "condition: {recurrent: 0}\n", ["condition.recurrent = 0", "true or false"]),
        (
            HEAD + "condition: {individual_treatment_impractical: 1}\n",
            ["condition.individual_treatment_impractical = 1", "true or false"],
        ),
        (HEAD + "condition: {hyperkeratotic: 1}\n", ["condition.hyperkeratotic", "true or false"]),
        (HEAD + "impairment_significant: 'yes'\n", ["impairment_significant", "true or false"]),
        (HEAD + "improvement_expected: 1\n", ["improvement_expected = 1", "true or false"]),
        ("procedures: [{kind: shaving}]\n", ["procedures[0].kind", "shave_removal"]),
    ],
)
def test_bad_values_in_new_fields_get_one_line_naming_field_and_allowed(
    text: str, names: list[str]
) -> None:
    message = error_for(text)
    for name in names:
        assert name in message


def test_a_yaml_yes_is_a_truth_value() -> None:
    case = load_model_text(
        Case, HEAD + "condition: {recurrent: yes}\nimprovement_expected: no\n", "c"
    )
    assert case.condition is not None and case.condition.recurrent is True
    assert case.improvement_expected is False


def test_a_state_may_be_written_in_lower_case() -> None:
    case = load_model_text(Case, HEAD + "patient: {state: ' tx'}\n", "c")
    assert case.patient is not None and case.patient.state is UsState.TX


def test_a_canonical_treatment_name_gives_its_class_and_others_are_unknown() -> None:
    assert PriorTreatment(name="fluorouracil_topical").resolved_kind is (
        TreatmentClass.topical_chemotherapy
    )
    assert PriorTreatment(name="grandmother's remedy").resolved_kind is None
    assert PriorTreatment(name="cantharidin", kind="other").resolved_kind is TreatmentClass.other


def test_every_class_in_the_name_table_is_a_treatment_class() -> None:
    assert set(TREATMENT_CLASSES.values()) <= {member.value for member in TreatmentClass}


def test_claim_diagnoses_are_normalised_and_checked_as_codes() -> None:
    case = load_model_text(
        Case, "procedures: [{kind: dermabrasion, claim_diagnoses: [l711, XYZ]}]\n", "c"
    )
    assert case.procedures[0].claim_diagnoses == ["L71.1", "XYZ"]
    [issue] = check_codes(case)
    assert issue.field == "procedures[0].claim_diagnoses[1]"
