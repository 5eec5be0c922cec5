"""What the differential tests share: generated cases, and the reference walker's answer.

Every back end must give, line by line, exactly what the tree walker gives: the outcome, the
deciding rule, the prior-authorization need and the fields the line's questions ask for.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from dermcover.case import Case
from dermcover.engine import library
from dermcover.engine.decide import pack_for, walk_line
from dermcover.engine.facts import line_views
from dermcover.engine.fixtures import load_fixtures
from dermcover.engine.pack import Pack
from dermcover.engine.plans import plan_library

TODAY = date(2026, 11, 22)
PACK_IDS = sorted(library().packs)
PLAN_IDS = sorted(plan_library().plans)


class LineResult(NamedTuple):
    outcome: str
    decided_by: str | None
    prior_authorization: str
    questions: list[str]


def fixture_cases(pack_id: str) -> list[Case]:
    packs = library()
    return [fixture.case for _, fixture in load_fixtures(packs.folder / pack_id)]


def plan_fixture_cases(plan_id: str) -> list[Case]:
    """A plan document's own fixtures (each names the plan)."""
    return [fixture.case for _, fixture in load_fixtures(plan_library().folder / plan_id)]


def expected_lines(batch: list[Case]) -> list[LineResult]:
    """The walker's lines for each case under the pack `dermcover check` would choose for it:
    the case's own, under the plan document it names."""
    return [line for case in batch for line in reference(pack_for(case)[0], case)]


def reference(pack: Pack, case: Case) -> list[LineResult]:
    """The tree walker's answer for each line of a case."""
    results = []
    for view in line_views(case, TODAY):
        decision = walk_line(pack, view, "none")
        line = decision.line
        results.append(
            LineResult(
                line.outcome.value,
                line.decided_by,
                line.prior_authorization.value,
                [question.field for question in decision.questions],
            )
        )
    return results
