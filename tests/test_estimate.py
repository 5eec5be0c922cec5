"""The estimate request contract: bad input is refused with one line naming the field."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from dermcover.estimate import EstimateRequest, estimate_json
from dermcover.inputs import InputError, load_model_text
from dermcover.money.estimator import build_estimate

GOOD = """\
plan:
  deductible: 1500
  coinsurance: 0.20
  oop_max: 5000
prices: {negotiated_rate: 300, self_pay: 350}
"""


def error_for(text: str) -> str:
    with pytest.raises(InputError) as caught:
        load_model_text(EstimateRequest, text, "request.yaml")
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_good_request_loads_with_exact_decimals() -> None:
    request = load_model_text(EstimateRequest, GOOD, "request.yaml")
    assert request.plan is not None
    assert request.plan.coinsurance == Decimal("0.20")
    assert request.session_count == 1


def test_a_negative_amount_names_the_field_the_value_and_the_floor() -> None:
    message = error_for(GOOD.replace("deductible: 1500", "deductible: -5"))
    assert message.startswith("request.yaml:2: plan.deductible = -5")
    assert "greater than or equal to 0" in message


def test_coinsurance_above_one_is_refused() -> None:
    message = error_for(GOOD.replace("coinsurance: 0.20", "coinsurance: 1.2"))
    assert "plan.coinsurance = 1.2" in message
    assert "must be at most 1: a rate is a fraction, so write 0.012 for 1.2%" in message


def test_an_apr_written_as_a_percent_says_to_write_the_fraction() -> None:
    message = error_for(GOOD + "funding: {loan: {apr: 7, months: 12}}\n")
    assert "funding.loan.apr = 7" in message
    assert "write 0.07 for 7%" in message


def test_zero_months_is_refused() -> None:
    message = error_for(GOOD + "funding: {loan: {apr: 0.07, months: 0}}\n")
    assert "funding.loan.months = 0" in message
    assert "greater than or equal to 1" in message


def test_a_date_that_does_not_exist_is_refused() -> None:
    text = GOOD + (
        "funding:\n  promo_card: {months: 12, standard_apr: 0.2699,"
        " interest_method: daily_balance, purchase_date: '2025-02-30'}\n"
    )
    message = error_for(text)
    assert "funding.promo_card.purchase_date = '2025-02-30'" in message
    assert "date" in message


def test_an_out_of_network_block_needs_an_allowed_amount() -> None:
    message = error_for(GOOD.replace("prices:", "  out_of_network: {coinsurance: 0.4}\nprices:"))
    assert "plan.out_of_network.allowed_amount" in message
    assert "required" in message


def test_fractions_of_a_cent_are_refused() -> None:
    message = error_for(GOOD.replace("self_pay: 350", "self_pay: 350.125"))
    assert "prices.self_pay = 350.125" in message
    assert "2 decimal places" in message


def test_met_amounts_cannot_pass_their_limits() -> None:
    message = error_for(GOOD.replace("  coinsurance", "  deductible_met: 2000\n  coinsurance"))
    assert "plan.deductible_met = 2000" in message
    assert "more than the deductible" in message


def test_a_plan_needs_the_in_network_rate() -> None:
    message = error_for(GOOD.replace("negotiated_rate: 300, ", ""))
    assert message.startswith("request.yaml:5: prices = ")
    assert "negotiated_rate is required when a plan is given" in message


def test_a_self_pay_price_or_a_charge_is_needed() -> None:
    message = error_for("prices: {negotiated_rate: 300}\n")
    assert "self_pay" in message


def test_unknown_fields_are_refused_with_the_allowed_ones() -> None:
    message = error_for(GOOD.replace("oop_max", "out_of_pocket_max"))
    assert "plan.out_of_pocket_max" in message
    assert "unknown field" in message
    assert "oop_max" in message


def test_json_money_has_two_decimals_and_never_passes_through_float() -> None:
    request = load_model_text(
        EstimateRequest,
        "prices: {self_pay: 0.1}\nsessions: 3\n",  # 3 x 0.1 is 0.30000000000000004 in float
        "request.yaml",
    )
    text = estimate_json(build_estimate(request))
    assert re.search(r'"patient_total": 0\.30\b', text)
    assert json.loads(text)["cheapest"] == "self_pay"
