"""Deferred-interest cards: research cost-and-rules.md §8, cases D7 and D8."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from dermcover.estimate import InterestMethod
from dermcover.money.promo_cards import promo_card

D = Decimal


def test_d7_paid_in_full_in_time_costs_no_interest() -> None:
    card = promo_card(D("3000"), 12, D("0.2699"), D("250"))
    assert card.paid_in_full_in_time
    assert card.interest_charged == D("0.00")
    assert card.deferred_interest == D("438.59")  # accrued, then waived
    assert card.total_cost == D("3000")


def test_d8_a_balance_left_at_the_end_brings_back_all_the_interest() -> None:
    card = promo_card(D("3000"), 12, D("0.2699"), D("200"))
    assert not card.paid_in_full_in_time
    assert card.interest_charged == D("512.81")
    assert card.balance_at_promotion_end == D("600") + D("512.81")
    assert card.total_cost == D("3512.81")
    assert card.method is InterestMethod.month_start_balance
    assert "start of the month" in card.method_description


def test_one_cent_short_is_as_bad_as_any_shortfall() -> None:
    card = promo_card(D("1200.01"), 12, D("0.2699"), D("100"))
    assert not card.paid_in_full_in_time
    assert card.interest_charged > D("100")


def test_without_a_payment_the_patient_pays_it_off_over_the_promotion() -> None:
    card = promo_card(D("1000"), 6, D("0.2699"))
    assert card.monthly_payment == D("166.67")
    assert card.paid_in_full_in_time


def test_daily_balance_counts_the_days_in_each_month() -> None:
    # one month: January has 31 days, so 1000 x 0.365 / 365 x 31 = 31.00
    card = promo_card(
        D("1000"),
        1,
        D("0.365"),
        D("0"),
        method=InterestMethod.daily_balance,
        purchase_date=date(2025, 1, 1),
    )
    assert card.interest_charged == D("31.00")
