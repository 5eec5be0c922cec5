"""Loans and their Regulation Z disclosures: research cost-and-rules.md §8, cases D1-D6 and D9.

D4 and D5 quote the total of payments as the unrounded payment times the term (research §6.2
gives both figures for D1). With cent payments and the final payment absorbing the rounding, as
the spec requires, the disclosed total moves by a few cents from that figure; those cases assert
the payment exactly and the totals to within the rounding of the schedule.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from dermcover.money.loans import apr_is_accurate, loan_disclosure, solve_apr

D = Decimal
ROUNDING = D("0.05")


def test_d1_seven_percent_on_500_for_a_year() -> None:
    loan = loan_disclosure(D("500"), D("0.07"), 12)
    assert loan.monthly_payment == D("43.26")
    assert loan.final_payment == D("43.31")
    assert loan.total_of_payments == D("519.17")
    assert loan.finance_charge == D("19.17")
    assert [row.payment for row in loan.schedule[:11]] == [D("43.26")] * 11
    assert loan.schedule[-1].balance == 0


def test_d2_the_interest_is_not_simple_interest_on_the_whole_principal() -> None:
    simple_interest = D("500") * D("0.07") * 1
    assert simple_interest == D("35.00")
    assert loan_disclosure(D("500"), D("0.07"), 12).finance_charge != simple_interest


def test_d3_zero_percent_for_a_year() -> None:
    loan = loan_disclosure(D("3000"), D("0"), 12)
    assert loan.monthly_payment == D("250.00")
    assert loan.finance_charge == D("0.00")
    assert loan.total_of_payments == D("3000.00")


def test_d4_fourteen_point_nine_percent_over_two_years() -> None:
    loan = loan_disclosure(D("5000"), D("0.149"), 24)
    assert loan.monthly_payment == D("242.20")
    assert abs(loan.total_of_payments - D("5812.70")) <= ROUNDING
    assert abs(loan.finance_charge - D("812.70")) <= ROUNDING


def test_d5_eight_percent_over_three_years() -> None:
    loan = loan_disclosure(D("6000"), D("0.08"), 36)
    assert loan.monthly_payment == D("188.02")
    assert abs(loan.total_of_payments - D("6768.65")) <= ROUNDING
    assert abs(loan.finance_charge - D("768.65")) <= ROUNDING


def test_d6_a_prepaid_fee_raises_the_apr() -> None:
    loan = loan_disclosure(D("1000"), D("0.0999"), 12, prepaid_fee=D("50"))
    assert loan.amount_financed == D("950")
    assert loan.monthly_payment == D("87.91")
    assert abs(loan.total_of_payments - D("1054.92")) <= ROUNDING
    assert abs(loan.finance_charge - D("104.92")) <= ROUNDING
    assert loan.apr == D("0.1980")


def test_d6_apr_solved_from_the_level_payments_alone() -> None:
    assert solve_apr(D("950"), [D("87.91")] * 12).quantize(D("0.000001")) == D("0.197959")


def test_d9_a_disclosed_apr_within_an_eighth_of_a_point_is_accurate() -> None:
    assert apr_is_accurate(D("0.1980"), D("0.197959"))
    assert not apr_is_accurate(D("0.1995"), D("0.197959"))  # 0.154 points off
    assert apr_is_accurate(D("0.1995"), D("0.197959"), irregular=True)


def test_a_fee_as_large_as_the_note_is_refused() -> None:
    with pytest.raises(ValueError, match="prepaid fee"):
        loan_disclosure(D("100"), D("0.05"), 12, prepaid_fee=D("100"))
