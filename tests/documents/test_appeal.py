"""The appeal letter: deadline, rebuttal criterion by criterion, evidence, peer-to-peer, external
review rights (research section 4), and every refusal."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dermcover.case import Case
from dermcover.documents import DocumentRefused
from dermcover.documents.appeal import AppealLetter, appeal_letter
from dermcover.documents.denial import Denial
from dermcover.engine.pack import Pack
from dermcover.inputs import InputError, load_model, load_model_text

from .support import EXAMPLES, TODAY, decided, decided_by, example, pdf_text, with_people


def denial(**fields: Any) -> Denial:
    base: dict[str, Any] = {
        "date": "2026-11-16",
        "received_on": "2026-11-19",
        "reason": "cosmetic",
        "plan_type": "commercial",
        "codes": ["0479T"],
    }
    return Denial.model_validate({**base, **fields})


def appeal(
    notice: Denial, case: Case | None = None, today: date = TODAY, pack: Pack | None = None
) -> AppealLetter:
    case = case or example("burn-scar-laser.yaml")
    if pack is None:
        determination, pack = decided(case)
    else:
        determination = decided_by(pack, case)
    return appeal_letter(case, determination, pack, notice, today=today)


def example_appeal() -> AppealLetter:
    notice = load_model(Denial, EXAMPLES / "denial-burn-laser.yaml")
    return appeal(notice)


def test_a_commercial_appeal_is_due_180_days_after_receipt() -> None:
    letter = example_appeal()
    # Received 19 November 2026; 29 CFR 2560.503-1(h)(3)(i): 180 days -> 18 May 2027.
    assert letter.deadline.due_date == date(2027, 5, 18)
    assert letter.deadline.citation.startswith("29 CFR 2560.503-1(h)(3)(i)")
    # Research C1: received 2025-01-10 -> file by 2025-07-09.
    early = appeal(denial(date="2025-01-08", received_on="2025-01-10"), today=date(2025, 1, 15))
    assert early.deadline.due_date == date(2025, 7, 9)


def test_a_medicare_advantage_reconsideration_is_due_60_days_from_the_notice() -> None:
    # Research C10: notice dated 2026-03-02 -> safe date 2026-05-01, outer limit 2026-05-06.
    letter = appeal(
        denial(date="2026-03-02", received_on=None, plan_type="medicare_advantage"),
        today=date(2026, 3, 10),
    )
    assert letter.deadline.due_date == date(2026, 5, 1)
    assert letter.later_limit is not None and letter.later_limit.due_date == date(2026, 5, 6)


def test_an_earlier_date_on_the_notice_wins() -> None:
    letter = appeal(denial(appeal_by="2027-01-15"))
    assert letter.deadline.due_date == date(2027, 1, 15)
    assert letter.deadline.citation == "the plan's denial notice"


def test_a_medicaid_appeal_takes_its_deadline_from_the_notice() -> None:
    letter = appeal(denial(plan_type="medicaid", appeal_by="2027-01-15"))
    assert letter.deadline.due_date == date(2027, 1, 15)
    assert "State fair hearing" in letter.external_review.summary


def test_the_cosmetic_reason_is_answered_in_the_policy_s_own_terms() -> None:
    (rebuttal,) = example_appeal().rebuttals
    (exclusion,) = rebuttal.exclusions
    # generic policy.yaml: the cosmetic rule needs a cosmetic condition or an appearance-only aim.
    assert exclusion.text == "Treatment to change appearance is excluded as cosmetic"
    parts = {part.text: part for part in exclusion.parts}
    aim = parts[
        "The aim is to change appearance and there is no documented functional impairment "
        "(distress about appearance does not make it medical)"
    ]
    assert not aim.holds
    assert aim.evidence == [
        "Purpose of treatment: function",
        "Documented impairment: restricted range of motion; itching",
    ]
    condition = next(text for text in parts if text.startswith("The condition is one plans"))
    assert parts[condition].evidence == ["Condition: burn scar"]
    criteria = [criterion.text for criterion in rebuttal.criteria]
    assert criteria[0] == (
        "The condition comes from a burn, an injury, surgery, a congenital condition or a disease"
    )
    assert "Conventional treatment was tried first and failed, or could not be used" in criteria


def test_a_medical_necessity_denial_gets_the_criteria_but_no_exclusion_to_answer() -> None:
    (rebuttal,) = appeal(denial(reason="not_medically_necessary")).rebuttals
    assert rebuttal.exclusions == []
    assert rebuttal.criteria


def test_the_rendered_appeal_has_every_element() -> None:
    text = pdf_text("appeal", example_appeal())
    assert "article" not in text
    for element in (
        # The deadline, from the calculators.
        "File by May 18, 2027",
        "29 CFR 2560.503-1(h)(3)(i)",
        # Who and what.
        "Jordan Ellis",
        "CHP-4410-2287",
        "PA-2026-118834",
        "Laser treatment of scars is considered cosmetic and is not a covered benefit.",
        "0479T",
        # The rebuttal, criterion by criterion, citing the policy.
        "The cosmetic exclusion does not apply",
        "there is no documented functional impairment",
        "The criteria for coverage are met",
        # The case's plan has no pack of its own: the letter argues from the shared definition
        # of medical necessity and names the plan's own policy, never a consumer article.
        "Health plans share a definition of medical necessity",
        "own medical policy for this procedure",
        # Evidence.
        "A copy of the denial notice dated November 16, 2026 (reference PA-2026-118834)",
        "Prior treatment records",
        "Medical records (to obtain)",
        # Peer-to-peer.
        "I request a peer-to-peer review",
        "until December 3, 2026",
        # External review rights.
        "EXTERNAL REVIEW RIGHTS",
        "within 4 months of receiving the final denial (45 CFR 147.136(d)(2)(i))",
        "Sincerely,",
        "Dana Reyes, MD, FAAD",
    ):
        assert element in text, element


def test_an_appeal_under_a_test_policy_renders_its_cosmetic_rebuttal(test_pack: Pack) -> None:
    case = with_people(
        {
            "procedures": [{"kind": "microneedling", "code": "17999", "sessions": 3}],
            "condition": {"diagnoses": ["L90.5"], "kind": "burn_scar", "cause": "burn"},
            "purpose": "function",
            "impairment": ["restricted_range_of_motion"],
            "documentation": ["photos"],
        }
    )
    letter = appeal(denial(codes=["17999"]), case=case, pack=test_pack)
    text = pdf_text("appeal", letter)
    for element in (
        "Treatment for appearance is cosmetic",
        "The aim is appearance only: not the case here",
        "The scar comes from a burn",
        "Policy: Test policy 7, II.1",
        "Alex Morgan",
        "M-100200",
    ):
        assert element in text, element


@pytest.mark.parametrize(
    ("fields", "offered"),
    [
        ({}, True),
        ({"reason": "other"}, False),  # not a clinical question
        ({"plan_type": "medicare", "appeal_by": "2027-03-01"}, False),
        ({"peer_to_peer_by": "2026-11-20"}, False),  # the window has closed
    ],
)
def test_peer_to_peer_is_requested_only_where_it_applies(
    fields: dict[str, Any], offered: bool
) -> None:
    assert (appeal(denial(**fields)).peer_to_peer is not None) is offered


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"external_review_days": 60}, "within 60 days of the final denial notice"),
        ({"plan_type": "medicare_advantage"}, "Independent Review Entity"),
        ({"plan_type": "medicare", "appeal_by": "2027-03-01"}, "Qualified Independent Contractor"),
    ],
)
def test_external_review_rights_follow_the_plan_type(fields: dict[str, Any], expected: str) -> None:
    review = appeal(denial(**fields)).external_review
    assert expected in " ".join([review.summary, *review.steps])


# --- refusals ------------------------------------------------------------------------------------


def refusal(notice: Denial, case: Case | None = None, today: date = TODAY) -> str:
    with pytest.raises(DocumentRefused) as refused:
        appeal(notice, case, today)
    return str(refused.value)


def test_no_appeal_argues_what_the_policy_does_not_support() -> None:
    case = with_people(example("pico-laser-prp-melasma.yaml").model_dump(mode="json"))
    message = refusal(denial(codes=["17999"]), case)
    assert "an appeal must not argue what the policy does not support" in message
    assert "Picosecond laser (17999): the policy excludes it as cosmetic" in message


def test_a_denied_code_must_be_in_the_case() -> None:
    message = refusal(denial(codes=["0479T", "17106"]))
    assert "denied code 17106 is not a procedure code in the case (the case has: 0479T)" in message


def test_an_appeal_past_its_deadline_is_refused_with_the_date() -> None:
    message = refusal(denial(), today=date(2027, 5, 19))
    assert "the deadline to appeal was 2027-05-18" in message
    assert "good cause" in message


def test_an_original_medicare_appeal_is_due_125_days_after_the_notice() -> None:
    # 42 CFR 405.942: 120 days from receipt, receipt presumed 5 days after the notice date.
    letter = appeal(denial(plan_type="medicare"))
    assert letter.deadline.due_date == date(2027, 3, 21)
    assert "405.942" in letter.deadline.citation


def test_a_window_not_calculated_needs_the_notice_s_date() -> None:
    message = refusal(denial(plan_type="medicaid"))
    assert "denial.appeal_by is missing" in message


def test_each_missing_field_an_appeal_needs_is_named() -> None:
    data = example("burn-scar-laser.yaml").model_dump(mode="json", exclude_none=True)
    del data["payer"]["member_id"]
    del data["provider"]["phone"]
    del data["patient"]["birth_date"]
    message = refusal(denial(), Case.model_validate(data))
    for reason in (
        "payer.member_id is missing",
        "provider.phone is missing",
        "patient.birth_date is missing",
    ):
        assert reason in message, reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "date: 2026-11-16\nreason: cosmetic\nplan_type: self_pay\ncodes: ['0479T']\n",
            "denial.yaml:3: plan_type = 'self_pay': self_pay has no plan decision to appeal",
        ),
        (
            "date: 2026-11-16\nreason: too_expensive\nplan_type: commercial\ncodes: ['0479T']\n",
            "denial.yaml:2: reason = 'too_expensive': not an allowed value; allowed: cosmetic",
        ),
        (
            "date: 2026-11-16\nreason: cosmetic\nplan_type: commercial\ncodes: []\n",
            "denial.yaml:4: codes = []",
        ),
        (
            "date: 2026-11-16\nreceived_on: 2026-11-10\nreason: cosmetic\nplan_type: commercial\n"
            "codes: ['0479T']\n",
            "received_on 2026-11-10 is before the date on the notice 2026-11-16",
        ),
    ],
)
def test_a_bad_denial_file_gets_one_line_naming_the_field(text: str, expected: str) -> None:
    with pytest.raises(InputError) as error:
        load_model_text(Denial, text, str(Path("denial.yaml")))
    assert expected in str(error.value)
    assert "\n" not in str(error.value)
