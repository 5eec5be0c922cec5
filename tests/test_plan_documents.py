"""Every plan document loads, sits over a pack that exists, lists its sources in its README,
gets what its fixtures demand, and has every criterion exercised both ways."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dermcover.engine import determine, library
from dermcover.engine.fixtures import (
    Fixture,
    check_fixture,
    criteria_not_exercised,
    load_fixtures,
)
from dermcover.engine.plans import plan_library, plans_dir

TODAY = date(2026, 11, 22)
PLAN_FOLDERS = sorted(p for p in plans_dir().iterdir() if (p / "plan.yaml").is_file())
FIXTURES = [
    pytest.param(folder.name, path, fixture, id=f"{folder.name}/{path.stem}")
    for folder in PLAN_FOLDERS
    for path, fixture in load_fixtures(folder)
]


def test_the_uhc_plan_documents_ship() -> None:
    assert {"uhc-mmc-2026", "uhc-coc-sample"} <= {folder.name for folder in PLAN_FOLDERS}


@pytest.mark.parametrize("plan_id", [folder.name for folder in PLAN_FOLDERS])
def test_each_plan_sits_over_a_pack_and_its_readme_lists_its_sources(plan_id: str) -> None:
    plan = plan_library().get(plan_id)
    assert plan.spec.policy in library().packs
    readme = (plans_dir() / plan_id / "README.md").read_text(encoding="utf-8")
    for source in plan.spec.sources:
        assert source.title in readme, f"README.md does not list source {source.title!r}"


@pytest.mark.parametrize(("plan_id", "path", "fixture"), FIXTURES)
def test_plan_fixture_gets_what_the_plan_demands(
    plan_id: str, path: Path, fixture: Fixture
) -> None:
    assert fixture.case.payer is not None and fixture.case.payer.plan == plan_id
    determination = determine(fixture.case, today=TODAY)
    assert determination.plan is not None and determination.plan.id == plan_id
    assert determination.notes == []
    problems = check_fixture(fixture, determination)
    assert not problems, f"{path.name} ({fixture.clause}): " + "; ".join(problems)


@pytest.mark.parametrize("plan_id", [folder.name for folder in PLAN_FOLDERS])
def test_plan_fixtures_exercise_every_criterion_both_ways(plan_id: str) -> None:
    determinations = [
        determine(fixture.case, today=TODAY) for _, fixture in load_fixtures(plans_dir() / plan_id)
    ]
    gaps = criteria_not_exercised(plan_library().get(plan_id).compiled, determinations)
    assert not gaps, f"{plan_id} fixtures leave gaps: " + "; ".join(gaps)
