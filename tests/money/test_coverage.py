"""What a determination means for the insured scenarios."""

from __future__ import annotations

from datetime import date

import pytest

from dermcover.case import ProcedureKind
from dermcover.determination import (
    Determination,
    Line,
    Outcome,
    PolicyRef,
    PriorAuthorizationNeed,
    ProcedureRef,
    Question,
)
from dermcover.money.coverage import coverage_from


def determination(
    *outcomes: Outcome,
    prior_authorization: PriorAuthorizationNeed = PriorAuthorizationNeed.not_required,
    questions: tuple[str, ...] = (),
) -> Determination:
    lines = [
        Line(
            procedure=ProcedureRef(kind=ProcedureKind.microneedling),
            outcome=outcome,
            prior_authorization=prior_authorization,
            criteria=[],
            reasons=[],
        )
        for outcome in outcomes
    ]
    overall = outcomes[0] if len(set(outcomes)) == 1 else Outcome.mixed
    return Determination(
        policy=PolicyRef(
            id="generic", title="Generic policy", reviewed=date(2025, 1, 1), sources=[]
        ),
        outcome=overall,
        lines=lines,
        questions=[Question(field="condition.cause", ask=ask) for ask in questions],
        documentation=[],
        code_issues=[],
        next_steps=[],
    )


def test_without_a_determination_coverage_is_assumed_and_says_so() -> None:
    finding = coverage_from(None)
    assert finding.covered is True
    assert "assumed" in finding.reason


@pytest.mark.parametrize("outcome", [Outcome.covered, Outcome.covered_with_prior_auth])
def test_covered_outcomes_are_covered(outcome: Outcome) -> None:
    assert coverage_from(determination(outcome)).covered is True


@pytest.mark.parametrize(
    "outcome",
    [
        Outcome.not_covered_cosmetic,
        Outcome.not_covered_investigational,
        Outcome.not_covered_not_medically_necessary,
    ],
)
def test_exclusions_are_not_covered(outcome: Outcome) -> None:
    finding = coverage_from(determination(outcome))
    assert finding.covered is False
    assert "Generic policy" in finding.reason


def test_insufficient_information_is_uncertain_and_names_the_questions() -> None:
    finding = coverage_from(
        determination(Outcome.insufficient_information, questions=("What caused the scar?",))
    )
    assert finding.covered is None
    assert "What caused the scar?" in finding.reason


def test_the_first_line_decides_a_mixed_case() -> None:
    finding = coverage_from(determination(Outcome.not_covered_cosmetic, Outcome.covered))
    assert finding.covered is False


def test_prior_authorization_need_is_carried_to_the_disclosure() -> None:
    finding = coverage_from(
        determination(
            Outcome.covered_with_prior_auth, prior_authorization=PriorAuthorizationNeed.required
        )
    )
    assert finding.prior_authorization is PriorAuthorizationNeed.required
    assert "prior authorization" in finding.reason
