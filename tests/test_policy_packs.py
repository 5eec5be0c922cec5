"""Every pack loads, every fixture gets the result its policy clause demands, and every
criterion is exercised both ways."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dermcover.engine import determine, library
from dermcover.engine.fixtures import check_fixture, criteria_not_exercised, load_fixtures
from dermcover.engine.library import policies_dir

# Fixtures speak of a fixed day, so ages from birth dates do not drift.
TODAY = date(2026, 11, 22)
PACK_FOLDERS = sorted(p for p in policies_dir().iterdir() if (p / "policy.yaml").is_file())
FIXTURES = [
    pytest.param(folder.name, path, fixture, id=f"{folder.name}/{path.stem}")
    for folder in PACK_FOLDERS
    for path, fixture in load_fixtures(folder)
]


def test_the_expected_packs_ship() -> None:
    shipped = {folder.name for folder in PACK_FOLDERS}
    assert {"generic", "medicare", "aetna", "uhc", "cigna", "anthem"} <= shipped


@pytest.mark.parametrize("pack_id", [folder.name for folder in PACK_FOLDERS])
def test_each_pack_has_a_readme_with_its_sources(pack_id: str) -> None:
    pack = library().get(pack_id)
    readme = (policies_dir() / pack_id / "README.md").read_text(encoding="utf-8")
    for source in pack.spec.sources:
        assert source.title in readme, f"README.md does not list source {source.title!r}"


@pytest.mark.parametrize(("pack_id", "path", "fixture"), FIXTURES)
def test_fixture_gets_what_the_policy_demands(pack_id: str, path: Path, fixture: object) -> None:
    from dermcover.engine.fixtures import Fixture

    assert isinstance(fixture, Fixture)
    determination = determine(fixture.case, pack_id, today=TODAY)
    problems = check_fixture(fixture, determination)
    assert not problems, f"{path.name} ({fixture.clause}): " + "; ".join(problems)


@pytest.mark.parametrize("pack_id", [folder.name for folder in PACK_FOLDERS])
def test_fixtures_exercise_every_criterion_both_ways(pack_id: str) -> None:
    folder = policies_dir() / pack_id
    determinations = [
        determine(fixture.case, pack_id, today=TODAY) for _, fixture in load_fixtures(folder)
    ]
    gaps = criteria_not_exercised(library().get(pack_id), determinations)
    assert not gaps, f"{pack_id} fixtures leave gaps: " + "; ".join(gaps)
