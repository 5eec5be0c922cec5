"""Running a pack's fixtures: each fixture's case decided under the pack, compared with what
the policy text demands.

This is what `opa test` is to a Rego bundle: the fixtures are the pack's tests, a failure names
the fixture, what was checked, what the policy demands and what the engine gave, and the trace
shows why. Fixtures speak of the day the pack was reviewed unless told otherwise, so that an age
or a date in a fixture means the same thing every time it runs.
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
    pack: Pack, name: str, fixture: Fixture, *, today: date | None = None
) -> FixtureRun:
    """Decide `fixture` under `pack` (as of `today`, default the pack's review date), with the
    full trace, and list how the result differs from what the fixture demands."""
    determination = determine(
        fixture.case,
        pack.id,
        today=today or pack.spec.reviewed,
        trace="full",
        packs=library_of(pack, Path(pack.id)),
    )
    return FixtureRun(name, fixture, determination, tuple(mismatches(fixture, determination)))


def run_fixtures(
    pack: Pack, fixtures: Sequence[tuple[str, Fixture]], *, today: date | None = None
) -> list[FixtureRun]:
    """Every fixture, in the order given."""
    return [run_fixture(pack, name, fixture, today=today) for name, fixture in fixtures]
