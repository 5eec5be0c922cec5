"""A course of sessions priced four ways: in network, out of network, self-pay, a package.

Sessions are adjudicated one by one, in order, so each sees the accumulators the ones before it
left (research §1.3). A session is not covered when the determination excludes the procedure or
when it falls past the plan's visit limit (§1.6); the patient then pays the self-pay price and no
accumulator moves, visits included (CMS calculator phase 2-3).
"""

from __future__ import annotations

from decimal import Decimal

from dermcover.estimate import (
    Accumulators,
    CostSharing,
    Package,
    PlanBenefits,
    Prices,
    Scenario,
    ScenarioName,
    SessionLine,
)
from dermcover.money.amounts import ZERO, total
from dermcover.money.benefits import adjudicate_session, uncovered_session
from dermcover.money.coverage import CoverageFinding
from dermcover.money.disclosure import disclosure


def starting_accumulators(terms: CostSharing, plan: PlanBenefits) -> Accumulators:
    return Accumulators(
        deductible_met=terms.deductible_met,
        oop_met=terms.oop_met,
        visits_used=plan.visits_used,
    )


def past_visit_limit(plan: PlanBenefits, visits_used: int) -> bool:
    return plan.visit_limit is not None and visits_used >= plan.visit_limit


def insured_sessions(
    terms: CostSharing,
    plan: PlanBenefits,
    allowed: Decimal,
    self_pay_price: Decimal,
    sessions: int,
    *,
    billed_charge: Decimal | None = None,
    covered: bool = True,
    not_covered_note: str = "not covered",
) -> tuple[list[SessionLine], Accumulators]:
    """Each session in order, and the accumulators after the last one."""
    accumulators = starting_accumulators(terms, plan)
    lines: list[SessionLine] = []
    for n in range(1, sessions + 1):
        if not covered:
            lines.append(uncovered_session(n, self_pay_price, not_covered_note))
        elif past_visit_limit(plan, accumulators.visits_used):
            note = f"past the visit limit ({plan.visit_limit} a plan year)"
            lines.append(uncovered_session(n, self_pay_price, note))
        else:
            line, accumulators = adjudicate_session(
                terms, accumulators, allowed, billed_charge=billed_charge, n=n
            )
            lines.append(line)
    return lines, accumulators


def insured_scenario(
    name: ScenarioName,
    plan: PlanBenefits,
    prices: Prices,
    sessions: int,
    coverage: CoverageFinding,
) -> Scenario:
    """The in-network or out-of-network scenario under the coverage the determination gives."""
    if name is ScenarioName.in_network:
        terms: CostSharing = plan
        allowed = prices.negotiated_rate
        billed_charge = None
    else:
        if plan.out_of_network is None:
            raise ValueError("the plan has no out-of-network benefits")
        terms = plan.out_of_network
        allowed = plan.out_of_network.allowed_amount
        billed_charge = prices.billed_charge
    if allowed is None:
        raise ValueError("no allowed amount for the in-network scenario")
    price = prices.self_pay_price
    lines, after = insured_sessions(
        terms,
        plan,
        allowed,
        price,
        sessions,
        billed_charge=billed_charge,
        covered=coverage.covered is not False,
        not_covered_note=coverage.session_note,
    )
    if coverage.covered is None:
        lines = [
            line.model_copy(update={"covered": None}) if line.covered else line for line in lines
        ]
    return Scenario(
        name=name,
        covered=coverage.covered,
        coverage_reason=coverage.reason,
        patient_total=total(line.patient for line in lines),
        plan_total=total(line.plan for line in lines),
        patient_total_if_not_covered=price * sessions if coverage.covered is None else None,
        sessions=lines,
        accumulators_after=after,
        disclosure=disclosure(name, terms, plan, prices, lines, coverage),
    )


def self_pay_scenario(price: Decimal, sessions: int) -> Scenario:
    lines = [uncovered_session(n, price, "self-pay price") for n in range(1, sessions + 1)]
    return Scenario(
        name=ScenarioName.self_pay,
        covered=False,
        coverage_reason="self-pay: no claim goes to a plan",
        patient_total=price * sessions,
        plan_total=ZERO,
        sessions=lines,
    )


def packages_to_buy(package: Package, single_price: Decimal, sessions: int) -> int:
    """How many packages to buy for `sessions`: whole packages, and one more if it beats paying
    the leftover sessions one by one."""
    whole, leftover = divmod(sessions, package.sessions)
    if leftover and package.price <= leftover * single_price:
        whole += 1
    return max(whole, 1)


def package_scenario(package: Package, single_price: Decimal, sessions: int) -> Scenario:
    """Prepaid packages, each paid at its first session, plus single sessions for the rest."""
    bought = packages_to_buy(package, single_price, sessions)
    lines: list[SessionLine] = []
    for n in range(1, sessions + 1):
        index, position = divmod(n - 1, package.sessions)
        if index < bought:
            price = package.price if position == 0 else ZERO
            note = f"package {index + 1} of {bought} (prepaid)" if position == 0 else "in package"
        else:
            price, note = single_price, "single session at the self-pay price"
        lines.append(uncovered_session(n, price, note))
    notes = []
    unused = bought * package.sessions - sessions
    if unused > 0:
        notes.append(f"{unused} prepaid session(s) in the package go unused")
    return Scenario(
        name=ScenarioName.self_pay_package,
        covered=False,
        coverage_reason="self-pay: no claim goes to a plan",
        patient_total=total(line.patient for line in lines),
        plan_total=ZERO,
        sessions=lines,
        notes=notes,
    )
