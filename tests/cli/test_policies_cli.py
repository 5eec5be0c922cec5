"""`dermcover policies` list, test, lint and diff: what a pack author sees at a terminal."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dermcover.cli import app

runner = CliRunner()

PACK = """\
id: scars
title: Scar pack
payer: Test plan
reviewed: 2026-06-01
summary: Burn scars are covered.
sources:
  - {id: src, title: Scar policy, date: 2026-05-01, confidence: confirmed}
criteria:
  scars.burn:
    text: The scar is from a burn
    citation: {source: src, section: "1"}
    when: {fact: cause, in: [burn]}
rules:
  - id: scars.burn-scar
    stage: indication
    text: Burn scars are covered
    citation: {source: src, section: "2"}
    when: scars.burn
    outcome: covered
    prior_authorization: required
    reason: Because.
otherwise:
  outcome: not_covered_cosmetic
  text: Anything else is cosmetic
  citation: {source: src, section: "3"}
  reason: Anything else is cosmetic.
"""


def fixture(cause: str | None, outcome: str, criterion: str = "") -> str:
    condition = f"  condition: {{cause: {cause}}}\n" if cause else ""
    criteria = f"  criteria: {{scars.burn: {criterion}}}\n" if criterion else ""
    return (
        f"name: A scar from {cause or 'an unknown cause'}\nclause: 'Section 2: burn scars'\n"
        f"case:\n  procedures: [{{kind: scar_revision}}]\n{condition}"
        f"expect:\n  outcome: {outcome}\n{criteria}"
    )


GOOD_FIXTURES = {
    "burn": fixture("burn", "covered_with_prior_auth", "met"),
    "trauma": fixture("trauma", "not_covered_cosmetic", "not_met"),
    "unknown": fixture(None, "insufficient_information", "unknown"),
}


def write(
    folder: Path,
    text: str = PACK,
    fixtures: dict[str, str] | None = None,
    filename: str = "policy.yaml",
) -> Path:
    shutil.rmtree(folder / "fixtures", ignore_errors=True)
    (folder / "fixtures").mkdir(parents=True)
    (folder / filename).write_text(text, encoding="utf-8")
    default = GOOD_FIXTURES if filename == "policy.yaml" else PLAN_FIXTURES
    for name, body in (fixtures if fixtures is not None else default).items():
        (folder / "fixtures" / f"{name}.yaml").write_text(body, encoding="utf-8")
    return folder


PLAN = """\
id: acme
title: Acme employer plan
payer: Test plan
policy: scars
reviewed: 2026-06-01
summary: Scar treatment is excluded.
sources:
  - {id: spd, title: Acme summary plan description, date: 2026-05-01, confidence: confirmed}
criteria:
  acme.keloid:
    text: The scar is a keloid
    citation: {source: spd, section: "Exclusions"}
    when: {fact: condition_kind, in: [keloid]}
rules:
  - id: acme.keloid-excluded
    stage: exclusion
    text: Keloid treatment is excluded by the plan
    citation: {source: spd, section: "Exclusions"}
    when: acme.keloid
    outcome: not_covered_cosmetic
    reason: Your plan excludes it.
