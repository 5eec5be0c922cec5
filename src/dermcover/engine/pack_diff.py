"""Two versions of a pack (or of a plan document) side by side: every fixture case whose
outcome changes, and why.

Both versions decide the fixtures of both (a fixture in only one version still tells what the
other would have said). For each case whose outcome or any line's outcome differs, the change
names the rule that decided each line before and after, and the criteria whose status moved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from dermcover.determination import Determination, Line, Outcome, Status
from dermcover.engine.fixture_runner import run_fixture
from dermcover.engine.fixtures import Fixture
from dermcover.engine.pack import Pack
from dermcover.engine.plans import Plan


@dataclass(frozen=True, slots=True)
class LineChange:
    index: int
    procedure: str
    before: Outcome
    after: Outcome
    decided_before: str | None
    decided_after: str | None
    criteria: tuple[tuple[str, Status | None, Status | None], ...]  # id, before, after


@dataclass(frozen=True, slots=True)
class CaseChange:
    fixture: str  # the fixture's file name, with the version(s) it comes from
    name: str
    before: Outcome
    after: Outcome
    lines: tuple[LineChange, ...]


def fixtures_of_both(
    old: Sequence[tuple[str, Fixture]], new: Sequence[tuple[str, Fixture]]
) -> list[tuple[str, Fixture]]:
    """The fixtures of both versions, each case once, labelled with where it comes from."""
    found: dict[str, tuple[str, Fixture, list[str]]] = {}  # by case: name, fixture, versions
    for version, fixtures in (("old", old), ("new", new)):
        for name, fixture in fixtures:
            key = fixture.case.model_dump_json()
            found.setdefault(key, (name, fixture, []))[2].append(version)
    return [
        (f"{name} ({'both' if len(versions) > 1 else versions[0]})", fixture)
        for name, fixture, versions in found.values()
    ]


def diff_packs(
    old: Pack,
    new: Pack,
    fixtures: Sequence[tuple[str, Fixture]],
    *,
    today: date,
    plans: tuple[Plan | None, Plan | None] = (None, None),
) -> list[CaseChange]:
    """Every fixture case the two packs decide differently; with `plans`, two versions of a
    plan document, each weighed before its pack (`old` and `new` are then the packs under)."""
    changes = []
    old_plan, new_plan = plans
    for label, fixture in fixtures:
        before = run_fixture(old, label, fixture, today=today, plan=old_plan).determination
        after = run_fixture(new, label, fixture, today=today, plan=new_plan).determination
        change = _compare(label, fixture, before, after)
        if change is not None:
            changes.append(change)
    return changes


def _compare(
    label: str, fixture: Fixture, before: Determination, after: Determination
) -> CaseChange | None:
    lines = tuple(
        _line_change(index, old, new)
        for index, (old, new) in enumerate(zip(before.lines, after.lines, strict=True))
        if old.outcome is not new.outcome
    )
    if before.outcome is after.outcome and not lines:
        return None
    return CaseChange(label, fixture.name, before.outcome, after.outcome, lines)


def _line_change(index: int, old: Line, new: Line) -> LineChange:
    was = {criterion.id: criterion.status for criterion in old.criteria}
    now = {criterion.id: criterion.status for criterion in new.criteria}
    moved = tuple(
        (criterion_id, was.get(criterion_id), now.get(criterion_id))
        for criterion_id in dict.fromkeys([*was, *now])
        if was.get(criterion_id) is not now.get(criterion_id)
    )
    kind = new.procedure.kind.value if new.procedure.kind else "procedure"
    code = f" {new.procedure.code}" if new.procedure.code else ""
    return LineChange(
        index, f"{kind}{code}", old.outcome, new.outcome, old.decided_by, new.decided_by, moved
    )
