"""The letter of medical necessity: what it says, and when it refuses to be written."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from dermcover.case import Case
from dermcover.documents import DocumentRefused
from dermcover.documents.lmn import letter_of_medical_necessity
from dermcover.documents.schedule import Interval, IntervalUnit, Schedule
from dermcover.engine.pack import Pack
from dermcover.inputs import load_model

from .support import (
    EXAMPLES,
    TODAY,
    decided,
    decided_by,
    example,
    generic_fixture,
    pdf_text,
    with_people,
)

EVERY_4_WEEKS = Schedule(interval=Interval(every=4, unit=IntervalUnit.weeks))


def burn_letter() -> Any:
    case = example("burn-scar-laser.yaml")
    determination, pack = decided(case)
    schedule = load_model(Schedule, EXAMPLES / "schedule-burn-laser.yaml")
    return letter_of_medical_necessity(case, determination, pack, today=TODAY, schedule=schedule)


def test_the_letter_argues_the_generic_policy_criteria_the_burn_case_meets() -> None:
    letter = burn_letter()
    (requested,) = letter.requested
    criteria = {criterion.text: criterion for criterion in requested.criteria}
    # Texts and citations from policies/generic/policy.yaml.
    cause = criteria[
        "The condition comes from a burn, an injury, surgery, a congenital condition or a disease"
    ]
    assert cause.evidence == ["Cause: burn"]
    # The plan has no pack of its own: the letter argues under the definition of medical
    # necessity plans share, never citing the consumer articles the framework was built from.
    assert cause.citation == ""
    assert letter.basis is not None and "significant functional impairment" in letter.basis
    own = "Cascade Health Plan PPO's own medical policy for this procedure"
    assert letter.policy_to_check == own
    impairment = criteria[
        "A clinician has documented a functional impairment (restricted movement, pain needing "
        "analgesics, bleeding, ulceration, obstruction, problems with vision, breathing, eating "
        "or speech); itching and infection are symptoms"
    ]
    assert impairment.evidence == ["Documented impairment: restricted range of motion; itching"]
    assert (
        "It is done in a clinical setting by a licensed clinician, not in a spa by an esthetician"
        in criteria
    )
    assert requested.covering_rule.startswith("A medically necessary procedure done in a clinical")
    # The cosmetic rule's parts are not met, and a letter never lists them as if they were.
    assert not any(text.startswith("The aim is to change appearance") for text in criteria)


def test_the_letter_carries_the_history_and_the_treatment_plan() -> None:
    letter = burn_letter()
    assert letter.history.cause == "burn"
    assert letter.history.duration == "14 months"
    assert letter.history.severity == "severe"
    assert letter.history.impairments == ["restricted range of motion", "itching"]
    assert letter.history.treatments == [
        "silicone gel sheeting for 6 months: did not work",
        "pressure garments for 9 months: partial response only",
        "intralesional steroid injections for 2 months: not tolerated",
    ]
    plan = letter.requested[0].plan
    # Three sessions six weeks apart from 14 December 2026: 25 January, then 8 March 2027.
    assert (plan.sessions, plan.interval) == (3, "every 6 weeks")
    assert (plan.first_session, plan.last_session) == (date(2026, 12, 14), date(2027, 3, 8))


def test_the_rendered_burn_letter_has_every_element() -> None:
    text = pdf_text("lmn", burn_letter())
    assert "article" not in text
    assert "Common commercial framework" not in text
    for element in (
        "Letter of medical necessity",
        "Jordan Ellis",
        "June 14, 1988",
        "CHP-4410-2287",
        "Dana Reyes, MD, FAAD",
        "NPI 1987654328",
        "Cascade Health Plan PPO",
        # Diagnosis codes with their ICD-10-CM descriptions, and the procedure code.
        "T23.361S",
        "Burn of third degree of back of right hand, sequela",
        "L91.0",
        "Hypertrophic scar",
        "M24.541",
        "Contracture, right hand",
        "0479T",
        # History: cause, duration, severity, impairment, failed treatments with outcomes.
        "14 months since onset",
        "severe",
        "restricted range of motion; itching",
        "silicone gel sheeting for 6 months: did not work",
        "intralesional steroid injections for 2 months: not tolerated",
        # The argument from the facts and the shared definition; the plan's own policy named.
        "Cascade Health Plan PPO's own medical policy for this procedure",
        "The condition comes from a burn, an injury, surgery, a congenital condition or a disease",
        "In this case: Cause: burn.",
        "Health plans share a definition of medical necessity",
        # Treatment plan and signature.
        "3 sessions of fractional ablative laser (0479T) to the hand, every 6 weeks, starting "
        "December 14, 2026 and expected to end by March 8, 2027",
        "Sincerely,",
        "Date: November 22, 2026",
    ):
        assert element in text, element


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(
            generic_fixture("burn-contracture-covered.yaml", code="17999"),
            ["T23.302S", "Burn of third degree of left hand, unspecified site, sequela", "17999"],
            id="generic/burn-contracture",
        ),
        pytest.param(
            generic_fixture("actinic-keratoses-peel.yaml", code="15789", diagnoses=["L57.0"]),
            ["15789", "Actinic keratosis", "The condition is precancerous (actinic keratoses)"],
            id="generic/actinic-keratoses-peel",
        ),
        pytest.param(
            generic_fixture(
                "severe-acne-scars-after-failed-treatment.yaml", code="17999", diagnoses=["L90.5"]
            ),
            [
                "The scarring is severe",
                "isotretinoin for 6 months: did not work",
                "significant psychological distress, documented by a clinician",
            ],
            id="generic/severe-acne-scars",
        ),
        pytest.param(
            with_people(example("dermal-peel-actinic-keratoses.yaml").model_dump(mode="json")),
            ["15789", "L57.0", "Actinic keratosis", "Aetna", "Policy: Aetna CPB"],
            id="aetna/dermal-peel",
        ),
    ],
)
def test_letters_for_covered_fixtures_render_with_every_element(
    case: Case, expected: list[str]
) -> None:
    determination, pack = decided(case)
    letter = letter_of_medical_necessity(
        case, determination, pack, today=TODAY, schedule=EVERY_4_WEEKS
    )
    text = pdf_text("lmn", letter)
    sessions = case.procedures[0].sessions
    diagnoses = case.condition.diagnoses if case.condition and case.condition.diagnoses else []
    for element in (
        "Alex Morgan",
        "February 11, 1979",
        "Sam Okafor, MD",
        "NPI 1234567893",
        "M-100200",
        f"{sessions} session",
        "Sincerely,",
        *diagnoses,
        *expected,
    ):
        assert element in text, element
    if sessions > 1:
        assert "every 4 weeks" in text


# --- refusals ------------------------------------------------------------------------------------


def refusal(case: Case, pack: Pack | None = None, schedule: Schedule | None = None) -> str:
    if pack is None:
        determination, pack = decided(case)
    else:
        determination = decided_by(pack, case)
    with pytest.raises(DocumentRefused) as refused:
        letter_of_medical_necessity(
            case, determination, pack, today=TODAY, schedule=schedule or EVERY_4_WEEKS
        )
    return str(refused.value)


def test_a_cosmetic_determination_gets_no_letter_and_says_why() -> None:
    message = refusal(with_people(example("pico-laser-prp-melasma.yaml").model_dump(mode="json")))
    assert message.startswith("cannot write the letter of medical necessity")
    assert "Picosecond laser (17999): the policy excludes it as cosmetic" in message
    assert "PRP injection (0232T): the policy excludes it as cosmetic" in message


def test_an_investigational_determination_gets_no_letter(test_pack: Pack) -> None:
    case = with_people(
        {
            "procedures": [{"kind": "prp_injection", "code": "0232T"}],
            "condition": {"diagnoses": ["L90.5"], "cause": "burn"},
            "purpose": "function",
            "impairment": ["restricted_range_of_motion"],
        }
    )
    message = refusal(case, test_pack)
    assert "PRP injection (0232T): the policy calls it experimental or investigational" in message
    assert "The policy calls PRP for the skin unproven" in message


def test_criteria_not_met_get_no_letter() -> None:
    message = refusal(generic_fixture("scar-without-documented-impairment.yaml", code="17999"))
    assert "does not meet the policy's criteria" in message


def test_open_questions_get_no_letter_and_the_refusal_asks_them() -> None:
    case = with_people(example("microneedling-unknown-reason.yaml").model_dump(mode="json"))
    message = refusal(case)
    assert "the policy's answer still depends on open questions" in message
    assert "What caused the condition" in message


def test_each_missing_field_a_letter_needs_is_named() -> None:
    data = example("burn-scar-laser.yaml").model_dump(mode="json", exclude_none=True)
    del data["patient"]["name"]
    del data["patient"]["birth_date"]
    del data["provider"]["npi"]
    del data["provider"]["credentials"]
    data["procedures"][0].pop("code")
    data["procedures"][0]["kind"] = "fractional_ablative_laser"
    message = refusal(Case.model_validate(data), schedule=Schedule())
    for reason in (
        "patient.name is missing",
        "patient.birth_date is missing",
        "provider.npi is missing",
        "provider.credentials is missing",
        "procedures[0].code is missing",
        "schedule.interval is missing",
    ):
        assert reason in message, reason


def test_an_invalid_diagnosis_code_must_be_corrected_first() -> None:
    data = example("burn-scar-laser.yaml").model_dump(mode="json", exclude_none=True)
    data["condition"]["diagnoses"] = ["T23.361S", "T95.1"]  # T95.1 is WHO ICD-10 only
    message = refusal(Case.model_validate(data))
    assert "code T95.1 must be corrected first" in message


def test_a_mixed_case_gets_a_letter_for_the_supported_line_only(test_pack: Pack) -> None:
    case = with_people(
        {
            "procedures": [
                {"kind": "microneedling", "code": "17999", "sessions": 2},
                {"kind": "prp_injection", "code": "0232T"},
            ],
            "condition": {"diagnoses": ["L90.5"], "kind": "burn_scar", "cause": "burn"},
            "purpose": "function",
            "impairment": ["restricted_range_of_motion"],
        }
    )
    letter = letter_of_medical_necessity(
        case, decided_by(test_pack, case), test_pack, today=TODAY, schedule=EVERY_4_WEEKS
    )
    assert [item.procedure.code for item in letter.requested] == ["17999"]
    assert [c.text for c in letter.requested[0].criteria] == [
        "The scar comes from a burn",
        "A functional impairment is documented",
    ]
    assert len(letter.left_out) == 1
    assert letter.left_out[0].startswith("PRP injection (0232T): the policy calls it experimental")
