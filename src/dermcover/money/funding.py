"""The funding comparison: HSA/FSA, a loan, a promotional card and a payment plan, side by side.

Each block of the request's `funding` adds one way of paying; paying now in cash is always there
to compare against. HSA/FSA money counts as an option only when the expense qualifies (eligible
"yes"); when it does not, the cost of a non-qualified HSA withdrawal is shown instead, and a health
FSA cannot pay for it at all.
"""

from __future__ import annotations

from decimal import Decimal

from dermcover.estimate import (
    Eligibility,
    Funding,
    FundingOption,
    FundingOptionName,
    FundingRequest,
    HsaFsa,
    ScenarioName,
)
from dermcover.money.amounts import ZERO
from dermcover.money.cheapest import cheapest_funding
from dermcover.money.loans import loan_disclosure
from dermcover.money.payment_plans import payment_plan
from dermcover.money.promo_cards import promo_card
from dermcover.money.qualified_expense import QualifiedExpense
from dermcover.money.tax import non_qualified_withdrawal, tax_savings


def hsa_fsa(
    request: FundingRequest, amount: Decimal, qualified: QualifiedExpense, age: int | None
) -> HsaFsa:
    rate = request.marginal_tax_rate
    if qualified.eligible is Eligibility.no:
        from_accounts = min(amount, request.hsa_balance)
    else:
        from_accounts = min(amount, request.hsa_balance + request.fsa_balance)
    savings: Decimal | None = None
    if rate is not None:
        savings = ZERO if qualified.eligible is Eligibility.no else tax_savings(from_accounts, rate)
    withdrawal = None
    hsa_part = min(amount, request.hsa_balance)
    if qualified.eligible is not Eligibility.yes and rate is not None and hsa_part > 0:
        withdrawal = non_qualified_withdrawal(hsa_part, rate, age)
    return HsaFsa(
        eligible=qualified.eligible,
        reason=qualified.reason,
        citation=qualified.citation,
        from_accounts=from_accounts,
        tax_savings=savings,
        non_qualified_withdrawal=withdrawal,
    )


def funding_comparison(
    request: FundingRequest,
    amount: Decimal,
    scenario: ScenarioName | None,
    qualified: QualifiedExpense,
    age: int | None,
) -> Funding:
    """Every way of paying `amount` the request names, and the cheapest of them."""
    accounts = hsa_fsa(request, amount, qualified, age)
    options = [FundingOption(name=FundingOptionName.cash, net_cost=amount, note="pay as billed")]
    if accounts.eligible is Eligibility.yes and accounts.tax_savings:
        options.append(
            FundingOption(
                name=FundingOptionName.hsa_fsa,
                net_cost=amount - accounts.tax_savings,
                note=f"{accounts.from_accounts} from HSA/FSA saves {accounts.tax_savings} in tax",
            )
        )
    loan = promo = plan = None
    if amount > 0 and request.loan is not None:
        terms = request.loan
        note_amount = amount + terms.prepaid_fee  # the fee is financed: the patient gets `amount`
        loan = loan_disclosure(note_amount, terms.apr, terms.months, terms.prepaid_fee)
        options.append(
            FundingOption(
                name=FundingOptionName.loan,
                net_cost=amount + loan.finance_charge,
                note=f"{loan.months} payments of {loan.monthly_payment}, APR {loan.apr * 100:.2f}%",
            )
        )
    if amount > 0 and request.promo_card is not None:
        card = request.promo_card
        promo = promo_card(
            amount,
            card.months,
            card.standard_apr,
            card.monthly_payment,
            method=card.interest_method,
            purchase_date=card.purchase_date,
        )
        note = (
            "paid in full in time: no interest"
            if promo.paid_in_full_in_time
            else f"not paid off in time: {promo.interest_charged} interest charged back; the "
            "balance keeps accruing at the standard APR"
        )
        options.append(
            FundingOption(name=FundingOptionName.promo_card, net_cost=promo.total_cost, note=note)
        )
    if amount > 0 and request.payment_plan is not None:
        plan = payment_plan(amount, request.payment_plan.months, request.payment_plan.fee)
        options.append(
            FundingOption(
                name=FundingOptionName.payment_plan,
                net_cost=plan.total,
                note=f"{plan.months} payments of {plan.monthly_payment}",
            )
        )
    return Funding(
        amount=amount,
        scenario=scenario,
        hsa_fsa=accounts,
        loan=loan,
        promo_card=promo,
        payment_plan=plan,
        options=options,
        cheapest=cheapest_funding(options).name,
    )
