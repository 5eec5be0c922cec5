"""Each lint category: a small pack that has the problem, and one that does not."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dermcover.engine.fixture_runner import run_fixtures
from dermcover.engine.lint import Category, Finding, lint_pack, months_before
from dermcover.engine.pack_files import open_pack_folder

BURN = """\
criteria:
  t.burn:
    text: The scar is from a burn
    citation: {source: src, section: "1"}
    when: {fact: cause, in: [burn]}
rules:
  - id: t.burn-scar
    stage: indication
    text: Burn scars are covered
    citation: {source: src, section: "2"}
    when: t.burn
    outcome: covered
    prior_authorization: required
    reason: Because.
"""

CASES = {
    "burn": ("burn", "covered_with_prior_auth"),
    "trauma": ("trauma", "not_covered_cosmetic"),
    "cause-unknown": (None, "insufficient_information"),
}


def add_fixtures(folder: Path, names: list[str]) -> None:
    (folder / "fixtures").mkdir(exist_ok=True)
    for name in names:
        cause, outcome = CASES[name]
        condition = f"  condition: {{cause: {cause}}}\n" if cause else ""
        (folder / "fixtures" / f"{name}.yaml").write_text(
            f"name: {name}\nclause: Section 2\ncase:\n  procedures: [{{kind: scar_revision}}]\n"
            f"{condition}expect: {{outcome: {outcome}}}\n",
            encoding="utf-8",
        )


def findings(folder: Path, today: date = date(2026, 6, 1)) -> list[Finding]:
    opened = open_pack_folder(folder)
    runs = run_fixtures(opened.pack, opened.fixtures)
    assert all(run.passed for run in runs), [run.mismatches for run in runs]
    return lint_pack(
        opened.pack, [run.determination for run in runs], today=today, locate=opened.locate
    )


def test_a_pack_with_fixtures_for_every_status_is_clean(write_pack: Any) -> None:
    folder = write_pack(BURN)
    add_fixtures(folder, ["burn", "trauma", "cause-unknown"])
    assert findings(folder) == []


def test_a_criterion_never_seen_not_met_or_unknown_is_found(write_pack: Any) -> None:
    folder = write_pack(BURN)
    add_fixtures(folder, ["burn"])
    found = findings(folder)
    assert [(f.subject, f.category, f.message) for f in found] == [
        ("t.burn", Category.untested_criterion, "no fixture shows it not_met or unknown"),
        ("t.burn-scar", Category.untested_criterion, "no fixture shows it not_met or unknown"),
    ]
    assert found[0].location.endswith("policy.yaml:10")
    assert found[0].pack == "t"


def test_a_criterion_on_the_procedure_kind_alone_need_not_be_unknown(write_pack: Any) -> None:
    folder = write_pack(
        BURN.replace("{fact: cause, in: [burn]}", "{fact: procedure_kind, is: scar_revision}")
    )
    (folder / "fixtures").mkdir()
    for name, kind, outcome in (
        ("revision", "scar_revision", "covered_with_prior_auth"),
        ("peel", "chemical_peel", "not_covered_cosmetic"),
    ):
        (folder / "fixtures" / f"{name}.yaml").write_text(
            f"name: {name}\nclause: Section 2\ncase: {{procedures: [{{kind: {kind}}}]}}\n"
            f"expect: {{outcome: {outcome}}}\n",
            encoding="utf-8",
        )
    assert findings(folder) == []


def test_a_criterion_no_rule_uses_is_found(write_pack: Any) -> None:
    spare = (
        "  t.adult:\n    text: An adult\n    citation: {source: src, section: '3'}\n"
        "    when: {fact: age, at_least: 18}\n"
    )
    folder = write_pack(BURN.replace("rules:\n", spare + "rules:\n"))
    add_fixtures(folder, ["burn", "trauma", "cause-unknown"])
    assert [(f.subject, f.category) for f in findings(folder)] == [
        ("t.adult", Category.unused_criterion)
    ]


def test_a_cited_source_with_no_date_is_found(write_pack: Any) -> None:
    folder = write_pack(BURN)
    text = (folder / "policy.yaml").read_text(encoding="utf-8")
    (folder / "policy.yaml").write_text(text.replace("date: 2026-01-01", "date: null"), "utf-8")
    add_fixtures(folder, ["burn", "trauma", "cause-unknown"])
    found = findings(folder)
    assert [(f.subject, f.category) for f in found] == [("src", Category.undated_source)]
    assert "3 citation(s)" in found[0].message
    assert found[0].location.endswith("policy.yaml:7")


@pytest.mark.parametrize(
    ("today", "stale"),
    [(date(2026, 12, 31), False), (date(2027, 1, 1), False), (date(2027, 1, 2), True)],
)
def test_a_source_older_than_twelve_months_is_stale(
    write_pack: Any, today: date, stale: bool
) -> None:
    folder = write_pack(BURN)  # its source is dated 2026-01-01
    add_fixtures(folder, ["burn", "trauma", "cause-unknown"])
    found = findings(folder, today=today)
    assert [f.category for f in found] == ([Category.stale_source] if stale else [])


def test_twelve_months_before_the_end_of_a_month() -> None:
    assert months_before(date(2028, 2, 29), 12) == date(2027, 2, 28)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), 12) == date(2025, 1, 15)


def test_a_rule_an_earlier_rule_always_pre_empts_is_found(write_pack: Any) -> None:
    earlier = """\
  - id: t.any-scar
    stage: indication
    text: Every procedure is not medically necessary
    citation: {source: src, section: "4"}
    outcome: not_covered_not_medically_necessary
    reason: Because.
