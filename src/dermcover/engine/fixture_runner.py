"""Running a pack's fixtures: each fixture's case decided under the pack, compared with what
the policy text demands.

This is what `opa test` is to a Rego bundle: the fixtures are the pack's tests, a failure names
the fixture, what was checked, what the policy demands and what the engine gave, and the trace
shows why. Fixtures speak of the day the pack was reviewed unless told otherwise, so that an age
or a date in a fixture means the same thing every time it runs.

A plan document's fixtures are decided the way a member of the plan is: the plan's exclusions
first, then the policy pack it sits over. Such a fixture must name the plan (`payer.plan`); one
that does not is a failure, not a quiet run under the policy alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dermcover.determination import Determination
from dermcover.engine.decide import determine
from dermcover.engine.fixtures import Fixture, Mismatch, mismatches
from dermcover.engine.library import PolicyLibrary
from dermcover.engine.pack import Pack
from dermcover.engine.plans import Plan, PlanLibrary


@dataclass(frozen=True, slots=True)
class FixtureRun:
    """One fixture decided under one pack."""

    name: str
    fixture: Fixture
    determination: Determination
    mismatches: tuple[Mismatch, ...]

    @property
    def passed(self) -> bool:
        return not self.mismatches


def library_of(pack: Pack, folder: Path) -> PolicyLibrary:
    """A library holding only `pack`, so a fixture is decided under it whatever it names."""
    return PolicyLibrary(folder, {pack.id: pack})


def run_fixture(
    pack: Pack,
    name: str,
    fixture: Fixture,
    *,
    today: date | None = None,
    plan: Plan | None = None,
) -> FixtureRun:
    """Decide `fixture` under `pack`, after `plan`'s exclusions when a plan document is given
    (as of `today`, default the review date of the plan, else of the pack), with the full
    trace, and list how the result differs from what the fixture demands."""
    determination = determine(
        fixture.case,
        pack.id,
        today=today or (plan.spec.reviewed if plan is not None else pack.spec.reviewed),
        trace="full",
        packs=library_of(pack, Path(pack.id)),
        plans=None if plan is None else PlanLibrary(Path(plan.id), {plan.id: plan}),
    )
    found = mismatches(fixture, determination)
    if plan is not None and determination.plan is None:
        found.insert(0, Mismatch("plan", plan.id, "none (the case names no payer.plan)"))
    return FixtureRun(name, fixture, determination, tuple(found))


def run_fixtures(
    pack: Pack,
    fixtures: Sequence[tuple[str, Fixture]],
    *,
    today: date | None = None,
    plan: Plan | None = None,
) -> list[FixtureRun]:
    """Every fixture, in the order given."""
    return [run_fixture(pack, name, fixture, today=today, plan=plan) for name, fixture in fixtures]
