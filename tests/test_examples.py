"""The examples in the spec get the outcomes their comments state."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from dermcover.case import Case
from dermcover.determination import Outcome, Severity
from dermcover.engine import determine
from dermcover.inputs import load_model

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TODAY = date(2026, 11, 22)


def test_dermal_peel_for_actinic_keratoses_is_covered_with_prior_auth_under_aetna() -> None:
    result = determine(
        load_model(Case, EXAMPLES / "dermal-peel-actinic-keratoses.yaml"), today=TODAY
    )
    assert result.policy.id == "aetna"
    assert result.outcome is Outcome.covered_with_prior_auth


def test_microneedling_for_an_unexplained_scar_asks_about_cause_and_impairment() -> None:
    result = determine(
        load_model(Case, EXAMPLES / "microneedling-unknown-reason.yaml"), today=TODAY
    )
    assert result.outcome is Outcome.insufficient_information
    asked = {question.field for question in result.questions}
    assert {"condition.cause", "impairment"} <= asked


def test_pico_laser_with_prp_for_melasma_is_cosmetic_on_both_lines() -> None:
    result = determine(load_model(Case, EXAMPLES / "pico-laser-prp-melasma.yaml"), today=TODAY)
    assert [line.outcome for line in result.lines] == [Outcome.not_covered_cosmetic] * 2


def test_bad_codes_are_named_as_errors() -> None:
    result = determine(load_model(Case, EXAMPLES / "bad-codes.yaml"), today=TODAY)
    errors = {issue.code for issue in result.code_issues if issue.severity is Severity.error}
    assert {"17320", "T95.1"} <= errors
