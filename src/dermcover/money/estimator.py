"""The estimate request in, the estimate out (spec: estimate-format.md).

When the request carries a case, the coverage engine decides it first, and the first procedure
line's outcome decides whether the insured scenarios are covered (see `coverage`). The funding
comparison funds the cheapest scenario's total unless the request names an amount.
"""

from __future__ import annotations

from datetime import date

from dermcover.determination import Determination
from dermcover.engine import determine
from dermcover.estimate import Estimate, EstimateRequest, Scenario, ScenarioName
from dermcover.money.cheapest import cheapest_scenario
from dermcover.money.coverage import coverage_from
from dermcover.money.funding import funding_comparison
from dermcover.money.qualified_expense import qualified_expense
from dermcover.money.scenarios import insured_scenario, package_scenario, self_pay_scenario


def scenarios_for(request: EstimateRequest, determination: Determination | None) -> list[Scenario]:
    sessions = request.session_count
    prices = request.prices
    coverage = coverage_from(determination)
    scenarios: list[Scenario] = []
    plan = request.plan
    if plan is not None:
        names = [ScenarioName.in_network]
        if plan.out_of_network is not None:
            names.append(ScenarioName.out_of_network)
        for name in names:
            scenarios.append(insured_scenario(name, plan, prices, sessions, coverage))
    scenarios.append(self_pay_scenario(prices.self_pay_price, sessions))
    if prices.package is not None:
        scenarios.append(package_scenario(prices.package, prices.self_pay_price, sessions))
    return scenarios


def build_estimate(
    request: EstimateRequest,
    determination: Determination | None = None,
    *,
    today: date | None = None,
) -> Estimate:
    """Price every scenario the request allows and compare the ways of paying.

    Without `determination`, a request that carries a case has it decided by the engine.
    """
    today = today or date.today()
    case = request.case
    if case is not None and determination is None:
        determination = determine(case, today=today)
    scenarios = scenarios_for(request, determination)
    cheapest = cheapest_scenario(scenarios)
    funding = None
    if request.funding is not None:
        amount = request.funding.amount
        funded = None if amount is not None else cheapest.name
        age = request.funding.account_holder_age
        if age is None and case is not None and case.patient is not None:
            age = case.patient.age_on(today)
        funding = funding_comparison(
            request.funding,
            amount if amount is not None else cheapest.worst_case_total,
            funded,
            qualified_expense(case),
            age,
        )
    line = determination.lines[0] if determination is not None and determination.lines else None
    notes = []
    if case is not None and len(case.procedures) > 1:
        notes.append(
            "the case has several procedure lines; the prices and sessions are for the first"
        )
    return Estimate(
        determination=line.outcome if line is not None else None,
        prior_authorization=line.prior_authorization if line is not None else None,
        scenarios=scenarios,
        funding=funding,
        cheapest=cheapest.name,
        notes=notes,
    )
