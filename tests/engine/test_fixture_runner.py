"""Running fixtures: a fixture the pack satisfies passes, one it does not names each mismatch."""

from __future__ import annotations

from typing import Any

from dermcover.case import Case
from dermcover.engine.fixture_runner import run_fixture
from dermcover.engine.fixtures import Expectation, Fixture, Mismatch
from dermcover.engine.library import load_pack

RULE = """\
rules:
  - id: t.many-aks
    stage: indication
    text: Many AKs
    citation: {source: src, section: "2"}
    when: {fact: lesion_count, at_least: 10}
    outcome: covered
    prior_authorization: required
    reason: Because.
"""


def fixture(lesions: int | None, outcome: str, criteria: dict[str, str] | None = None) -> Fixture:
    condition = {"lesion_count": lesions} if lesions is not None else {}
    return Fixture(
        name="AKs",
        clause="Section 2",
        case=Case.model_validate(
            {"procedures": [{"kind": "chemical_peel"}], "condition": condition}
        ),
        expect=Expectation.model_validate({"outcome": outcome, "criteria": criteria or {}}),
    )


def test_a_fixture_the_pack_satisfies_passes(write_pack: Any) -> None:
    pack = load_pack(write_pack(RULE))
    run = run_fixture(pack, "aks", fixture(12, "covered_with_prior_auth", {"t.many-aks": "met"}))
    assert run.passed
    assert run.determination.lines[0].decided_by == "t.many-aks"
    assert run.determination.lines[0].criteria[0].facts is not None  # the full trace


def test_each_mismatch_names_what_was_checked_what_was_demanded_and_what_came(
    write_pack: Any,
) -> None:
    pack = load_pack(write_pack(RULE))
    run = run_fixture(pack, "aks", fixture(4, "covered_with_prior_auth", {"t.many-aks": "met"}))
    assert not run.passed
    assert run.mismatches == (
        Mismatch("outcome", "covered_with_prior_auth", "not_covered_cosmetic"),
        Mismatch("t.many-aks", "met", "not_met"),
    )
    assert str(run.mismatches[1]) == "criterion t.many-aks is not_met, policy demands met"
