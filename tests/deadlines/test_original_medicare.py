"""Original Medicare appeal windows (research §4.3: 42 CFR 405.942, 405.962)."""

from __future__ import annotations

from datetime import date

import pytest

from dermcover.deadlines.events import Event, EventError, PlanKind, deadlines_for


def test_redetermination_is_due_120_days_after_presumed_receipt() -> None:
    # Notice dated 2025-01-15, presumed received 2025-01-20; 120 days later is 2025-05-20.
    [due] = deadlines_for(Event.denial, date(2025, 1, 15), PlanKind.medicare).due
    assert due.due == date(2025, 5, 20)
    assert due.citation == "42 CFR 405.942(a)"


def test_reconsideration_is_due_180_days_after_presumed_receipt() -> None:
    # Redetermination dated 2025-06-02, presumed received 2025-06-07; 180 days: 2025-12-04.
    [due] = deadlines_for(Event.final_denial, date(2025, 6, 2), PlanKind.medicare).due
    assert due.due == date(2025, 12, 4)
    assert "Qualified Independent Contractor" in due.rule


def test_no_decision_clock_is_invented() -> None:
    with pytest.raises(EventError, match="Original Medicare"):
        deadlines_for(Event.claim, date(2025, 1, 15), PlanKind.medicare)
