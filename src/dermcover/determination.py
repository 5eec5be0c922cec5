"""The determination a case gets back (spec: case-format.md, "The determination").

One fixed shape for every answer, whether it came from the CLI, the API or a batch run: an outcome
per procedure line, the criteria trace with a citation for each criterion, plain-language reasons,
the questions that would settle what is still unknown, the documentation checklist, code issues
and next steps.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, cast

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler
from pydantic_core import CoreSchema, core_schema

from dermcover.case import DocumentationItem, ProcedureKind


class Result(BaseModel):
    model_config = ConfigDict(frozen=True)


class _WrittenAsText:
    """Marks a field of a string enum (`StrEnum`: its members are strings) to be written as the
    string it is, by pydantic-core itself: written as an enum, each member's `.value` was asked
    of Python, some twenty times an answer. The JSON, the Python dump and the schema are the same
    as before."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        written = {**handler(source), "serialization": core_schema.simple_ser_schema("str")}
        return cast(CoreSchema, written)


AS_TEXT = _WrittenAsText()


class Outcome(StrEnum):
    covered = "covered"
    covered_with_prior_auth = "covered_with_prior_auth"
    not_covered_cosmetic = "not_covered_cosmetic"
    not_covered_investigational = "not_covered_investigational"
    not_covered_not_medically_necessary = "not_covered_not_medically_necessary"
    insufficient_information = "insufficient_information"
    mixed = "mixed"

    @property
    def is_covered(self) -> bool:
        return self in (Outcome.covered, Outcome.covered_with_prior_auth)


class PriorAuthorizationNeed(StrEnum):
    required = "required"
    not_required = "not_required"
    not_applicable = "not_applicable"
    unknown = "unknown"


class Status(StrEnum):
    """Kleene's three truth values, as the trace shows them."""

    met = "met"
    not_met = "not_met"
    unknown = "unknown"


class Severity(StrEnum):
    error = "error"
    warning = "warning"


class PolicyRef(Result):
    id: str
    title: str
    reviewed: date
    sources: list[str]


class ProcedureRef(Result):
    kind: Annotated[ProcedureKind, AS_TEXT] | None
    code: str | None = None
    sessions: int = 1


class FactCheck(Result):
    """One leaf of a criterion: a fact the policy looked at and what the case said of it."""

    fact: str
    test: dict[str, Any]
    fields: list[str]
    value: Any = None
    status: Annotated[Status, AS_TEXT]


class CriterionResult(Result):
    id: str
    text: str
    status: Annotated[Status, AS_TEXT]
    citation: str
    stage: str | None = Field(default=None, description="Where in the decision order it sits.")
    outcome: Annotated[Outcome, AS_TEXT] | None = Field(
        default=None, description="The outcome this criterion decides when it is met."
    )
    facts: list[FactCheck] | None = Field(
        default=None, description="The facts behind the status (the full trace only)."
    )


class Line(Result):
    procedure: ProcedureRef
    outcome: Annotated[Outcome, AS_TEXT]
    prior_authorization: Annotated[PriorAuthorizationNeed, AS_TEXT]
    criteria: list[CriterionResult]
    reasons: list[str]
    decided_by: str | None = Field(default=None, description="The rule id that decided it.")


class Question(Result):
    field: str
    ask: str
    patient_ask: str | None = Field(
        default=None,
        description="The same question in plain words for a patient, where `ask` is precise "
        "but technical; absent, `ask` reads plainly.",
    )
    fields: list[str] = Field(
        default_factory=list, description="Every case field one answer fills (field first)."
    )
    criteria: list[str] = Field(
        default_factory=list, description="The criteria whose status waits on the answer."
    )


class DocumentationCheck(Result):
    item: Annotated[DocumentationItem, AS_TEXT]
    status: str = Field(description="present | missing")
    why: str | None = None


class CodeIssue(Result):
    code: str
    severity: Annotated[Severity, AS_TEXT]
    message: str
    field: str | None = Field(default=None, description="Where in the case the code sits.")


class Determination(Result):
    case_id: str | None = None
    policy: PolicyRef
    plan: PolicyRef | None = Field(
        default=None, description="The plan document whose exclusions were weighed first."
    )
    outcome: Annotated[Outcome, AS_TEXT]
    lines: list[Line]
    questions: list[Question]
    documentation: list[DocumentationCheck]
    code_issues: list[CodeIssue]
    next_steps: list[str]
    notes: list[str] = Field(
        default_factory=list, description="What the answer did not check, in plain words."
    )

    @property
    def may_need_prior_authorization(self) -> bool:
        """Whether any line needs (or may need) prior authorization: the documentation list is
        then for the request; otherwise it is what the record should hold for the claim."""
        return any(
            line.prior_authorization
            in (PriorAuthorizationNeed.required, PriorAuthorizationNeed.unknown)
            for line in self.lines
        )
