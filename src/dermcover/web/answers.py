"""The patient's saved answers: everything said and typed in a check, as one file the patient
keeps, uploads again to resume, or gives to the clinic to open as a case.

The file (YAML) holds the case (the case format, with the plan type, sessions, purpose and every
other fact answered, and the name and details typed for a paper), the numbers typed into the cost
and paper forms exactly as typed (percent fields in percent), and where the check stands:

    format: dermcover-answers/1
    case: {procedures: [...], payer: {policy: uhc, plan: uhc-mmc-2026}, purpose: appearance, ...}
    costs: {sessions: "3", self_pay: "350", coinsurance: "20"}
    answered: [payer.plan, condition.kind, purpose]
    skipped: [impairment]
    all_plans: false

The plan document the patient picked is the case's `payer.plan`; "not listed, or not sure" leaves
it out and keeps `payer.plan` among the answered questions, so resuming does not ask again.

A plain case file is read too (a case written by hand, or saved by an older version).
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

import yaml
from pydantic import Field, StringConstraints, field_validator

from dermcover.case import Case, Contract
from dermcover.inputs import InputError, load_model_text, parse_text
from dermcover.web.costs import FIELDS
from dermcover.web.papers import PAPER_FIELDS

FORMAT: Final = "dermcover-answers/1"
# Form fields whose typed values the file keeps: the cost form, the paper form's schedule and
# identity fields (these last also go into the case).
TYPED_FIELDS = frozenset(
    (*FIELDS, *PAPER_FIELDS, "diagnoses", "scheduled_on", "first_session", "every_weeks")
)
MAX_TYPED = 200

Typed = Annotated[str, StringConstraints(max_length=MAX_TYPED)]


class SavedAnswers(Contract):
    format: Literal["dermcover-answers/1"] = FORMAT
    case: Case
    costs: dict[str, Typed] = Field(
        default_factory=dict, description="The cost and paper forms as typed, by field name."
    )
    answered: list[str] = Field(default_factory=list, max_length=100)
    skipped: list[str] = Field(default_factory=list, max_length=100)
    all_plans: bool = Field(default=False, description="The plan is unknown: show the spread.")

    @field_validator("costs")
    @classmethod
    def _known_fields(cls, costs: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(costs) - TYPED_FIELDS)
        if unknown:
            raise ValueError(
                f"{unknown[0]!r} is not a field of the cost or paper forms; allowed: "
                + ", ".join(sorted(TYPED_FIELDS))
            )
        return {name: value for name, value in costs.items() if value.strip()}


def typed_values(form: Any) -> dict[str, str]:
    """The form's typed values the file keeps, blanks left out."""
    kept = {}
    for name in sorted(TYPED_FIELDS):
        value = str(form.get(name) or "").strip()
        if value:
            kept[name] = value[:MAX_TYPED]
    return kept


def answers_text(saved: SavedAnswers) -> str:
    header = (
        "# My coverage check, saved from dermcover: every answer and number I gave.\n"
        "# Upload it on the first page to carry on, or give it to your clinic: they can open\n"
        "# it as a case. Keep it private: it describes your health.\n"
    )
    data = saved.model_dump(mode="json", exclude_none=True)
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def read_answers(text: str, source: str) -> SavedAnswers:
    """Saved answers, or a plain case file read as answers with nothing typed; a one-line
    InputError naming the field otherwise."""
    data, _ = parse_text(text, source)
    if isinstance(data, dict) and "case" in data:
        return load_model_text(SavedAnswers, text, source)
    if isinstance(data, dict) and "procedures" in data:
        return SavedAnswers(case=load_model_text(Case, text, source))
    raise InputError(
        f"{source}: not saved answers or a case; expected `case:` (saved answers) or "
        "`procedures:` (a case file) at the top"
    )
