"""Installment plans: level payments, the last absorbing the rounding; a fee is a finance charge."""

from __future__ import annotations

from decimal import Decimal

from dermcover.money.payment_plans import installments, payment_plan

D = Decimal


def test_spec_example_1000_over_six_months() -> None:
    plan = payment_plan(D("1000"), 6)
    assert plan.monthly_payment == D("166.67")
    assert plan.final_payment == D("166.65")
    assert plan.total == D("1000.00")
    assert plan.apr == 0
    assert plan.regulation_z_applies  # more than four installments


def test_pay_in_four_without_a_fee_is_outside_regulation_z() -> None:
    assert not payment_plan(D("400"), 4).regulation_z_applies


def test_a_fee_gives_a_zero_percent_plan_a_positive_apr() -> None:
    # 12 payments of 87.50 (1050 in all) repaying 1000: 9.10% APR (annuity solved for 1000)
    plan = payment_plan(D("1000"), 12, fee=D("50"))
    assert plan.total == D("1050")
    assert plan.monthly_payment == D("87.50")
    assert plan.apr == D("0.0910")


def test_tiny_amounts_over_many_months_never_give_a_negative_payment() -> None:
    payments = installments(D("0.10"), 12)
    assert sum(payments) == D("0.10")
    assert min(payments) >= 0
