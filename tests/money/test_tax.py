"""Tax figures: research cost-and-rules.md §8, cases E1-E5."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dermcover.money.tax import (
    HsaCoverage,
    fsa_election,
    hsa_contribution_limit,
    medical_expense_deduction,
    non_qualified_withdrawal,
    tax_savings,
)

D = Decimal


def test_e1_expenses_under_the_floor_deduct_nothing() -> None:
    assert medical_expense_deduction(D("40000"), D("2500")) == D("0")


def test_e2_only_the_part_above_seven_and_a_half_percent_deducts() -> None:
    assert medical_expense_deduction(D("60000"), D("6000")) == D("1500.00")


def test_e3_hsa_money_spent_on_a_cosmetic_procedure() -> None:
    withdrawal = non_qualified_withdrawal(D("600"), D("0.22"), age=40)
    assert withdrawal.income_tax == D("132.00")
    assert withdrawal.additional_tax == D("120.00")
    assert withdrawal.total_tax == D("252.00")


def test_e3_the_additional_tax_ends_at_65() -> None:
    withdrawal = non_qualified_withdrawal(D("600"), D("0.22"), age=65)
    assert (withdrawal.additional_tax, withdrawal.total_tax) == (D("0"), D("132.00"))


def test_e4_2026_hsa_limits() -> None:
    assert hsa_contribution_limit(2026, HsaCoverage.self_only) == D("4400")
    assert hsa_contribution_limit(2026, HsaCoverage.family) == D("8750")
    assert hsa_contribution_limit(2026, HsaCoverage.self_only, age=55) == D("5400")


def test_e4_a_year_with_no_limit_on_file_is_refused() -> None:
    with pytest.raises(ValueError, match="2031"):
        hsa_contribution_limit(2031, HsaCoverage.family)


def test_e5_2026_fsa_election_is_capped() -> None:
    election = fsa_election(2026, D("3500"))
    assert election.election == D("3400")
    assert election.capped
    assert election.carryover_limit == D("680")


def test_tax_saved_at_the_marginal_rate() -> None:
    assert tax_savings(D("1000"), D("0.22")) == D("220.00")
