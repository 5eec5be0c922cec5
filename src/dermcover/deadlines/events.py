"""Every date that follows from one event, for one kind of plan.

Events on the self-pay side (a booking, a request for an estimate, a change of scope, a bill) run
on the clinic's business calendar and do not depend on the plan. Events on the insured side (a
claim, a denial, an appeal, a final denial) run on the clocks of the plan's kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from pydantic import BaseModel, ConfigDict

from dermcover.deadlines import (
    disputes,
    erisa,
    external_review,
    good_faith_estimate,
    medicare_advantage,
    original_medicare,
)
from dermcover.deadlines.calendar import FEDERAL, BusinessCalendar
from dermcover.deadlines.due import DueDate
from dermcover.deadlines.erisa import ClaimType

# Re-exported: the names are part of what this module offers.
from dermcover.deadlines.kinds import EVENT_HELP as EVENT_HELP
from dermcover.deadlines.kinds import Event as Event
from dermcover.deadlines.kinds import PlanKind as PlanKind


class EventError(ValueError):
    """An event that cannot be worked out as asked; `field` names the missing or bad detail."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class EventDetails:
    at: time = time(0, 0)
    service_date: date | None = None
    claim_type: ClaimType | None = None
    window_days: int | None = None
    calendar: BusinessCalendar = FEDERAL


def _service_date(event: Event, on: date, details: EventDetails) -> date:
    if details.service_date is None:
        raise EventError("service_date", f"the {event.value} event needs the service date")
    if details.service_date < on:
        raise EventError("service_date", f"the service date {details.service_date} is before {on}")
    return details.service_date


def _self_pay(event: Event, on: date, details: EventDetails) -> list[DueDate]:
    calendar = details.calendar
    if event is Event.scheduled:
        service = _service_date(event, on, details)
        due = good_faith_estimate.due_after_scheduling(on, service, calendar)
        return [due] if due is not None else []
    if event is Event.gfe_request:
        return [good_faith_estimate.due_after_request(on, calendar)]
    if event is Event.scope_change:
        service = _service_date(event, on, details)
        return [good_faith_estimate.due_after_scope_change(service, calendar, changed=on)]
    return [disputes.dispute_window(on)]


def _claim_types(details: EventDetails) -> list[ClaimType]:
    return [details.claim_type] if details.claim_type is not None else list(ClaimType)


def _group_plan(event: Event, on: date, plan: PlanKind, details: EventDetails) -> list[DueDate]:
    aca = plan is not PlanKind.erisa
    received = datetime.combine(on, details.at)
    if event is Event.claim:
        return [
            due
            for kind in _claim_types(details)
            for due in erisa.claim_decision(kind, received, aca=aca)
        ]
    if event is Event.denial:
        return [erisa.appeal_filing(on, aca=aca)]
    if event is Event.appeal:
        return [erisa.appeal_decision(kind, received, aca=aca) for kind in _claim_types(details)]
    if plan is PlanKind.state:
        if details.window_days is None:
            raise EventError(
                "window_days", "a state plan's external-review window is on its denial notice"
            )
        return [external_review.state_external_review(on, details.window_days)]
    return [external_review.federal_external_review(on, details.calendar)]


def _government_plan(
    event: Event, on: date, plan: PlanKind, details: EventDetails
) -> list[DueDate]:
    received = datetime.combine(on, details.at)
    medicaid = plan is PlanKind.medicaid
    if event is Event.claim:
        return medicare_advantage.prior_authorization_decision(received, medicaid=medicaid)
    if medicaid:
        raise EventError(
            "plan", "Medicaid appeals follow each state's fair-hearing rules; none is on file"
        )
    if event is Event.denial:
        return medicare_advantage.reconsideration_filing(on)
    if event is Event.appeal:
        return medicare_advantage.reconsideration_decision(received)
    raise EventError(
        "event",
        "a Medicare Advantage plan sends a denied reconsideration to the independent review "
        "entity itself; the patient files nothing by a deadline",
    )


def _original_medicare(event: Event, on: date) -> list[DueDate]:
    if event is Event.denial:
        return [original_medicare.redetermination_filing(on)]
    if event is Event.final_denial:
        return [original_medicare.reconsideration_filing(on)]
    raise EventError(
        "event",
        "Original Medicare has no prior-authorization or appeal-decision clock on file here; "
        "its appeal windows start from a denial (redetermination) or an upheld "
        "redetermination (final-denial)",
    )


class Deadlines(BaseModel):
    model_config = ConfigDict(frozen=True)

    event: Event
    on: date
    plan: PlanKind | None
    due: list[DueDate]
    notes: list[str]


SELF_PAY_EVENTS = (Event.scheduled, Event.gfe_request, Event.scope_change, Event.bill)
NOT_TRIGGERED = (
    "booked fewer than 3 business days ahead: the scheduling clock does not start, but an "
    "estimate is still due 3 business days after the patient asks for one"
)


def deadlines_for(
    event: Event,
    on: date,
    plan: PlanKind | None = None,
    details: EventDetails | None = None,
) -> Deadlines:
    """Every due date that follows from `event` on `on`; `plan` defaults to ERISA."""
    details = details or EventDetails()
    notes: list[str] = []
    if event in SELF_PAY_EVENTS:
        plan = None
        due = _self_pay(event, on, details)
        if event is Event.scheduled and not due:
            notes.append(NOT_TRIGGERED)
    else:
        plan = plan or PlanKind.erisa
        if plan is PlanKind.medicare:
            due = _original_medicare(event, on)
        elif plan in (PlanKind.medicare_advantage, PlanKind.medicaid):
            due = _government_plan(event, on, plan, details)
        else:
            due = _group_plan(event, on, plan, details)
    return Deadlines(event=event, on=on, plan=plan, due=due, notes=notes)
