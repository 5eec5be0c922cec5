"""Status and open deadlines from a timeline, with no database (the rules in `timeline.py`)."""

from __future__ import annotations

from datetime import date

import pytest

from dermcover.case import Case
from dermcover.determination import (
    Determination,
    Line,
    Outcome,
    PolicyRef,
    PriorAuthorizationNeed,
    ProcedureRef,
)
from dermcover.store.timeline import (
    CaseStatus,
    Clock,
    Deadline,
    EventKind,
    TimelineEvent,
    derive_status,
    next_deadline,
    open_deadlines,
)

CASE = Case.model_validate({"procedures": [{"kind": "chemical_peel"}]})


def decided(*outcomes: Outcome) -> Determination:
    lines = [
        Line(
            procedure=ProcedureRef(kind=None),
            outcome=outcome,
            prior_authorization=PriorAuthorizationNeed.unknown,
            criteria=[],
            reasons=[],
        )
        for outcome in outcomes
    ]
    return Determination(
        policy=PolicyRef(id="generic", title="t", reviewed=date(2026, 1, 1), sources=[]),
        outcome=outcomes[0] if len(set(outcomes)) == 1 else Outcome.mixed,
        lines=lines,
        questions=[],
        documentation=[],
        code_issues=[],
        next_steps=[],
    )


def happened(event_id: int, kind: EventKind, on: date, *deadlines: Deadline) -> TimelineEvent:
    return TimelineEvent(id=event_id, kind=kind, on=on, deadlines=deadlines)


def due(clock: Clock, on: date) -> Deadline:
    return Deadline(clock=clock, due=on, label=clock.value, basis="rule")


@pytest.mark.parametrize(
    ("outcomes", "status"),
    [
        ((Outcome.covered,), CaseStatus.covered),
        ((Outcome.covered, Outcome.covered_with_prior_auth), CaseStatus.needs_prior_auth),
        (
            (Outcome.covered_with_prior_auth, Outcome.insufficient_information),
            CaseStatus.needs_information,
        ),
        ((Outcome.covered, Outcome.not_covered_cosmetic), CaseStatus.partly_covered),
        (
            (Outcome.not_covered_cosmetic, Outcome.not_covered_investigational),
            CaseStatus.not_covered,
        ),
        ((Outcome.not_covered_not_medically_necessary,), CaseStatus.not_covered),
    ],
)
def test_with_no_events_the_determination_sets_the_status(
    outcomes: tuple[Outcome, ...], status: CaseStatus
) -> None:
    assert derive_status(CASE, decided(*outcomes), []) is status


@pytest.mark.parametrize(
    ("kinds", "status"),
    [
        ([EventKind.pa_submitted], CaseStatus.pa_pending),
        ([EventKind.pa_submitted, EventKind.pa_denied], CaseStatus.denied),
        ([EventKind.pa_denied, EventKind.peer_to_peer_scheduled], CaseStatus.denied),
        ([EventKind.pa_denied, EventKind.appeal_filed], CaseStatus.in_appeal),
        ([EventKind.appeal_filed, EventKind.pa_denied], CaseStatus.denied),
        ([EventKind.pa_denied, EventKind.external_review_requested], CaseStatus.in_external_review),
        ([EventKind.external_review_requested, EventKind.pa_approved], CaseStatus.approved),
        ([EventKind.peer_to_peer_scheduled], CaseStatus.needs_prior_auth),
    ],
)
def test_the_latest_event_that_moves_the_case_sets_the_status(
    kinds: list[EventKind], status: CaseStatus
) -> None:
    events = [happened(i, kind, date(2026, 1, 1 + i)) for i, kind in enumerate(kinds)]
    assert derive_status(CASE, decided(Outcome.covered_with_prior_auth), events) is status


def test_events_are_ordered_by_their_date_not_by_when_they_were_typed_in() -> None:
    events = [
        happened(1, EventKind.pa_denied, date(2026, 2, 1)),
        happened(2, EventKind.pa_submitted, date(2026, 1, 5)),  # entered late
    ]
    assert derive_status(CASE, decided(Outcome.covered), events) is CaseStatus.denied


def test_an_appeal_settles_the_appeal_window_and_starts_the_decision_clock() -> None:
    events = [
        happened(
            1, EventKind.pa_denied, date(2026, 1, 10), due(Clock.appeal_filing, date(2026, 7, 9))
        ),
        happened(
            2,
            EventKind.appeal_filed,
            date(2026, 2, 1),
            due(Clock.appeal_decision, date(2026, 3, 3)),
        ),
    ]
    assert open_deadlines(events) == [due(Clock.appeal_decision, date(2026, 3, 3))]


def test_a_second_denial_restarts_the_appeal_window() -> None:
    events = [
        happened(
            1, EventKind.pa_denied, date(2026, 1, 10), due(Clock.appeal_filing, date(2026, 7, 9))
        ),
        happened(2, EventKind.pa_submitted, date(2026, 2, 1)),
        happened(
            3, EventKind.pa_denied, date(2026, 3, 1), due(Clock.appeal_filing, date(2026, 8, 28))
        ),
    ]
    assert open_deadlines(events) == [due(Clock.appeal_filing, date(2026, 8, 28))]


def test_an_overdue_deadline_is_still_the_next_one() -> None:
    events = [
        happened(
            1, EventKind.pa_denied, date(2020, 1, 10), due(Clock.appeal_filing, date(2020, 7, 8))
        ),
        happened(
            2,
            EventKind.peer_to_peer_scheduled,
            date(2026, 12, 1),
            due(Clock.peer_to_peer, date(2026, 12, 1)),
        ),
    ]
    assert next_deadline(events) == due(Clock.appeal_filing, date(2020, 7, 8))


def test_an_approval_settles_everything() -> None:
    events = [
        happened(
            1, EventKind.pa_denied, date(2026, 1, 10), due(Clock.appeal_filing, date(2026, 7, 9))
        ),
        happened(
            2,
            EventKind.peer_to_peer_scheduled,
            date(2026, 1, 20),
            due(Clock.peer_to_peer, date(2026, 1, 20)),
        ),
        happened(3, EventKind.pa_approved, date(2026, 1, 21)),
    ]
    assert open_deadlines(events) == []
