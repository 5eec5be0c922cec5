"""The events a due date follows from and the kinds of plan whose clocks apply: names only, so
that the command line can list them without loading the calendars and the clocks."""

from __future__ import annotations

from enum import StrEnum


class Event(StrEnum):
    scheduled = "scheduled"
    gfe_request = "gfe-request"
    scope_change = "scope-change"
    bill = "bill"
    claim = "claim"
    denial = "denial"
    appeal = "appeal"
    final_denial = "final-denial"


EVENT_HELP = {
    Event.scheduled: "a self-pay service was booked (needs the service date)",
    Event.gfe_request: "the patient asked for a Good Faith Estimate",
    Event.scope_change: "the estimated care changed after the estimate (needs the service date)",
    Event.bill: "the date on the initial bill (dispute window)",
    Event.claim: "the plan received a claim or prior-authorization request",
    Event.denial: "the patient received a denial (time to appeal)",
    Event.appeal: "the plan received an appeal",
    Event.final_denial: "the patient received the final internal denial (external review)",
}


class PlanKind(StrEnum):
    erisa = "erisa"
    aca = "aca"
    state = "state"
    medicare = "medicare"
    medicare_advantage = "medicare_advantage"
    medicaid = "medicaid"
