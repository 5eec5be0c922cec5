"""Plan documents: weighed before the policy, named in the answer, and a note when none is."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from dermcover.case import Case
from dermcover.determination import Outcome
from dermcover.engine import determine
from dermcover.engine.decide import PLAN_NOT_CHECKED
from dermcover.inputs import InputError

TODAY = date(2026, 12, 1)
HAIR_LOSS: dict[str, Any] = {
    "procedures": [{"kind": "q_switched_laser", "code": "17999"}],
    "condition": {"kind": "hair_loss"},
    "purpose": "disease_treatment",
}


def case(**payer: Any) -> Case:
    return Case.model_validate({**HAIR_LOSS, "payer": payer})


def test_a_plan_exclusion_decides_before_the_medical_policy() -> None:
    without = determine(case(policy="uhc", plan_type="commercial"), today=TODAY)
    with_plan = determine(case(policy="uhc", plan="uhc-mmc-2026"), today=TODAY)
    assert without.outcome is not Outcome.not_covered_cosmetic
    assert with_plan.outcome is Outcome.not_covered_cosmetic
    assert with_plan.lines[0].decided_by == "uhc-mmc-2026.hair-loss"
    assert with_plan.plan is not None and with_plan.plan.id == "uhc-mmc-2026"


def test_a_case_naming_no_plan_says_the_plans_exclusions_were_not_checked() -> None:
    determination = determine(case(policy="uhc", plan_type="commercial"), today=TODAY)
    assert determination.plan is None
    assert determination.notes == [PLAN_NOT_CHECKED]


def test_original_medicare_has_no_plan_document_to_note() -> None:
    determination = determine(case(plan_type="medicare"), today=TODAY)
    assert determination.notes == []


def test_a_plan_alone_chooses_its_policy() -> None:
    determination = determine(case(plan="uhc-coc-sample"), today=TODAY)
    assert determination.policy.id == "uhc"


def test_an_unknown_plan_is_one_line_naming_the_field_and_the_plans() -> None:
    with pytest.raises(InputError, match=r"payer\.plan: unknown plan 'acme-2026'; available: uhc"):
        determine(case(policy="uhc", plan="acme-2026"), today=TODAY)


def test_a_plan_over_another_payers_policy_is_refused() -> None:
    with pytest.raises(InputError, match="sits over policy 'uhc'"):
        determine(case(policy="aetna", plan="uhc-mmc-2026"), today=TODAY)
