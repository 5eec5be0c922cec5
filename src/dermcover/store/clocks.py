"""Which regulatory clocks an event starts, for the case's kind of plan.

The dates themselves come from `dermcover.deadlines`; this module only translates a recorded
event into the calculators' terms and their answers into the deadlines stored with it.

| event | calculator event | clock it starts |
| --- | --- | --- |
| `pa_submitted` | a pre-service claim | the payer's decision |
| `pa_denied` (no appeal before it) | a denial | filing an appeal |
| `pa_denied` (after an appeal) | the final internal denial | requesting external review |
| `appeal_filed` | an appeal of a pre-service claim | the payer's decision on it |
| `peer_to_peer_scheduled` | none: the call's own date | the call |
| `pa_approved`, `external_review_requested` | none | none |

Plan types map to the calculators' plan kinds: commercial plans run on the ERISA clocks as the
ACA applies them (the dates are the same; the citation names both); Medicare Advantage and
Medicaid on the CMS clocks; Original Medicare on its redetermination and reconsideration
windows (it has no decision clock on file, so those events note why). Self-pay and an unknown
plan type start no clock, and the event says why. Requests are taken as standard, not
expedited: clocks counted in hours (for urgent or expedited requests) are left out, since the
record does not say which it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from dermcover.case import PlanType
from dermcover.deadlines.due import DueDate
from dermcover.deadlines.erisa import ClaimType
from dermcover.deadlines.events import (
    Event,
    EventDetails,
    EventError,
    PlanKind,
)
from dermcover.deadlines.events import (
    deadlines_for as calculate,
)
from dermcover.store.timeline import Clock, Deadline, EventKind


class Clocks(BaseModel):
    """What an event started: its deadlines, and notes on any clock that could not run."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    deadlines: list[Deadline] = []
    notes: list[str] = []


_PLAN_KIND: dict[PlanType, PlanKind] = {
    PlanType.commercial: PlanKind.aca,
    PlanType.medicare: PlanKind.medicare,
    PlanType.medicare_advantage: PlanKind.medicare_advantage,
    PlanType.medicaid: PlanKind.medicaid,
}

_NO_CLOCK: dict[PlanType | None, str] = {
    None: "the case does not give the plan type, so no deadline could be worked out",
    PlanType.self_pay: "a self-pay case has no payer deadlines",
}

_CLOCK: dict[Event, Clock] = {
    Event.claim: Clock.payer_decision,
    Event.denial: Clock.appeal_filing,
    Event.appeal: Clock.appeal_decision,
    Event.final_denial: Clock.external_review_filing,
}

PEER_TO_PEER_BASIS = "the date agreed with the payer"


def clocks_for(
    kind: EventKind, on: date, plan_type: PlanType | None, earlier: Sequence[EventKind]
) -> Clocks:
    """The deadlines an event of `kind` on `on` starts; `earlier` are the case's prior events."""
    if kind is EventKind.peer_to_peer_scheduled:
        call = Deadline(
            clock=Clock.peer_to_peer,
            due=on,
            label="Peer-to-peer call with the payer's reviewer",
            basis=PEER_TO_PEER_BASIS,
        )
        return Clocks(deadlines=[call])
    event = _calculator_event(kind, earlier)
    if event is None:
        return Clocks()
    plan = _PLAN_KIND.get(plan_type) if plan_type is not None else None
    if plan is None:
        return Clocks(notes=[_NO_CLOCK.get(plan_type, _NO_CLOCK[None])])
    try:
        answer = calculate(event, on, plan, EventDetails(claim_type=ClaimType.pre_service))
    except EventError as exc:
        return Clocks(notes=[str(exc)])
    return Clocks(
        deadlines=[_deadline(_CLOCK[event], due) for due in answer.due if _counted_in_days(due)],
        notes=answer.notes,
    )


def _calculator_event(kind: EventKind, earlier: Sequence[EventKind]) -> Event | None:
    if kind is EventKind.pa_submitted:
        return Event.claim
    if kind is EventKind.appeal_filed:
        return Event.appeal
    if kind is EventKind.pa_denied:
        # Final when it answers an appeal of the latest request, not an earlier one's.
        since_request = list(earlier)
        if EventKind.pa_submitted in since_request:
            last = len(since_request) - 1 - since_request[::-1].index(EventKind.pa_submitted)
            since_request = since_request[last:]
        return Event.final_denial if EventKind.appeal_filed in since_request else Event.denial
    return None


def _counted_in_days(due: DueDate) -> bool:
    return not isinstance(due.due, datetime)


def _deadline(clock: Clock, due: DueDate) -> Deadline:
    return Deadline(
        clock=clock, due=due.due_date, label=due.rule, basis=due.citation, note=due.note
    )
