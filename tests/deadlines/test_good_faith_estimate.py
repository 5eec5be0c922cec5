"""Good Faith Estimate due dates and disputes: research cost-and-rules.md §8, cases B1-B10."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dermcover.deadlines.disputes import FEE, dispute_eligibility, dispute_window
from dermcover.deadlines.good_faith_estimate import (
    business_days_ahead,
    due_after_request,
    due_after_scheduling,
    due_after_scope_change,
    recurring_scope_fits,
)
from dermcover.money.scenarios import self_pay_scenario

MONDAY = date(2025, 3, 3)


def test_b1_booked_four_business_days_ahead_is_due_the_next_business_day() -> None:
    due = due_after_scheduling(MONDAY, date(2025, 3, 7))
    assert due is not None
    assert due.due == date(2025, 3, 4)
    assert "149.610" in due.citation


def test_b2_booked_fourteen_business_days_ahead_is_due_in_three() -> None:
    assert business_days_ahead(MONDAY, date(2025, 3, 21)) == 14
    due = due_after_scheduling(MONDAY, date(2025, 3, 21))
    assert due is not None and due.due == date(2025, 3, 6)


def test_b3_exactly_ten_business_days_ahead_takes_the_ten_day_rule() -> None:
    assert business_days_ahead(MONDAY, date(2025, 3, 17)) == 10
    due = due_after_scheduling(MONDAY, date(2025, 3, 17))
    assert due is not None and due.due == date(2025, 3, 6)
    assert "10 or more" in due.rule


def test_b3_leaving_the_service_day_out_of_the_count_is_a_setting() -> None:
    assert business_days_ahead(MONDAY, date(2025, 3, 17), include_service_day=False) == 9
    due = due_after_scheduling(MONDAY, date(2025, 3, 17), include_service_day=False)
    assert due is not None and due.due == date(2025, 3, 4)


def test_b4_booked_two_business_days_ahead_starts_no_scheduling_clock() -> None:
    assert due_after_scheduling(MONDAY, date(2025, 3, 5)) is None


def test_b5_a_request_before_independence_day_skips_the_holiday() -> None:
    assert due_after_request(date(2025, 7, 2)).due == date(2025, 7, 8)


def test_b6_a_change_of_scope_is_due_a_business_day_before_the_service() -> None:
    due = due_after_scope_change(date(2025, 3, 21), changed=date(2025, 3, 20))
    assert due.due == date(2025, 3, 20)


def test_b7_six_monthly_sessions_fit_one_estimate_of_2100() -> None:
    assert self_pay_scenario(Decimal("350"), 6).patient_total == Decimal("2100.00")
    assert recurring_scope_fits(date(2025, 1, 10), date(2025, 8, 10))  # 7 months
    assert not recurring_scope_fits(date(2025, 1, 10), date(2026, 2, 10))  # 13 months


def test_b8_one_cent_under_400_over_the_estimate_is_not_disputable() -> None:
    result = dispute_eligibility(Decimal("1200.00"), Decimal("1599.99"))
    assert result.difference == Decimal("399.99")
    assert not result.eligible


def test_b9_exactly_400_over_the_estimate_is_disputable() -> None:
    assert dispute_eligibility(Decimal("1200.00"), Decimal("1600.00")).eligible


def test_b10_dispute_window_is_120_calendar_days_from_the_bill() -> None:
    window = dispute_window(date(2025, 1, 15))
    assert window.due == date(2025, 5, 15)
    assert Decimal("25") == FEE
    assert "149.620" in window.citation


def test_a_service_before_its_booking_is_refused() -> None:
    with pytest.raises(ValueError, match="before the scheduling date"):
        due_after_scheduling(MONDAY, date(2025, 3, 1))
