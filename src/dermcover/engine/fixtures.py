"""Policy fixtures: small cases beside each pack with the result the policy text demands.

A fixture states what the *policy* says must happen, citing the clause, never what the engine
happens to return. `check_fixture` lists every way a determination differs from it, and
`criteria_not_exercised` lists the criteria a pack's fixtures never show met or never show
not met, so that a pack cannot grow a criterion nobody tested both ways.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from dermcover.case import Case
from dermcover.determination import Determination, Outcome, Status
from dermcover.engine.pack import Pack
from dermcover.inputs import load_model


class Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    outcome: Outcome
    lines: list[Outcome] | None = Field(default=None, description="Each line's outcome, in order.")
    criteria: dict[str, Status] = Field(
        default_factory=dict, description="Statuses the policy text demands for these criteria."
    )
    questions: list[str] = Field(
        default_factory=list, description="Case fields that must be among the questions asked."
    )
    prior_authorization: list[str] | None = None


class Fixture(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    clause: str = Field(min_length=1, description="The policy text that demands this result.")
    case: Case
    expect: Expectation


def load_fixtures(pack_folder: Path) -> list[tuple[Path, Fixture]]:
    return [
        (path, load_model(Fixture, path))
        for path in sorted((pack_folder / "fixtures").glob("*.yaml"))
    ]


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One way a determination differs from its fixture: what was checked (`outcome`, `lines`,
    `prior_authorization`, `plan`, a criterion id or `questions`), what the policy demands, what
    came."""

    subject: str
    expected: str
    got: str

    def __str__(self) -> str:
        if self.subject == "questions":
            return f"no question asks for {self.expected} (asked: {self.got})"
        if self.got == "not weighed":
            return f"criterion {self.subject} was not weighed"
        what = {
            "outcome": "outcome is",
            "lines": "line outcomes are",
            "prior_authorization": "prior authorization is",
            "plan": "plan document is",
        }.get(self.subject, f"criterion {self.subject} is")
        return f"{what} {self.got}, policy demands {self.expected}"


def mismatches(fixture: Fixture, determination: Determination) -> list[Mismatch]:
    """Every difference between what the fixture demands and the determination."""
    expect = fixture.expect
    found: list[Mismatch] = []
    if determination.outcome is not expect.outcome:
        found.append(Mismatch("outcome", expect.outcome.value, determination.outcome.value))
    if expect.lines is not None:
        got = [line.outcome for line in determination.lines]
        if got != expect.lines:
            found.append(
                Mismatch("lines", str([o.value for o in expect.lines]), str([o.value for o in got]))
            )
    if expect.prior_authorization is not None:
        got_pa = [line.prior_authorization.value for line in determination.lines]
        if got_pa != expect.prior_authorization:
            found.append(
                Mismatch("prior_authorization", str(expect.prior_authorization), str(got_pa))
            )
    seen = {
        criterion.id: criterion.status
        for line in determination.lines
        for criterion in line.criteria
    }
    for criterion_id, status in expect.criteria.items():
        if criterion_id not in seen:
            found.append(Mismatch(criterion_id, status.value, "not weighed"))
        elif seen[criterion_id] is not status:
            found.append(Mismatch(criterion_id, status.value, seen[criterion_id].value))
    asked = {field for question in determination.questions for field in question.fields}
    for field in expect.questions:
        if field not in asked:
            found.append(Mismatch("questions", field, str(sorted(asked))))
    return found


def check_fixture(fixture: Fixture, determination: Determination) -> list[str]:
    """Every difference between what the fixture demands and the determination, as text."""
    return [str(mismatch) for mismatch in mismatches(fixture, determination)]


def criteria_not_exercised(pack: Pack, determinations: Iterable[Determination]) -> list[str]:
    """Criteria (named ones and rules with a condition) not seen both met and not met."""
    seen: dict[str, set[Status]] = {}
    unknown_seen = False
    for determination in determinations:
        for line in determination.lines:
            for criterion in line.criteria:
                seen.setdefault(criterion.id, set()).add(criterion.status)
                unknown_seen |= criterion.status is Status.unknown
    ids = [*pack.criteria, *(rule.criterion.id for rule in pack.rules if rule.criterion.when)]
    gaps = [
        f"{criterion_id} never {status.value}"
        for criterion_id in ids
        for status in (Status.met, Status.not_met)
        if status not in seen.get(criterion_id, set())
    ]
    if not unknown_seen:
        gaps.append("no fixture leaves a criterion unknown")
    return gaps
