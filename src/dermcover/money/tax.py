"""Tax figures for paying medical bills: HSA/FSA savings, non-qualified withdrawals, limits.

Sources (research §5): IRC 213(a) (the 7.5%-of-AGI floor; IRS Pub. 502), IRC 223(f)(2) and (f)(4)
(HSA distributions not used for qualified medical expenses: income tax plus a 20% additional tax,
none at 65 or older, on disability or death), Rev. Proc. 2024-40 and 2025-19 (2025 and 2026 HSA
limits), Rev. Procs. 2024-40 and 2025-32 (health FSA limits and carryover).

Rounding: each tax figure is rounded half up to the cent once, as a return shows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from dermcover.estimate import NonQualifiedWithdrawal
from dermcover.money.amounts import ZERO, cents

MEDICAL_DEDUCTION_FLOOR = Decimal("0.075")
HSA_ADDITIONAL_TAX = Decimal("0.20")
HSA_ADDITIONAL_TAX_ENDS_AT_AGE = 65
HSA_CATCH_UP = Decimal("1000")  # age 55 and over, IRC 223(b)(3): statutory, not indexed
HSA_CATCH_UP_FROM_AGE = 55


class HsaCoverage(StrEnum):
    self_only = "self_only"
    family = "family"


HSA_CONTRIBUTION_LIMITS: dict[int, dict[HsaCoverage, Decimal]] = {
    2025: {HsaCoverage.self_only: Decimal("4300"), HsaCoverage.family: Decimal("8550")},
    2026: {HsaCoverage.self_only: Decimal("4400"), HsaCoverage.family: Decimal("8750")},
}
FSA_SALARY_REDUCTION_LIMITS = {2025: Decimal("3300"), 2026: Decimal("3400")}
FSA_CARRYOVER_LIMITS = {2025: Decimal("660"), 2026: Decimal("680")}  # out of that plan year


def medical_expense_deduction(agi: Decimal, expenses: Decimal) -> Decimal:
    """The itemized deduction: unreimbursed medical expenses above 7.5% of AGI."""
    return cents(max(ZERO, expenses - agi * MEDICAL_DEDUCTION_FLOOR))


def tax_savings(amount: Decimal, marginal_rate: Decimal) -> Decimal:
    """What paying `amount` with pre-tax HSA/FSA money saves against after-tax money."""
    return cents(amount * marginal_rate)


def non_qualified_withdrawal(
    amount: Decimal, marginal_rate: Decimal, age: int | None
) -> NonQualifiedWithdrawal:
    """The tax on `amount` taken from an HSA for something that is not a qualified expense.

    The additional tax is left out at 65 or older; an unknown age is taken as under 65.
    """
    income_tax = cents(amount * marginal_rate)
    exempt = age is not None and age >= HSA_ADDITIONAL_TAX_ENDS_AT_AGE
    additional_tax = ZERO if exempt else cents(amount * HSA_ADDITIONAL_TAX)
    return NonQualifiedWithdrawal(
        amount=amount,
        income_tax=income_tax,
        additional_tax=additional_tax,
        total_tax=income_tax + additional_tax,
    )


def hsa_contribution_limit(year: int, coverage: HsaCoverage, age: int | None = None) -> Decimal:
    """The year's HSA contribution limit, with the catch-up from age 55."""
    if year not in HSA_CONTRIBUTION_LIMITS:
        known = ", ".join(str(y) for y in sorted(HSA_CONTRIBUTION_LIMITS))
        raise ValueError(f"no HSA limit on file for {year}; known years: {known}")
    limit = HSA_CONTRIBUTION_LIMITS[year][coverage]
    if age is not None and age >= HSA_CATCH_UP_FROM_AGE:
        limit += HSA_CATCH_UP
    return limit


@dataclass(frozen=True)
class FsaElection:
    election: Decimal
    limit: Decimal
    carryover_limit: Decimal
    capped: bool


def fsa_election(year: int, requested: Decimal) -> FsaElection:
    """A health-FSA salary-reduction election held to the year's limit."""
    if year not in FSA_SALARY_REDUCTION_LIMITS:
        known = ", ".join(str(y) for y in sorted(FSA_SALARY_REDUCTION_LIMITS))
        raise ValueError(f"no FSA limit on file for {year}; known years: {known}")
    limit = FSA_SALARY_REDUCTION_LIMITS[year]
    return FsaElection(
        election=min(requested, limit),
        limit=limit,
        carryover_limit=FSA_CARRYOVER_LIMITS[year],
        capped=requested > limit,
    )