"""
    folder = write_pack(BURN.replace("rules:\n", "rules:\n" + earlier))
    found = [f for f in findings_unchecked(folder) if f.category is Category.unreachable_rule]
    assert [(f.subject, f.message) for f in found] == [
        (
            "t.burn-scar",
            "can never decide a line: whenever it is met, an earlier rule is met first "
            "(t.any-scar)",
        )
    ]
    assert found[0].location.endswith("policy.yaml:20")


def findings_unchecked(folder: Path) -> list[Finding]:
    opened = open_pack_folder(folder)
    runs = run_fixtures(opened.pack, opened.fixtures)
    return lint_pack(
        opened.pack,
        [r.determination for r in runs],
        today=date(2026, 6, 1),
        locate=opened.locate,
    )


def test_a_source_checked_recently_is_not_stale(write_pack: Any) -> None:
    folder = write_pack(BURN)
    text = (folder / "policy.yaml").read_text(encoding="utf-8")
    (folder / "policy.yaml").write_text(
        text.replace("date: 2026-01-01,", "date: 2026-01-01, checked: 2027-03-01,"), "utf-8"
    )
    add_fixtures(folder, ["burn", "trauma", "cause-unknown"])
    assert findings(folder, today=date(2028, 2, 1)) == []
    stale = findings(folder, today=date(2028, 3, 2))
    assert [f.category for f in stale] == [Category.stale_source]
    assert "dated 2026-01-01, last checked 2027-03-01" in stale[0].message


def mark_undated(folder: Path, marker: str) -> None:
    text = (folder / "policy.yaml").read_text(encoding="utf-8")
    (folder / "policy.yaml").write_text(text.replace("date: 2026-01-01,", marker), "utf-8")


def test_a_source_marked_undated_with_the_day_it_was_read_is_accepted(write_pack: Any) -> None:
    folder = write_pack(BURN)
    mark_undated(folder, "date: null, undated: true, checked: 2026-05-01,")
    add_fixtures(folder, ["burn", "trauma", "cause-unknown"])
    assert findings(folder, today=date(2026, 6, 1)) == []


def test_an_undated_source_is_stale_twelve_months_after_it_was_read(write_pack: Any) -> None:
    folder = write_pack(BURN)
    mark_undated(folder, "date: null, undated: true, checked: 2026-05-01,")
    add_fixtures(folder, ["burn", "trauma", "cause-unknown"])
    assert findings(folder, today=date(2027, 5, 1)) == []
    stale = findings(folder, today=date(2027, 5, 2))
    assert [(f.subject, f.category) for f in stale] == [("src", Category.stale_source)]
    assert "is undated, last checked 2026-05-01" in stale[0].message


def test_a_null_date_without_the_marker_is_still_found(write_pack: Any) -> None:
    folder = write_pack(BURN)
    mark_undated(folder, "date: null, checked: 2026-05-01,")
    add_fixtures(folder, ["burn", "trauma", "cause-unknown"])
    found = findings(folder)
    assert [(f.subject, f.category) for f in found] == [("src", Category.undated_source)]
    assert "undated: true" in found[0].message
