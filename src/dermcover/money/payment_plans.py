"""A provider's installment plan: the amount (plus any fee) in equal monthly payments.

The payment is the total over the months, rounded half up to the cent; the final payment absorbs
the rounding. A plan with no fee has a 0% APR. A fee is a finance charge, so it gives the plan a
positive APR (research §6.4). Regulation Z's closed-end disclosures apply when there is a finance
charge or more than four installments (12 CFR 1026.2(a)(17)).
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from dermcover.estimate import PaymentPlan
from dermcover.money.amounts import CENT, ZERO, cents
from dermcover.money.loans import disclosed_apr

REGULATION_Z_INSTALLMENTS = 4


def installments(amount: Decimal, months: int) -> list[Decimal]:
    """`amount` in `months` level payments, the last one absorbing the rounding."""
    payment = cents(amount / months)
    if payment * (months - 1) > amount:  # tiny amounts over many months: round down instead
        payment = (amount / months).quantize(CENT, rounding=ROUND_DOWN)
    return [payment] * (months - 1) + [amount - payment * (months - 1)]


def payment_plan(amount: Decimal, months: int, fee: Decimal = ZERO) -> PaymentPlan:
    payments = installments(amount + fee, months)
    apr = ZERO if fee == 0 or amount == 0 else disclosed_apr(amount, payments)
    return PaymentPlan(
        amount=amount,
        fee=fee,
        months=months,
        monthly_payment=payments[0],
        final_payment=payments[-1],
        total=amount + fee,
        apr=apr,
        regulation_z_applies=fee > 0 or months > REGULATION_Z_INSTALLMENTS,
    )