"""


def plan_fixture(kind: str | None, outcome: str, status: str, plan: str = "acme") -> str:
    payer = {"policy": "scars", **({"plan": plan} if plan else {})}
    condition = {"cause": "burn", **({"kind": kind} if kind else {})}
    return json.dumps(
        {
            "name": f"A burn scar ({kind or 'kind unknown'})",
            "clause": "SPD exclusions: keloids",
            "case": {
                "payer": payer,
                "procedures": [{"kind": "scar_revision"}],
                "condition": condition,
            },
            "expect": {"outcome": outcome, "criteria": {"acme.keloid": status}},
        }
    )


PLAN_FIXTURES = {
    "keloid": plan_fixture("keloid", "not_covered_cosmetic", "met"),
    "burn-scar": plan_fixture("burn_scar", "covered_with_prior_auth", "not_met"),
    "kind-unknown": plan_fixture(None, "insufficient_information", "unknown"),
}


def write_plan(folder: Path, text: str = PLAN, fixtures: dict[str, str] | None = None) -> Path:
    return write(folder, text, fixtures, filename="plan.yaml")


@pytest.fixture
def policies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "policies"
    write(folder / "scars")
    monkeypatch.setenv("DERMCOVER_POLICIES", str(folder))
    monkeypatch.setenv("DERMCOVER_PLANS", str(tmp_path / "plans"))
    return folder


@pytest.fixture
def plans(policies: Path) -> Path:
    folder = policies.parent / "plans"
    write_plan(folder / "acme")
    return folder


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("args", [("policies",), ("policies", "list")])
def test_policies_alone_or_list_lists_the_packs(policies: Path, args: tuple[str, ...]) -> None:
    code, out, _ = run(*args)
    assert code == 0
    assert "scars" in out and "Scar pack" in out and "2026-06-01" in out


def test_list_names_each_plan_document_beside_its_pack(plans: Path) -> None:
    code, out, _ = run("policies")
    assert code == 0
    assert "Plan documents" in out and "acme" in out and "Acme employer plan" in out
    code, out, _ = run("policies", "--format", "json")
    assert code == 0
    [scars] = json.loads(out)
    assert [plan["id"] for plan in scars["plans"]] == ["acme"]
    assert scars["plans"][0]["sources"][0]["title"] == "Acme summary plan description"


def test_list_without_plan_documents_shows_no_plan_table(policies: Path) -> None:
    code, out, _ = run("policies")
    assert code == 0
    assert "Plan documents" not in out


def test_passing_fixtures_exit_zero_with_a_summary(policies: Path) -> None:
    code, out, _ = run("policies", "test", "scars")
    assert code == 0
    assert "ok scars: 3 fixtures, 3 passed, 0 failed" in out
    assert "FAIL" not in out


def test_a_failing_fixture_shows_what_was_demanded_what_came_and_the_trace(
    policies: Path,
) -> None:
    write(policies / "scars", fixtures={"wrong": fixture("surgery", "covered", "met")})
    code, out, _ = run("policies", "test", "scars")
    assert code == 1
    assert "FAIL scars/wrong: A scar from surgery" in out
    assert "clause: Section 2: burn scars" in out
    assert "outcome: expected covered, got not_covered_cosmetic" in out
    assert "scars.burn: expected met, got not_met" in out
    # the trace: the line, the rule that decided, each criterion and the fact behind it
    assert "line 1 (scar_revision): not_covered_cosmetic, decided by scars.otherwise" in out
    assert "✘ scars.burn (not_met)" in out
    assert '✘ cause {"in": ["burn"]}: "surgery"' in out
    assert "FAIL scars: 1 fixture, 0 passed, 1 failed" in out


def test_a_pack_folder_can_be_named_by_path(policies: Path, tmp_path: Path) -> None:
    other = write(tmp_path / "elsewhere" / "scars")
    code, out, _ = run("policies", "test", str(other))
    assert code == 0
    assert "3 passed" in out


def test_an_unknown_pack_is_one_line_with_status_2(policies: Path) -> None:
    code, _, err = run("policies", "test", "nope")
    assert code == 2
    assert "unknown policy pack 'nope'" in err and "known: scars" in err
    assert len(err.strip().splitlines()) == 1


def test_a_clean_pack_lints_clean(policies: Path) -> None:
    code, out, _ = run("policies", "lint", "--today", "2026-12-01")
    assert code == 0
    assert "0 findings in 0 of 1 pack" in out


def test_lint_findings_exit_one_in_text_and_json(policies: Path) -> None:
    write(policies / "scars", fixtures={"burn": GOOD_FIXTURES["burn"]})
    code, out, _ = run("policies", "lint", "scars", "--today", "2027-06-02")
    assert code == 1
    assert "policy.yaml:10: untested-criterion scars.burn: no fixture shows it" in out
    assert "stale-source src" in out
    code, out, _ = run("policies", "lint", "scars", "--today", "2027-06-02", "--format", "json")
    assert code == 1
    findings = json.loads(out)
    assert {tuple(sorted(f)) for f in findings} == {
        ("category", "location", "message", "pack", "subject")
    }
    assert {(f["subject"], f["category"]) for f in findings} == {
        ("scars.burn", "untested-criterion"),
        ("scars.burn-scar", "untested-criterion"),
        ("src", "stale-source"),
    }


def test_plan_documents_fixtures_run_after_the_packs(plans: Path) -> None:
    code, out, _ = run("policies", "test")
    assert code == 0, out
    assert "ok scars: 3 fixtures, 3 passed, 0 failed" in out
    assert "ok plan document acme: 3 fixtures, 3 passed, 0 failed" in out
    assert "6 fixtures, 6 passed, 0 failed" in out


def test_a_plan_document_is_named_by_id_or_path_and_its_failure_shows_the_trace(
    plans: Path,
) -> None:
    write_plan(
        plans / "acme",
        fixtures={"wrong": plan_fixture("keloid", "covered_with_prior_auth", "not_met")},
    )
    for name in ("acme", str(plans / "acme")):
        code, out, _ = run("policies", "test", name)
        assert code == 1
        assert "FAIL acme/wrong: A burn scar (keloid)" in out
        assert "outcome: expected covered_with_prior_auth, got not_covered_cosmetic" in out
        assert "✔ acme.keloid-excluded (met) -> not_covered_cosmetic" in out
        assert "FAIL plan document acme: 1 fixture, 0 passed, 1 failed" in out


def test_a_plan_fixture_that_names_no_plan_fails(plans: Path) -> None:
    unnamed = plan_fixture("burn_scar", "covered_with_prior_auth", "not_met", plan="")
    write_plan(plans / "acme", fixtures={"unnamed": unnamed})
    code, out, _ = run("policies", "test", "acme")
    assert code == 1
    assert "plan: expected acme, got none (the case names no payer.plan)" in out


def test_lint_covers_plan_documents_with_their_file_and_line(plans: Path) -> None:
    code, out, _ = run("policies", "lint", "--today", "2026-12-01")
    assert code == 0, out
    assert "0 findings in 0 of 1 pack and 0 of 1 plan document" in out
    write_plan(plans / "acme", fixtures={"keloid": PLAN_FIXTURES["keloid"]})
    code, out, _ = run("policies", "lint", "--today", "2026-12-01")
    assert code == 1
    assert (
        "acme/plan.yaml:11: untested-criterion acme.keloid: no fixture shows it not_met or unknown"
        in out
    )
    assert "1 of 1 plan document" in out and "0 of 1 pack" in out
    code, out, _ = run("policies", "lint", "acme", "--today", "2026-12-01")
    assert code == 1
    assert out.splitlines()[-1] == "2 findings in 1 of 1 plan document"


def test_a_plan_over_a_missing_pack_is_one_line(plans: Path) -> None:
    write_plan(plans / "acme", text=PLAN.replace("policy: scars", "policy: nowhere"))
    code, _, err = run("policies", "test", "acme")
    assert code == 2
    assert "unknown policy 'nowhere'" in err
    assert len(err.strip().splitlines()) == 1


def test_a_bad_today_is_one_line(policies: Path) -> None:
    code, _, err = run("policies", "lint", "--today", "soon")
    assert code == 2
    assert "--today: 'soon' is not a date; use YYYY-MM-DD" in err


def test_diff_of_two_folders_prints_each_changed_case_and_the_deciding_rules(
    policies: Path, tmp_path: Path
) -> None:
    widened = PACK.replace("in: [burn]", "in: [burn, trauma]")
    new = write(tmp_path / "new" / "scars", text=widened)
    code, out, _ = run("policies", "diff", str(policies / "scars"), str(new))
    assert code == 1
    assert "trauma (both): A scar from trauma" in out
    assert "not_covered_cosmetic -> covered_with_prior_auth" in out
    assert (
        "line 1 (scar_revision): not_covered_cosmetic (decided by scars.otherwise) -> "
        "covered_with_prior_auth (decided by scars.burn-scar)"
    ) in out
    assert "scars.burn: not_met -> met" in out
    assert "burn (both)" not in out  # unchanged cases are not printed
    assert "1 of 3 fixture cases change outcome" in out


def test_diff_of_the_same_pack_changes_nothing(policies: Path) -> None:
    code, out, _ = run("policies", "diff", "scars", str(policies / "scars"))
    assert code == 0
    assert "0 of 3 fixture cases change outcome" in out


def test_diff_of_two_plan_documents_weighs_each_before_the_pack(
    plans: Path, tmp_path: Path
) -> None:
    widened = PLAN.replace("in: [keloid]", "in: [keloid, burn_scar]")
    new = write_plan(tmp_path / "new" / "acme", text=widened)
    code, out, _ = run("policies", "diff", "acme", str(new))
    assert code == 1
    assert "burn-scar (both): A burn scar (burn_scar)" in out
    assert "covered_with_prior_auth -> not_covered_cosmetic" in out
    assert (
        "(decided by scars.burn-scar) -> not_covered_cosmetic (decided by acme.keloid-excluded)"
        in out
    )
    assert "1 of 3 fixture cases change outcome" in out


def test_diff_of_a_pack_with_a_plan_document_is_one_line(plans: Path) -> None:
    code, _, err = run("policies", "diff", "scars", "acme")
    assert code == 2
    assert "compare a pack with a pack, or a plan document with a plan" in err
    assert len(err.strip().splitlines()) == 1


def commit_all(root: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    for args in (("init", "-q"), ("add", "."), ("commit", "-q", "-m", "first")):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
            cwd=root,
            check=True,
            capture_output=True,
        )


WIDENED = {
    "scars": ("trauma (both)", "decided by scars.burn-scar"),
    "acme": ("burn-scar (both)", "decided by acme.keloid-excluded"),
}


@pytest.mark.parametrize("item", list(WIDENED))
def test_diff_reads_a_pack_or_plan_document_at_a_git_revision(plans: Path, item: str) -> None:
    commit_all(plans.parent)
    if item == "scars":
        write(plans.parent / "policies" / "scars", text=PACK.replace("[burn]", "[burn, trauma]"))
    else:
        write_plan(plans / "acme", text=PLAN.replace("[keloid]", "[keloid, burn_scar]"))
    code, out, _ = run("policies", "diff", f"{item}@HEAD", item)
    assert code == 1, out
    assert all(text in out for text in WIDENED[item])
    code, _, err = run("policies", "diff", f"{item}@no-such-rev", item)
    assert code == 2
    assert err.strip() == f"error: {item}@no-such-rev: git does not know revision 'no-such-rev'"


def test_diff_at_a_revision_outside_git_or_looking_like_an_option_is_one_line(
    policies: Path,
) -> None:
    code, _, err = run("policies", "diff", "scars@HEAD", "scars")
    assert code == 2
    assert " ".join(err.split()) == (
        f"error: scars@HEAD: 'HEAD' is not a folder, and {policies} is not in a git "
        "repository to find a revision in"
    )
    commit_all(policies.parent)
    code, _, err = run("policies", "diff", "scars@--output=stolen.tar", "scars")
    assert code == 2
    assert "git does not know revision '--output=stolen.tar'" in err
    assert not (policies.parent / "stolen.tar").exists()


def test_diff_at_a_revision_without_the_pack_names_the_packs_it_has(plans: Path) -> None:
    commit_all(plans.parent)
    code, _, err = run("policies", "diff", "nosuch@HEAD", "scars")
    assert code == 2
    assert " ".join(err.split()) == (
        "error: nosuch@HEAD: revision HEAD has no policies/nosuch/policy.yaml; it has: scars"
    )
