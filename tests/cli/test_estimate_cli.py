"""`dermcover estimate`: what a person at a terminal, or a system reading JSON, gets back."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from dermcover.cli import app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "estimate-microneedling.yaml"
runner = CliRunner()


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_text_shows_each_scenario_the_bars_and_the_ways_to_pay() -> None:
    code, out, _ = run("estimate", str(EXAMPLE))
    assert code == 0
    assert "not_covered_cosmetic" in out
    for title in ("In network", "Out of network", "Self-pay, session by session", "package"):
        assert title in out
    assert "What you pay, by scenario" in out
    assert re.search(r"Self-pay package\s+█+\s+\$1,800\.00 ← cheapest", out)
    assert "Ways to pay $1,800.00" in out
    assert "HSA/FSA: uncertain" in out
    assert "Truth in Lending" in out
    assert "not a guarantee" in out


def test_json_follows_the_spec_with_money_as_two_decimal_numbers() -> None:
    code, out, _ = run("estimate", str(EXAMPLE), "--format", "json")
    assert code == 0
    assert '"patient_total": 1800.00' in out  # the package, as a number with two decimals
    result = json.loads(out)
    assert result["cheapest"] == "self_pay_package"
    names = [scenario["name"] for scenario in result["scenarios"]]
    assert names == ["in_network", "out_of_network", "self_pay", "self_pay_package"]
    in_network = result["scenarios"][0]
    assert in_network["covered"] is False
    assert {"n", "allowed", "patient", "plan", "deductible", "coinsurance", "copay",
            "balance_bill", "covered"} <= set(in_network["sessions"][0])  # fmt: skip
    assert {"estimated_cost_sharing", "accumulated_amounts", "in_network_rate",
            "out_of_network_allowed_amount", "prerequisites", "notice"} <= set(
        in_network["disclosure"])  # fmt: skip
    funding = result["funding"]
    assert funding["hsa_fsa"]["eligible"] == "uncertain"
    assert len(funding["loan"]["schedule"]) == 12
    assert funding["payment_plan"]["monthly_payment"] == 300


def test_a_request_from_standard_input() -> None:
    code, out, _ = run("estimate", "-", "--format", "json", stdin="prices: {self_pay: 125}\n")
    assert code == 0
    assert '"patient_total": 125.00' in out


def test_bad_input_is_one_line_naming_the_field_with_status_2(tmp_path: Path) -> None:
    request = tmp_path / "request.yaml"
    request.write_text("plan: {coinsurance: 1.5}\nprices: {negotiated_rate: 300, self_pay: 350}\n")
    code, out, err = run("estimate", str(request))
    assert code == 2
    assert out == ""
    assert err.strip().count("\n") == 0
    assert "plan.coinsurance = 1.5" in err
    assert "write 0.015 for 1.5%" in err


def test_a_missing_file_is_named() -> None:
    code, _, err = run("estimate", "no-such-request.yaml")
    assert code == 2
    assert "no-such-request.yaml: no such file" in err
