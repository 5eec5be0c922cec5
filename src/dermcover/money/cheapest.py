"""Which scenario, and which way of paying, costs the patient least.

Scenarios are ranked by what the patient can count on paying: a scenario whose coverage is
uncertain counts at its not-covered figure. Ties go to the lower best case, then to the order in
which the spec lists the scenarios.

Ways of paying are ranked by net cost: the amount plus finance charges and fees, less the tax the
HSA or FSA saves. Money is not discounted for when it is paid, so paying over time never comes out
cheaper than paying now; what it buys is time, and the comparison says what that time costs.
"""

from __future__ import annotations

from decimal import Decimal

from dermcover.estimate import FundingOption, FundingOptionName, Scenario, ScenarioName

SCENARIO_ORDER = list(ScenarioName)
FUNDING_ORDER = list(FundingOptionName)


def cheapest_scenario(scenarios: list[Scenario]) -> Scenario:
    if not scenarios:
        raise ValueError("there is no scenario to compare")

    def rank(scenario: Scenario) -> tuple[Decimal, Decimal, int]:
        return (
            scenario.worst_case_total,
            scenario.patient_total,
            SCENARIO_ORDER.index(scenario.name),
        )

    return min(scenarios, key=rank)


def cheapest_funding(options: list[FundingOption]) -> FundingOption:
    if not options:
        raise ValueError("there is no way of paying to compare")
    return min(options, key=lambda option: (option.net_cost, FUNDING_ORDER.index(option.name)))
