"""`dermcover check`, `explain`, `policies`, `schema`: what a person at a terminal sees."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dermcover.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_check_prints_the_verdict_why_and_what_next() -> None:
    code, out, _ = run("check", str(EXAMPLES / "pico-laser-prp-melasma.yaml"))
    assert code == 0
    assert "Not covered: cosmetic" in out
    assert "Picosecond laser (17999), 4 sessions" in out
    assert "PRP injection (0232T)" in out
    assert "What to do next" in out
    assert "Good Faith Estimate" in out


def test_check_lists_the_open_questions() -> None:
    code, out, _ = run("check", str(EXAMPLES / "microneedling-unknown-reason.yaml"))
    assert code == 0
    assert "Cannot tell yet" in out
    assert "Questions still open" in out
    assert "(condition.cause)" in out
    assert "(impairment)" in out


def test_check_json_follows_the_spec() -> None:
    code, out, _ = run("check", str(EXAMPLES / "pico-laser-prp-melasma.yaml"), "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert result["outcome"] == "not_covered_cosmetic"
    assert {
        "policy",
        "outcome",
        "lines",
        "questions",
        "documentation",
        "code_issues",
        "next_steps",
    } <= set(result)
    line = result["lines"][0]
    assert {"procedure", "outcome", "prior_authorization", "criteria", "reasons"} <= set(line)
    criterion = line["criteria"][0]
    assert {"id", "text", "status", "citation"} <= set(criterion)


def test_check_reads_a_case_from_standard_input() -> None:
    case = (EXAMPLES / "pico-laser-prp-melasma.yaml").read_text()
    code, out, _ = run("check", "-", "--format", "json", stdin=case)
    assert code == 0
    assert json.loads(out)["outcome"] == "not_covered_cosmetic"


def test_policy_option_overrides_the_case() -> None:
    code, out, _ = run(
        "check", str(EXAMPLES / "pico-laser-prp-melasma.yaml"), "--policy", "generic", "-f", "json"
    )
    assert code == 0
    assert json.loads(out)["policy"]["id"] == "generic"


def test_explain_shows_every_criterion_with_its_citation_and_facts() -> None:
    code, out, _ = run("explain", str(EXAMPLES / "microneedling-unknown-reason.yaml"))
    assert code == 0
    assert "generic.medical-cause" in out
    assert "seed" not in out.lower() or "article" in out.lower()
    assert "cause" in out and "unknown" in out


def test_policies_lists_packs_with_review_dates() -> None:
    code, out, _ = run("policies")
    assert code == 0
    assert "generic" in out
    assert "2026-12-01" in out  # the generic pack's review date, from its policy.yaml


def test_schema_case_is_the_json_schema_of_the_case() -> None:
    code, out, _ = run("schema", "case")
    assert code == 0
    schema = json.loads(out)
    assert "procedures" in schema["properties"]
    assert "procedures" in schema["required"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("procedures: [{kind: microneedling\n", "not valid YAML or JSON"),
        ('{"procedures": [', "not valid YAML or JSON"),
        ("procedures: [{kind: laser_facial}]\n", "procedures[0].kind = 'laser_facial'"),
        ("procedures: [{kind: microneedling, sessions: many}]\n", "procedures[0].sessions"),
        ("procedures: [{kind: microneedling}]\nimpairment: [sadness]\n", "impairment[0]"),
        ("procedures: [{kind: microneedling}]\nlesions: 4\n", "lesions"),
        ("procedures: []\n", "procedures"),
        ("patient: {age: 30}\n", "procedures: required field is missing"),
        ("procedures: [{code: '17999'}]\n", "add `kind`"),
        ("procedures: [{kind: microneedling}]\nprovider: {npi: '1234567890'}\n", "NPI"),
        ("", "is empty"),
    ],
)
def test_bad_case_gives_one_line_naming_the_field_and_exit_2(
    tmp_path: Path, content: str, expected: str
) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(content, encoding="utf-8")
    code, out, err = run("check", str(case))
    assert code == 2
    assert expected in err
    assert "Traceback" not in err + out
    assert len(err.strip().splitlines()) <= 3  # one logical line, maybe soft-wrapped


@pytest.mark.parametrize(
    "content",
    [
        "procedures:\n  - kind: microneedling\n    sessions: [1\n\n",
        '{"procedures": [\n  {"kind": "microneedling"}\n\n',
    ],
    ids=["yaml", "json"],
)
def test_a_case_file_cut_short_is_refused_on_its_last_line(tmp_path: Path, content: str) -> None:
    """The parser stops past the blank lines after the text; the error names the last line
    written, where the text was cut, not a line the file does not show."""
    case = tmp_path / "case.yaml"
    case.write_text(content, encoding="utf-8")
    code, _, err = run("check", str(case))
    assert code == 2
    last = len(content.rstrip().splitlines())
    assert f"case.yaml:{last}: not valid YAML or JSON" in " ".join(err.split())


def test_unknown_enum_value_lists_what_is_allowed(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text("procedures: [{kind: microneedling}]\npurpose: vanity\n", encoding="utf-8")
    code, _, err = run("check", str(case))
    assert code == 2
    flat = " ".join(err.split())
    assert "purpose = 'vanity'" in flat
    assert "appearance" in flat and "disease_treatment" in flat
    assert "case.yaml:2" in flat  # the line it is on


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    code, _, err = run("check", str(tmp_path / "nope.yaml"))
    assert code == 2
    assert "no such file" in err


def test_unknown_policy_id_lists_the_available_ones() -> None:
    code, _, err = run("check", str(EXAMPLES / "pico-laser-prp-melasma.yaml"), "-p", "bupa")
    assert code == 2
    flat = " ".join(err.split())
    assert "unknown policy 'bupa'" in flat
    assert "generic" in flat


def test_unknown_schema_is_refused() -> None:
    code, _, err = run("schema", "invoice")
    assert code == 2
    assert "unknown schema 'invoice'" in err


def test_explain_shows_each_rule_with_the_criteria_it_weighed() -> None:
    _, out, _ = run("explain", str(EXAMPLES / "dermal-peel-actinic-keratoses.yaml"))
    lines = out.splitlines()
    rule = next(i for i, text in enumerate(lines) if "aetna.0251.peel-active-acne" in text)
    named = next(i for i, text in enumerate(lines) if "aetna.active-acne " in text)
    assert named > rule  # the named criterion sits inside the rule that weighed it
    assert lines[named].index("aetna.active-acne") > lines[rule].index("aetna.0251")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("check", str(EXAMPLES / "pico-laser-prp-melasma.yaml"), "--format", "xml"), "'xml'"),
        (("deadlines", "final-denial"), "Missing option '--date'"),
        (("check",), "Missing argument"),
        (("no-such-command",), "No such command 'no-such-command'"),
        (("codes", "nope"), "No such command 'nope'"),
        (
            ("batch", "in.parquet", "--out", "o.parquet", "--chunk", "5"),
            "--chunk = '5': Input should be greater than or equal to 1000",  # value and limit
        ),
    ],
)
def test_usage_errors_are_one_line_not_a_box(args: tuple[str, ...], expected: str) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert err.startswith("error: ")
    assert expected in err
    assert len(err.strip().splitlines()) == 1
    assert "╭" not in err + out and "Usage:" not in err
    assert "--help" in err  # where to look next


@pytest.mark.parametrize("group", [(), ("users",), ("codes",)])
def test_a_command_group_alone_shows_its_help_and_no_empty_error(group: tuple[str, ...]) -> None:
    code, out, err = run(*group)
    assert code == 2
    assert "Usage:" in out + err and "Commands" in out + err
    assert "error:" not in out + err


def test_explain_json_carries_the_full_trace() -> None:
    code, out, _ = run(
        "explain", str(EXAMPLES / "dermal-peel-actinic-keratoses.yaml"), "--format", "json"
    )
    assert code == 0
    result = json.loads(out)
    criteria = [c["id"] for c in result["lines"][0]["criteria"]]
    # The full trace keeps the named criteria a rule weighed, not only the rules.
    assert "aetna.active-acne" in criteria
    assert "aetna.0251.peel-active-acne" in criteria


def test_policies_json_lists_each_pack_with_sources() -> None:
    code, out, _ = run("policies", "--format", "json")
    assert code == 0
    packs = {pack["id"]: pack for pack in json.loads(out)}
    assert {"generic", "medicare", "aetna", "uhc", "cigna", "anthem"} <= set(packs)
    assert packs["aetna"]["payer"] == "Aetna"
    assert packs["aetna"]["sources"][0]["title"].startswith("Aetna CPB")


def test_a_covered_medicare_case_does_not_speak_of_prior_authorization_documents() -> None:
    # Original Medicare asks no prior authorization for these lines: the checklist is what the
    # record should hold if the claim is reviewed, not a prior-authorization packet.
    code, out, _ = run("check", str(EXAMPLES / "burn-scar-laser.yaml"), "--policy", "medicare")
    assert code == 0
    assert "No prior authorization is needed" in out
    assert "Documentation for prior authorization" not in out
    assert "Documentation the record should hold" in out


def test_a_case_needing_prior_authorization_keeps_the_heading() -> None:
    code, out, _ = run("check", str(EXAMPLES / "burn-scar-laser.yaml"), "--policy", "generic")
    assert code == 0
    assert "prior authorization" in out.lower()
    assert "Documentation for prior authorization" in out


def test_a_self_pay_case_is_not_told_about_claims_or_what_the_plan_will_not_pay() -> None:
    code, out, _ = run("check", str(EXAMPLES / "self-pay-microneedling.yaml"))
    assert code == 0
    flat = " ".join(out.split())
    assert "narrative" not in flat
    assert "what the plan will not pay" not in flat
    assert "As a self-pay patient you are entitled to a Good Faith Estimate" in flat


def test_policy_all_shows_the_spread_with_payers_named() -> None:
    code, out, _ = run("check", str(EXAMPLES / "burn-scar-laser.yaml"), "--policy", "all")
    assert code == 0
    flat = " ".join(out.split())
    assert "plans we know" in flat
    for payer in ("Aetna", "Anthem", "Cigna", "UnitedHealthcare"):
        assert payer in flat
    assert "Common commercial framework" not in flat


def test_policy_all_as_json_matches_each_pack_decided_alone() -> None:
    case = str(EXAMPLES / "burn-scar-laser.yaml")
    code, out, _ = run("check", case, "--policy", "all", "--format", "json")
    assert code == 0
    spread = json.loads(out)
    for group in spread["groups"]:
        for answer in group["answers"]:
            _, alone, _ = run("check", case, "--policy", answer["policy"], "--format", "json")
            assert json.loads(alone)["outcome"] == answer["outcome"] == group["outcome"]
