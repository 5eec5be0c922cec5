"""Which clock an event starts (the table in `dermcover.store.clocks`); dates from research §4."""

from __future__ import annotations

from datetime import date

from dermcover.case import PlanType
from dermcover.store.clocks import clocks_for
from dermcover.store.timeline import Clock, EventKind

K = EventKind


def test_a_denial_of_an_appeal_opens_the_external_review_window() -> None:
    clocks = clocks_for(
        K.pa_denied,
        date(2025, 10, 30),
        PlanType.commercial,
        [K.pa_submitted, K.pa_denied, K.appeal_filed],
    )
    assert [(d.clock, d.due) for d in clocks.deadlines] == [
        (Clock.external_review_filing, date(2026, 3, 2))
    ]


def test_a_denial_of_a_new_request_after_an_old_appeal_opens_the_appeal_window_again() -> None:
    earlier = [K.pa_submitted, K.pa_denied, K.appeal_filed, K.pa_denied, K.pa_submitted]
    clocks = clocks_for(K.pa_denied, date(2025, 1, 10), PlanType.commercial, earlier)
    assert [(d.clock, d.due) for d in clocks.deadlines] == [(Clock.appeal_filing, date(2025, 7, 9))]


def test_a_denied_medicare_advantage_reconsideration_needs_no_filing() -> None:
    clocks = clocks_for(
        K.pa_denied, date(2026, 4, 1), PlanType.medicare_advantage, [K.pa_denied, K.appeal_filed]
    )
    assert clocks.deadlines == []
    assert any("independent review entity" in note for note in clocks.notes)


def test_an_approval_starts_no_clock() -> None:
    assert clocks_for(K.pa_approved, date(2026, 4, 1), PlanType.commercial, []).deadlines == []


def test_an_original_medicare_denial_starts_the_redetermination_window() -> None:
    # 42 CFR 405.942: 120 days from receipt, presumed 5 days after the notice: 125 days.
    clocks = clocks_for(K.pa_denied, date(2026, 4, 1), PlanType.medicare, [])
    assert [(d.clock, d.due) for d in clocks.deadlines] == [(Clock.appeal_filing, date(2026, 8, 4))]
