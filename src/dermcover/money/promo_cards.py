"""Deferred-interest promotional cards ("no interest if paid in full within N months").

Deferred interest is not 0% APR (research §6.3, CFPB): interest accrues from the purchase date at
the standard APR all through the promotion. Paid in full by the end, none of it is charged. Any
balance left at the end, however small, and all of it is charged, back to the purchase date,
including on the parts already paid off.

Payments are made at the end of each month. Two ways of accruing the interest are offered, and
the result names the one used:

- month_start_balance: each month, the balance at its start times the APR over 12.
- daily_balance: each month, the balance (constant within the month, as payments fall at its
  end) times the APR over 365 times the days in that month, counted from the purchase date;
  closer to the average-daily-balance method issuers use.

Rounding: the accrued interest is summed exactly and rounded half up to the cent once.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from dermcover.estimate import InterestMethod, PromoCard
from dermcover.money.amounts import ZERO, cents, cents_up

METHOD_DESCRIPTIONS = {
    InterestMethod.month_start_balance: (
        "interest accrues each month on the balance at the start of the month at the standard "
        "APR / 12, from the purchase date; payments at each month's end"
    ),
    InterestMethod.daily_balance: (
        "interest accrues daily at the standard APR / 365 on the balance, from the purchase "
        "date; payments at each month's end"
    ),
}


def _month_factor(
    method: InterestMethod, standard_apr: Decimal, purchase_date: date | None, month: int
) -> Decimal:
    if method is InterestMethod.month_start_balance:
        return standard_apr / 12
    if purchase_date is None:
        raise ValueError("the daily_balance method needs the purchase date")
    start = purchase_date + relativedelta(months=month)
    days = (purchase_date + relativedelta(months=month + 1) - start).days
    return standard_apr * days / 365


def promo_card(
    purchase: Decimal,
    months: int,
    standard_apr: Decimal,
    monthly_payment: Decimal | None = None,
    *,
    method: InterestMethod = InterestMethod.month_start_balance,
    purchase_date: date | None = None,
) -> PromoCard:
    """What a deferred-interest promotion costs if the patient pays `monthly_payment` a month.

    Without a payment, the patient pays the purchase over the promotion (rounded up to the cent).
    """
    payment = monthly_payment if monthly_payment is not None else cents_up(purchase / months)
    balance, accrued = purchase, ZERO
    for month in range(months):
        accrued += balance * _month_factor(method, standard_apr, purchase_date, month)
        balance = max(ZERO, balance - payment)
    deferred_interest = cents(accrued)
    paid_in_full = balance == 0
    interest_charged = ZERO if paid_in_full else deferred_interest
    return PromoCard(
        purchase=purchase,
        months=months,
        standard_apr=standard_apr,
        monthly_payment=payment,
        paid_in_full_in_time=paid_in_full,
        balance_at_promotion_end=balance + interest_charged,
        deferred_interest=deferred_interest,
        interest_charged=interest_charged,
        total_cost=purchase + interest_charged,
        method=method,
        method_description=METHOD_DESCRIPTIONS[method],
    )
