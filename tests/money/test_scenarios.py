"""A course of sessions priced session by session: research §8 A13, A14, and the package."""

from __future__ import annotations

from decimal import Decimal

from dermcover.determination import PriorAuthorizationNeed
from dermcover.estimate import Package, PlanBenefits, Prerequisite, Prices, ScenarioName
from dermcover.money.coverage import ASSUMED_COVERED, CoverageFinding
from dermcover.money.scenarios import insured_scenario, package_scenario, self_pay_scenario

D = Decimal
COSMETIC = CoverageFinding(covered=False, reason="not covered: excluded as cosmetic")
UNCERTAIN = CoverageFinding(covered=None, reason="uncertain: facts missing")


def plan(**fields: object) -> PlanBenefits:
    return PlanBenefits.model_validate(fields)


def test_a13_sessions_past_the_visit_limit_cost_the_self_pay_rate() -> None:
    benefits = plan(deductible="500", deductible_met="500", coinsurance="0.20", oop_max="5000",
                    visit_limit=6)  # fmt: skip
    prices = Prices(negotiated_rate=D("200"), self_pay=D("250"))
    scenario = insured_scenario(ScenarioName.in_network, benefits, prices, 8, ASSUMED_COVERED)
    patient = [line.patient for line in scenario.sessions]
    assert patient == [D("40.00")] * 6 + [D("250")] * 2
    assert [line.covered for line in scenario.sessions] == [True] * 6 + [False] * 2
    assert scenario.patient_total == D("740.00")
    assert scenario.accumulators_after is not None
    assert scenario.accumulators_after.oop_met == D("240.00")
    assert scenario.accumulators_after.visits_used == 6


def test_a14_cosmetic_exclusion_means_self_pay_and_nothing_accumulates() -> None:
    benefits = plan(deductible="1500", deductible_met="300", coinsurance="0.20", oop_max="5000",
                    oop_met="900")  # fmt: skip
    prices = Prices(negotiated_rate=D("300"), self_pay=D("350"))
    scenario = insured_scenario(ScenarioName.in_network, benefits, prices, 1, COSMETIC)
    assert scenario.covered is False
    assert (scenario.patient_total, scenario.plan_total) == (D("350.00"), D("0.00"))
    assert scenario.accumulators_after is not None
    assert scenario.accumulators_after.deductible_met == D("300")
    assert scenario.accumulators_after.oop_met == D("900")
    assert scenario.accumulators_after.visits_used == 0


def test_uncertain_coverage_shows_both_the_covered_and_the_not_covered_figures() -> None:
    benefits = plan(deductible="0", coinsurance="0.20")
    prices = Prices(negotiated_rate=D("300"), self_pay=D("350"))
    scenario = insured_scenario(ScenarioName.in_network, benefits, prices, 3, UNCERTAIN)
    assert scenario.covered is None
    assert scenario.patient_total == D("180.00")  # 3 x 20% of 300
    assert scenario.patient_total_if_not_covered == D("1050")
    assert scenario.worst_case_total == D("1050")
    assert {line.covered for line in scenario.sessions} == {None}


def test_out_of_network_scenario_uses_its_own_accumulators_and_adds_the_balance_bill() -> None:
    benefits = plan(
        deductible="1500",
        coinsurance="0.20",
        out_of_network={"deductible": "100", "coinsurance": "0.40", "allowed_amount": "200"},
    )
    prices = Prices(billed_charge=D("450"), negotiated_rate=D("300"), self_pay=D("350"))
    scenario = insured_scenario(ScenarioName.out_of_network, benefits, prices, 2, ASSUMED_COVERED)
    first, second = scenario.sessions
    # 1: deductible 100 + 40% of the other 100 = 140, plus 250 balance bill
    assert (first.patient, first.plan, first.balance_bill) == (D("390"), D("60"), D("250"))
    # 2: 40% of 200 = 80, plus 250 balance bill
    assert (second.patient, second.plan) == (D("330"), D("120"))
    assert scenario.accumulators_after is not None
    assert scenario.accumulators_after.oop_met == D("220")


def test_each_insured_scenario_carries_the_transparency_in_coverage_elements() -> None:
    benefits = plan(deductible="1500", deductible_met="300", coinsurance="0.20", oop_max="5000",
                    oop_met="900", visit_limit=6,
                    out_of_network={"coinsurance": "0.40", "allowed_amount": "200"})  # fmt: skip
    prices = Prices(billed_charge=D("450"), negotiated_rate=D("300"), self_pay=D("350"))
    needs_auth = CoverageFinding(
        True, "covered, once prior authorization is approved",
        prior_authorization=PriorAuthorizationNeed.required,
    )  # fmt: skip
    scenario = insured_scenario(ScenarioName.out_of_network, benefits, prices, 2, needs_auth)
    disclosure = scenario.disclosure
    assert disclosure is not None
    assert disclosure.estimated_cost_sharing == D("160")  # 2 x 40% of 200, no balance bill
    assert disclosure.in_network_rate == D("300")
    assert disclosure.out_of_network_allowed_amount == D("200")
    assert disclosure.prerequisites == [Prerequisite.prior_authorization]
    assert disclosure.accumulated_amounts.visit_limit == 6
    assert "not a guarantee" in disclosure.notice
    assert "balance billing" in disclosure.notice


def test_self_pay_is_the_cash_price_for_every_session() -> None:
    scenario = self_pay_scenario(D("350"), 6)
    assert scenario.patient_total == D("2100")
    assert scenario.disclosure is None


def test_a_package_is_paid_up_front_and_extra_sessions_at_the_single_price() -> None:
    package = Package(sessions=3, price=D("900"))
    scenario = package_scenario(package, D("350"), 4)
    assert [line.patient for line in scenario.sessions] == [D("900"), 0, 0, D("350")]
    assert scenario.patient_total == D("1250")


def test_a_second_package_is_bought_when_it_beats_single_sessions() -> None:
    package = Package(sessions=3, price=D("600"))
    scenario = package_scenario(package, D("350"), 5)
    assert scenario.patient_total == D("1200")
    assert scenario.notes == ["1 prepaid session(s) in the package go unused"]
