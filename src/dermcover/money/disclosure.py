"""The Transparency in Coverage elements an insured scenario carries (research §2.2).

The consumer elements of 45 CFR 147.211(b)(1) (29 CFR 2590.715-2715A2, 26 CFR 54.9815-2715A2):
estimated cost-sharing liability, accumulated amounts, the in-network rate, the out-of-network
allowed amount, notice of prerequisites such as prior authorization, and a plain-language notice.
The items-and-services list for bundled payments does not arise: each session is priced alone.

dermcover is not the plan's own price-comparison tool, and the notice says so.
"""

from __future__ import annotations

from decimal import Decimal

from dermcover.determination import PriorAuthorizationNeed
from dermcover.estimate import (
    AccumulatedAmounts,
    CostSharing,
    Disclosure,
    PlanBenefits,
    Prerequisite,
    Prices,
    ScenarioName,
    SessionLine,
)
from dermcover.money.amounts import total
from dermcover.money.coverage import CoverageFinding


def estimated_cost_sharing(sessions: list[SessionLine]) -> Decimal:
    """Deductible, coinsurance and copays on the sessions the plan pays for (TiC element 1)."""
    return total(line.deductible + line.coinsurance + line.copay for line in sessions)


def prerequisites(coverage: CoverageFinding) -> list[Prerequisite]:
    if coverage.prior_authorization is PriorAuthorizationNeed.required:
        return [Prerequisite.prior_authorization]
    return []


def notice(name: ScenarioName, coverage: CoverageFinding) -> str:
    parts = [
        "This is an estimate, not a guarantee of coverage or of payment, and not a bill.",
        "What you are charged may differ if the care, the codes or your plan's accumulators "
        "differ from what is assumed here.",
    ]
    if name is ScenarioName.out_of_network:
        parts.append(
            "An out-of-network provider may bill you the difference between its charge and the "
            "plan's allowed amount (balance billing); that amount counts toward no deductible or "
            "out-of-pocket limit."
        )
    if coverage.prior_authorization is PriorAuthorizationNeed.required:
        parts.append("The plan pays only once prior authorization is approved.")
    elif coverage.prior_authorization is PriorAuthorizationNeed.unknown:
        parts.append("Prior authorization may be required: ask the plan before the first session.")
    parts.append(f"Coverage: {coverage.reason}.")
    parts.append(
        "For the figure your plan will stand behind, use your plan's own cost-estimate tool."
    )
    return " ".join(parts)


def disclosure(
    name: ScenarioName,
    terms: CostSharing,
    plan: PlanBenefits,
    prices: Prices,
    sessions: list[SessionLine],
    coverage: CoverageFinding,
) -> Disclosure:
    """The TiC elements for one insured scenario; `terms` is the tier the scenario uses."""
    out_of_network = plan.out_of_network
    return Disclosure(
        estimated_cost_sharing=estimated_cost_sharing(sessions),
        accumulated_amounts=AccumulatedAmounts(
            deductible=terms.deductible,
            deductible_met=terms.deductible_met,
            oop_max=terms.oop_max,
            oop_met=terms.oop_met,
            visit_limit=plan.visit_limit,
            visits_used=plan.visits_used,
        ),
        in_network_rate=prices.negotiated_rate,
        out_of_network_allowed_amount=(
            out_of_network.allowed_amount if out_of_network is not None else None
        ),
        prerequisites=prerequisites(coverage),
        notice=notice(name, coverage),
    )
