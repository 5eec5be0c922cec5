"""`dermcover deadlines EVENT --date ...`: each due date with the rule it comes from."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from dermcover.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_external_review_prints_the_rolled_date_and_its_citation() -> None:
    code, out, _ = run("deadlines", "final-denial", "--date", "2025-10-30", "--plan", "aca")
    assert code == 0
    assert "Mon 2026-03-02" in out
    assert "moved from Sun 2026-03-01" in out
    assert "147.136(d)(2)(i)" in out


def test_an_urgent_claim_is_counted_in_hours_from_the_time_given() -> None:
    code, out, _ = run(
        "deadlines", "claim", "--date", "2025-04-01", "--time", "09:00", "--claim-type", "urgent"
    )
    assert code == 0
    assert "Fri 2025-04-04 09:00" in out


def test_json_lists_every_due_date_with_rule_and_citation() -> None:
    code, out, _ = run(
        "deadlines", "denial", "--date", "2026-03-02", "--plan", "medicare_advantage", "-f", "json"
    )
    assert code == 0
    result = json.loads(out)
    assert [due["due"] for due in result["due"]] == ["2026-05-01", "2026-05-06"]
    assert all(due["citation"].startswith("42 CFR 422.582") for due in result["due"])


def test_a_clinic_closure_moves_a_good_faith_estimate() -> None:
    code, out, _ = run(
        "deadlines", "gfe-request", "--date", "2025-03-03", "--closed", "2025-03-05", "-f", "json"
    )
    assert code == 0
    assert json.loads(out)["due"][0]["due"] == "2025-03-07"


def test_a_booking_too_close_to_the_service_says_why_nothing_is_due() -> None:
    code, out, _ = run(
        "deadlines", "scheduled", "--date", "2025-03-03", "--service-date", "2025-03-05"
    )
    assert code == 0
    assert "fewer than 3 business days" in out


def test_a_date_that_does_not_exist_is_one_line_with_status_2() -> None:
    code, out, err = run("deadlines", "denial", "--date", "2025-02-30")
    assert code == 2
    assert out == ""
    assert "--date = '2025-02-30': not a date that exists" in err


def test_an_unknown_event_lists_the_allowed_ones() -> None:
    code, _, err = run("deadlines", "refusal", "--date", "2025-03-03")
    assert code == 2
    assert "EVENT = 'refusal'" in err
    assert "final-denial" in err


def test_a_state_plan_needs_its_window() -> None:
    code, _, err = run("deadlines", "final-denial", "--date", "2025-06-15", "--plan", "state")
    assert code == 2
    assert "--window-days" in err
    code, out, _ = run(
        "deadlines", "final-denial", "--date", "2025-06-15", "--plan", "state",
        "--window-days", "60",
    )  # fmt: skip
    assert code == 0
    assert "2025-08-14" in out
