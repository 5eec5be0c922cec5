"""A case's timeline: the events staff record, the deadlines they open, and the case status.

Pure Python: nothing here touches the database.

**Status.** The latest event that moves a case decides its status:

| latest such event | status |
| --- | --- |
| `pa_submitted` | `pa_pending` |
| `pa_approved` | `approved` |
| `pa_denied` | `denied` (a denied appeal is a denial too) |
| `appeal_filed` | `in_appeal` |
| `external_review_requested` | `in_external_review` |

A `peer_to_peer_scheduled` event is a call, not a decision or a filing, so it leaves the status as
it was. With no moving event, the prior-authorization status the case itself states (pending,
approved, denied) decides; failing that, the determination does: any line with
`insufficient_information` makes it `needs_information`; else any line covered once prior
authorization is approved makes it `needs_prior_auth`; else every line covered is `covered`,
some is `partly_covered`, none is `not_covered`.

**Open deadlines.** Each event keeps the deadlines the regulatory clocks gave it when it was
recorded. A deadline stays open until a later event settles it (the table `SETTLED_BY`: an appeal
filed settles the appeal-filing deadline; a payer's answer settles the payer's decision clock) or a
later event starts the same clock again. The case's next deadline is the earliest open one,
overdue ones included, since those matter most.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from dermcover.case import Case, PriorAuthStatus
from dermcover.determination import Determination, Outcome


class EventKind(StrEnum):
    pa_submitted = "pa_submitted"
    pa_approved = "pa_approved"
    pa_denied = "pa_denied"
    appeal_filed = "appeal_filed"
    peer_to_peer_scheduled = "peer_to_peer_scheduled"
    external_review_requested = "external_review_requested"


class CaseStatus(StrEnum):
    needs_information = "needs_information"
    needs_prior_auth = "needs_prior_auth"
    covered = "covered"
    partly_covered = "partly_covered"
    not_covered = "not_covered"
    pa_pending = "pa_pending"
    approved = "approved"
    denied = "denied"
    in_appeal = "in_appeal"
    in_external_review = "in_external_review"


class Clock(StrEnum):
    """The regulatory clocks an event can start; each deadline runs on one."""

    payer_decision = "payer_decision"
    appeal_filing = "appeal_filing"
    appeal_decision = "appeal_decision"
    peer_to_peer = "peer_to_peer"
    external_review_filing = "external_review_filing"
    external_review_decision = "external_review_decision"


class Deadline(BaseModel):
    """One deadline as recorded with an event."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    clock: Clock
    due: date
    label: str
    basis: str
    note: str | None = None


@dataclass(frozen=True)
class TimelineEvent:
    """What the timeline needs of a recorded event (its id orders events on the same day)."""

    id: int
    kind: EventKind
    on: date
    deadlines: Sequence[Deadline] = ()


_STATUS_AFTER: dict[EventKind, CaseStatus] = {
    EventKind.pa_submitted: CaseStatus.pa_pending,
    EventKind.pa_approved: CaseStatus.approved,
    EventKind.pa_denied: CaseStatus.denied,
    EventKind.appeal_filed: CaseStatus.in_appeal,
    EventKind.external_review_requested: CaseStatus.in_external_review,
}

_STATUS_FROM_CASE: dict[PriorAuthStatus, CaseStatus] = {
    PriorAuthStatus.pending: CaseStatus.pa_pending,
    PriorAuthStatus.approved: CaseStatus.approved,
    PriorAuthStatus.denied: CaseStatus.denied,
}

_DECISIONS = frozenset({EventKind.pa_approved, EventKind.pa_denied})

SETTLED_BY: dict[Clock, frozenset[EventKind]] = {
    Clock.payer_decision: _DECISIONS,
    Clock.appeal_filing: frozenset({EventKind.appeal_filed, EventKind.pa_approved}),
    Clock.appeal_decision: _DECISIONS,
    Clock.peer_to_peer: _DECISIONS | {EventKind.appeal_filed},
    Clock.external_review_filing: frozenset(
        {EventKind.external_review_requested, EventKind.pa_approved}
    ),
    Clock.external_review_decision: _DECISIONS,
}


def in_order(events: Sequence[TimelineEvent]) -> list[TimelineEvent]:
    """Events by date, then in the order they were recorded."""
    return sorted(events, key=lambda event: (event.on, event.id))


def derive_status(
    case: Case, determination: Determination, events: Sequence[TimelineEvent]
) -> CaseStatus:
    for event in reversed(in_order(events)):
        if event.kind in _STATUS_AFTER:
            return _STATUS_AFTER[event.kind]
    stated = case.prior_authorization.status if case.prior_authorization else None
    if stated in _STATUS_FROM_CASE:
        return _STATUS_FROM_CASE[stated]
    return status_from_determination(determination)


def status_from_determination(determination: Determination) -> CaseStatus:
    outcomes = {line.outcome for line in determination.lines}
    if Outcome.insufficient_information in outcomes:
        return CaseStatus.needs_information
    if Outcome.covered_with_prior_auth in outcomes:
        return CaseStatus.needs_prior_auth
    covered = {outcome for outcome in outcomes if outcome.is_covered}
    if covered == outcomes:
        return CaseStatus.covered
    return CaseStatus.partly_covered if covered else CaseStatus.not_covered


def open_deadlines(events: Sequence[TimelineEvent]) -> list[Deadline]:
    """Deadlines no later event has settled or restarted, earliest first."""
    ordered = in_order(events)
    still_open: list[Deadline] = []
    for index, event in enumerate(ordered):
        later = ordered[index + 1 :]
        for deadline in event.deadlines:
            settled = any(
                other.kind in SETTLED_BY[deadline.clock]
                or any(d.clock == deadline.clock for d in other.deadlines)
                for other in later
            )
            if not settled:
                still_open.append(deadline)
    return sorted(still_open, key=lambda deadline: deadline.due)


def next_deadline(events: Sequence[TimelineEvent]) -> Deadline | None:
    deadlines = open_deadlines(events)
    return deadlines[0] if deadlines else None
