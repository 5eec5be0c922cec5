"""Claim, appeal and review clocks: research cost-and-rules.md §8, cases C1-C11."""

from __future__ import annotations

from datetime import date, datetime

from dermcover.deadlines.erisa import ClaimType, appeal_decision, appeal_filing, claim_decision
from dermcover.deadlines.external_review import federal_external_review, state_external_review
from dermcover.deadlines.medicare_advantage import (
    prior_authorization_decision,
    reconsideration_filing,
)


def test_c1_internal_appeal_within_180_days() -> None:
    due = appeal_filing(date(2025, 1, 10))
    assert due.due == date(2025, 7, 9)
    assert due.citation == "29 CFR 2560.503-1(h)(3)(i)"


def test_the_appeal_window_is_described_as_ending_on_its_due_date() -> None:
    # (h)(3)(i): a plan must allow "at least 180 days following receipt"; the date shown is
    # the last day of that window, not a day after which an appeal may begin.
    note = appeal_filing(date(2025, 1, 10)).note or ""
    assert "at least 180 days after" not in note
    assert "ends 180 days after" in note


def test_c2_no_february_30_so_the_first_of_march_then_monday() -> None:
    due = federal_external_review(date(2025, 10, 30))
    assert due.rolled_from == date(2026, 3, 1)  # a Sunday
    assert due.due == date(2026, 3, 2)
    assert due.citation == "45 CFR 147.136(d)(2)(i)"


def test_c3_october_31_lands_on_the_same_monday() -> None:
    assert federal_external_review(date(2025, 10, 31)).due == date(2026, 3, 2)


def test_c4_four_months_to_a_wednesday_needs_no_roll() -> None:
    due = federal_external_review(date(2025, 6, 15))
    assert due.due == date(2025, 10, 15)
    assert due.rolled_from is None


def test_c5_pre_service_claim_15_days_and_one_extension() -> None:
    decision, extended = claim_decision(ClaimType.pre_service, datetime(2025, 4, 1))
    assert (decision.due, extended.due) == (date(2025, 4, 16), date(2025, 5, 1))


def test_c6_urgent_claim_within_72_hours_to_the_hour() -> None:
    (decision,) = claim_decision(ClaimType.urgent, datetime(2025, 4, 1, 9, 0))
    assert decision.due == datetime(2025, 4, 4, 9, 0)


def test_c7_post_service_claim_30_days_and_one_extension() -> None:
    decision, extended = claim_decision(ClaimType.post_service, datetime(2025, 4, 1))
    assert (decision.due, extended.due) == (date(2025, 5, 1), date(2025, 5, 16))


def test_c8_post_service_appeal_decided_within_60_days() -> None:
    assert appeal_decision(ClaimType.post_service, datetime(2025, 6, 2)).due == date(2025, 8, 1)


def test_c9_medicare_advantage_prior_authorization_under_cms_0057_f() -> None:
    standard, expedited = prior_authorization_decision(datetime(2026, 2, 2, 10, 30))
    assert standard.due == date(2026, 2, 9)
    assert expedited.due == datetime(2026, 2, 5, 10, 30)
    assert "CMS-0057-F" in standard.citation


def test_c9_before_2026_the_standard_decision_took_14_days() -> None:
    standard, _ = prior_authorization_decision(datetime(2025, 12, 1))
    assert standard.due == date(2025, 12, 15)


def test_c10_reconsideration_safe_date_and_outer_limit() -> None:
    safe, outer = reconsideration_filing(date(2026, 3, 2))
    assert safe.due == date(2026, 5, 1)
    assert outer.due == date(2026, 5, 6)
    assert "outer limit" in outer.rule


def test_c11_a_state_window_is_counted_from_the_notice() -> None:
    assert state_external_review(date(2025, 6, 15), 60).due == date(2025, 8, 14)


def test_aca_plans_cite_the_rule_that_applies_erisa_to_them() -> None:
    assert "147.136(b)" in appeal_filing(date(2025, 1, 10), aca=True).citation
