"""The whole estimate: the spec's request, with and without a case.

Expected figures are worked by hand from the rules in estimate-format.md and research §1.3.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from dermcover.determination import Outcome
from dermcover.estimate import (
    Eligibility,
    EstimateRequest,
    FundingOptionName,
    ScenarioName,
    estimate_json,
)
from dermcover.inputs import load_model
from dermcover.money.estimator import build_estimate

D = Decimal
TODAY = date(2026, 11, 22)
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "estimate-microneedling.yaml"

SPEC_REQUEST: dict[str, Any] = {
    "sessions": 6,
    "plan": {
        "deductible": 1500, "deductible_met": 300, "coinsurance": 0.20, "copay": 0,
        "copay_waives_deductible": False, "oop_max": 5000, "oop_met": 900,
        "visit_limit": 6, "visits_used": 0,
        "out_of_network": {"deductible": 3000, "deductible_met": 0, "coinsurance": 0.40,
                           "oop_max": 10000, "oop_met": 0, "allowed_amount": 200},
    },
    "prices": {"billed_charge": 450, "negotiated_rate": 300, "self_pay": 350,
               "package": {"sessions": 6, "price": 1800}},
    "funding": {"hsa_balance": 1000, "fsa_balance": 500, "marginal_tax_rate": 0.22,
                "loan": {"apr": 0.07, "months": 12},
                "promo_card": {"months": 12, "standard_apr": 0.2699, "monthly_payment": 200},
                "payment_plan": {"months": 6, "fee": 0}},
}  # fmt: skip


def scenario_totals(request: dict[str, Any]) -> dict[ScenarioName, tuple[Decimal, Decimal]]:
    estimate = build_estimate(EstimateRequest.model_validate(request), today=TODAY)
    return {s.name: (s.patient_total, s.plan_total) for s in estimate.scenarios}


def test_spec_request_without_a_case_prices_all_four_scenarios() -> None:
    estimate = build_estimate(EstimateRequest.model_validate(SPEC_REQUEST), today=TODAY)
    totals = {s.name: (s.patient_total, s.plan_total) for s in estimate.scenarios}
    # In network: 1200 of deductible left = four sessions of 300; then 20% of 300 twice.
    assert totals[ScenarioName.in_network] == (D("1320"), D("480"))
    # Out of network: six sessions of 200 all go to the 3000 deductible, plus 250 balance bills.
    assert totals[ScenarioName.out_of_network] == (D("2700"), D("0"))
    assert totals[ScenarioName.self_pay] == (D("2100"), D("0"))
    assert totals[ScenarioName.self_pay_package] == (D("1800"), D("0"))
    assert estimate.cheapest is ScenarioName.in_network

    in_network = estimate.scenarios[0]
    assert in_network.accumulators_after is not None
    assert in_network.accumulators_after.deductible_met == D("1500")
    assert in_network.accumulators_after.oop_met == D("2220")
    assert in_network.accumulators_after.visits_used == 6
    assert "assumed" in in_network.coverage_reason


def test_spec_request_funds_the_cheapest_scenario_and_compares_the_ways_to_pay() -> None:
    estimate = build_estimate(EstimateRequest.model_validate(SPEC_REQUEST), today=TODAY)
    funding = estimate.funding
    assert funding is not None
    assert (funding.amount, funding.scenario) == (D("1320"), ScenarioName.in_network)
    # Without a case the tax answer is unknown: the saving if it qualifies, the cost if not.
    assert funding.hsa_fsa.eligible is Eligibility.uncertain
    assert funding.hsa_fsa.tax_savings == D("290.40")  # 22% of 1320
    assert funding.hsa_fsa.non_qualified_withdrawal is not None
    assert funding.hsa_fsa.non_qualified_withdrawal.total_tax == D("420.00")  # 1000 x (22% + 20%)
    assert funding.promo_card is not None and funding.promo_card.paid_in_full_in_time
    assert funding.payment_plan is not None
    assert funding.payment_plan.monthly_payment == D("220.00")
    assert funding.loan is not None
    assert funding.loan.total_of_payments == D("1320") + funding.loan.finance_charge
    names = [option.name for option in funding.options]
    assert FundingOptionName.hsa_fsa not in names  # not counted while eligibility is uncertain
    assert funding.cheapest is FundingOptionName.cash


def test_a_qualified_expense_paid_from_the_hsa_is_the_cheapest_way_to_pay() -> None:
    request = dict(SPEC_REQUEST)
    request["case"] = {
        "procedures": [{"kind": "scar_revision", "sessions": 2}],
        "condition": {"kind": "traumatic_scar", "cause": "trauma"},
        "purpose": "appearance",
    }
    estimate = build_estimate(EstimateRequest.model_validate(request), today=TODAY)
    assert estimate.funding is not None
    assert estimate.funding.hsa_fsa.eligible is Eligibility.yes
    assert estimate.funding.cheapest is FundingOptionName.hsa_fsa


def test_a_cosmetic_case_makes_every_insured_session_self_pay() -> None:
    request = load_model(EstimateRequest, EXAMPLE)
    estimate = build_estimate(request, today=TODAY)
    assert estimate.determination is Outcome.not_covered_cosmetic
    insured = next(s for s in estimate.scenarios if s.name is ScenarioName.in_network)
    assert insured.covered is False
    assert insured.patient_total == D("2100")  # six sessions at the 350 cash price
    assert insured.plan_total == 0
    assert insured.accumulators_after is not None
    assert insured.accumulators_after.oop_met == D("900")  # unchanged
    assert estimate.cheapest is ScenarioName.self_pay_package
    assert estimate.funding is not None
    assert estimate.funding.amount == D("1800")
    assert estimate.funding.hsa_fsa.eligible is Eligibility.uncertain  # acne: case by case


def test_an_undecided_case_shows_both_ends_and_ranks_by_the_not_covered_one() -> None:
    request = {
        "case": {"payer": {"policy": "generic"},
                 "procedures": [{"kind": "microneedling", "sessions": 3, "site": "face"}],
                 "condition": {"kind": "surgical_scar"}},
        "plan": {"deductible": 0, "coinsurance": 0.20},
        "prices": {"negotiated_rate": 300, "self_pay": 350},
    }  # fmt: skip
    estimate = build_estimate(EstimateRequest.model_validate(request), today=TODAY)
    assert estimate.determination is Outcome.insufficient_information
    insured = estimate.scenarios[0]
    assert insured.covered is None
    assert insured.patient_total == D("180")  # 3 x 20% of 300 if covered
    assert insured.patient_total_if_not_covered == D("1050")
    # Both cost 1050 at worst; in network wins the tie on its better best case.
    assert estimate.cheapest is ScenarioName.in_network
    assert json.loads(estimate_json(estimate))["scenarios"][0]["covered"] is None


def test_the_case_gives_the_session_count_unless_the_request_does() -> None:
    request = {
        "case": {"procedures": [{"kind": "microneedling", "sessions": 4}]},
        "prices": {"self_pay": 100},
    }
    assert scenario_totals(request)[ScenarioName.self_pay][0] == D("400")
    assert scenario_totals({**request, "sessions": 2})[ScenarioName.self_pay][0] == D("200")


money = st.integers(0, 500_000).map(lambda c: Decimal(c) / 100)
shares = st.integers(0, 100).map(lambda p: Decimal(p) / 100)


@st.composite
def requests(draw: st.DrawFn) -> EstimateRequest:
    deductible, oop_max = draw(money), draw(money)
    plan = {
        "deductible": deductible,
        "deductible_met": draw(money.filter(lambda d: d <= deductible)),
        "coinsurance": draw(shares),
        "copay": draw(money),
        "oop_max": oop_max,
        "oop_met": draw(money.filter(lambda d: d <= oop_max)),
        "visit_limit": draw(st.none() | st.integers(0, 10)),
        "out_of_network": draw(st.none() | st.fixed_dictionaries({"allowed_amount": money})),
    }
    funding = {
        "amount": draw(st.none() | money),
        "hsa_balance": draw(money),
        "marginal_tax_rate": draw(st.none() | shares),
        "loan": draw(
            st.none() | st.fixed_dictionaries({"apr": shares, "months": st.integers(1, 60)})
        ),
        "promo_card": draw(
            st.none()
            | st.fixed_dictionaries(
                {
                    "months": st.integers(1, 24),
                    "standard_apr": shares,
                    "monthly_payment": st.none() | money,
                }
            )
        ),
        "payment_plan": draw(st.none() | st.fixed_dictionaries({"months": st.integers(1, 24)})),
    }
    return EstimateRequest.model_validate(
        {
            "sessions": draw(st.integers(1, 12)),
            "plan": draw(st.none() | st.just(plan)),
            "prices": {
                "billed_charge": draw(money),
                "negotiated_rate": draw(money),
                "self_pay": draw(st.none() | money),
            },
            "funding": draw(st.none() | st.just(funding)),
        }
    )


@settings(max_examples=150, deadline=None)
@given(request=requests())
def test_any_valid_request_gets_an_estimate_whose_cheapest_is_the_lowest(
    request: EstimateRequest,
) -> None:
    estimate = build_estimate(request, today=TODAY)
    lowest = min(scenario.worst_case_total for scenario in estimate.scenarios)
    cheapest = next(s for s in estimate.scenarios if s.name is estimate.cheapest)
    assert cheapest.worst_case_total == lowest
    if estimate.funding is not None:
        best = min(option.net_cost for option in estimate.funding.options)
        assert {o.name: o.net_cost for o in estimate.funding.options}[
            estimate.funding.cheapest
        ] == best
