"""Closed-end loans: amortization and the Regulation Z disclosures (12 CFR 1026.18, 1026.22).

The monthly payment is the standard annuity payment, rounded half up to the cent. Each month's
interest is the balance times the yearly rate over 12, rounded to the cent as a statement shows
it; the final payment is whatever clears the balance, so it absorbs the rounding (research §6.2).

A prepaid finance charge (an origination fee) is added to the note: the amount financed is the
note less the fee, the finance charge is the interest plus the fee, and the APR is the rate at
which the payment schedule's present value equals the amount financed (Appendix J's actuarial
method, monthly unit period), solved by bisection in Decimal. The APR is disclosed to 0.01%,
well inside the 1/8-point tolerance of 1026.22(a)(2).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext

from dermcover.estimate import LoanDisclosure, Payment
from dermcover.money.amounts import ZERO, cents, total

MONTHS_A_YEAR = 12
APR_SHOWN_TO = Decimal("0.0001")
REGULAR_TOLERANCE = Decimal("0.00125")  # 1/8 of a percentage point
IRREGULAR_TOLERANCE = Decimal("0.0025")  # 1/4 point, irregular transactions


def level_payment(principal: Decimal, yearly_rate: Decimal, months: int) -> Decimal:
    """The level monthly payment that repays `principal` in `months`, to the cent."""
    if yearly_rate == 0:
        return cents(principal / months)
    with localcontext() as context:
        context.prec = 34
        rate = yearly_rate / MONTHS_A_YEAR
        payment = principal * rate / (1 - (1 + rate) ** -months)
    return cents(payment)


def amortize(principal: Decimal, yearly_rate: Decimal, months: int) -> list[Payment]:
    """The payment schedule: level payments, the last one absorbing the rounding."""
    payment = level_payment(principal, yearly_rate, months)
    balance = principal
    schedule: list[Payment] = []
    for n in range(1, months + 1):
        interest = cents(balance * yearly_rate / MONTHS_A_YEAR)
        this_payment = balance + interest if n == months else min(payment, balance + interest)
        principal_part = this_payment - interest
        balance -= principal_part
        schedule.append(
            Payment(
                n=n,
                payment=this_payment,
                interest=interest,
                principal=principal_part,
                balance=balance,
            )
        )
    return schedule


def present_value(payments: Sequence[Decimal], monthly_rate: Decimal) -> Decimal:
    discount = 1 / (1 + monthly_rate)
    value, factor = ZERO, Decimal(1)
    for payment in payments:
        factor *= discount
        value += payment * factor
    return value


def solve_apr(amount_financed: Decimal, payments: Sequence[Decimal]) -> Decimal:
    """The yearly rate (a fraction, unrounded to 12 places) at which the monthly `payments` are
    worth `amount_financed` today: the actuarial-method APR."""
    if amount_financed <= 0:
        raise ValueError("the amount financed must be more than zero")
    if total(payments) < amount_financed:
        raise ValueError("the payments do not repay the amount financed")
    with localcontext() as context:
        context.prec = 40
        low, high = ZERO, Decimal(1)
        while present_value(payments, high) > amount_financed:
            high *= 2
        for _ in range(200):
            middle = (low + high) / 2
            if present_value(payments, middle) > amount_financed:
                low = middle
            else:
                high = middle
            if high - low < Decimal("1e-15"):
                break
        return ((low + high) / 2 * MONTHS_A_YEAR).quantize(Decimal("1e-12"))


def disclosed_apr(amount_financed: Decimal, payments: Sequence[Decimal]) -> Decimal:
    return solve_apr(amount_financed, payments).quantize(APR_SHOWN_TO, rounding=ROUND_HALF_UP)


def apr_is_accurate(disclosed: Decimal, actual: Decimal, *, irregular: bool = False) -> bool:
    """1026.22(a)(2)-(3): within 1/8 point of the actual APR, or 1/4 point if irregular."""
    tolerance = IRREGULAR_TOLERANCE if irregular else REGULAR_TOLERANCE
    return abs(disclosed - actual) <= tolerance


def loan_disclosure(
    principal: Decimal,
    yearly_rate: Decimal,
    months: int,
    prepaid_fee: Decimal = ZERO,
) -> LoanDisclosure:
    """The Regulation Z disclosures for a note of `principal` with `prepaid_fee` taken up front."""
    if principal <= 0:
        raise ValueError("the loan principal must be more than zero")
    if prepaid_fee >= principal:
        raise ValueError("the prepaid fee must be less than the principal")
    schedule = amortize(principal, yearly_rate, months)
    payments = [row.payment for row in schedule]
    amount_financed = principal - prepaid_fee
    total_of_payments = total(payments)
    apr = yearly_rate if prepaid_fee == 0 else disclosed_apr(amount_financed, payments)
    return LoanDisclosure(
        principal=principal,
        prepaid_finance_charge=prepaid_fee,
        amount_financed=amount_financed,
        interest_rate=yearly_rate,
        apr=apr,
        months=months,
        monthly_payment=payments[0],
        final_payment=payments[-1],
        finance_charge=total_of_payments - amount_financed,
        total_of_payments=total_of_payments,
        schedule=schedule,
    )
