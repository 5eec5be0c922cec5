"""Two versions of a pack: only the cases whose outcome changes, with the rules that decided."""

from __future__ import annotations

from datetime import date
from typing import Any

from dermcover.case import Case
from dermcover.determination import Outcome, Status
from dermcover.engine.fixtures import Expectation, Fixture
from dermcover.engine.library import load_pack
from dermcover.engine.pack_diff import diff_packs, fixtures_of_both

RULE = """\
rules:
  - id: t.many-aks
    stage: indication
    text: Many AKs
    citation: {{source: src, section: "2"}}
    when: {{fact: lesion_count, at_least: {threshold}}}
    outcome: covered
    prior_authorization: required
    reason: Because.
"""


def fixture(lesions: int) -> Fixture:
    return Fixture(
        name=f"{lesions} AKs",
        clause="Section 2",
        case=Case.model_validate(
            {"procedures": [{"kind": "chemical_peel"}], "condition": {"lesion_count": lesions}}
        ),
        expect=Expectation(outcome=Outcome.covered_with_prior_auth),
    )


def test_a_raised_threshold_changes_only_the_cases_between_the_two(
    write_pack: Any, tmp_path: Any
) -> None:
    old = load_pack(write_pack(RULE.format(threshold=10), pack_id="t"))
    (tmp_path / "t").rename(tmp_path / "old")
    new = load_pack(write_pack(RULE.format(threshold=15), pack_id="t"))
    cases = fixtures_of_both([("twelve", fixture(12)), ("twenty", fixture(20))], [])
    changes = diff_packs(old, new, cases, today=date(2026, 6, 1))
    assert [(c.fixture, c.before, c.after) for c in changes] == [
        ("twelve (old)", Outcome.covered_with_prior_auth, Outcome.not_covered_cosmetic)
    ]
    line = changes[0].lines[0]
    assert (line.decided_before, line.decided_after) == ("t.many-aks", "t.otherwise")
    assert ("t.many-aks", Status.met, Status.not_met) in line.criteria


def test_a_case_in_both_versions_is_run_once() -> None:
    cases = fixtures_of_both([("a", fixture(3))], [("a-renamed", fixture(3)), ("b", fixture(4))])
    assert [label for label, _ in cases] == ["a (both)", "b (new)"]
