"""When a Good Faith Estimate is due to an uninsured or self-pay patient (45 CFR 149.610(b)).

Research §3.2 (86 FR 56136):
- booked at least 10 business days ahead: within 3 business days of scheduling;
- booked at least 3 business days ahead: within 1 business day of scheduling;
- booked fewer than 3 business days ahead: the scheduling clock does not start (inferred from the
  rule's structure), though a request still starts the request clock;
- asked for: within 3 business days of the request;
- scope changed after issue: a new estimate at least 1 business day before the service.
A recurring course fits in one estimate when its scope is 12 months or less.

How many business days ahead a booking is counts those strictly after the scheduling day, up to
and including the service day; `include_service_day=False` leaves the service day out.
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

from dermcover.deadlines.calendar import FEDERAL, BusinessCalendar
from dermcover.deadlines.due import DueDate

TIMING = "45 CFR 149.610(b)(1)(vi)"
SCOPE = "45 CFR 149.610(b)(1)"
RECURRING_SCOPE_MONTHS = 12
# The notes' wording, kept whole so that a paper in another language can find and translate them.
BOOKED_NOTE = "booked %(ahead)s business days ahead; due %(days)s business day(s) after scheduling"
REQUEST_NOTE = "due 3 business days after the request; asking about cost counts as a request"
NOTES = (BOOKED_NOTE, REQUEST_NOTE)


def business_days_ahead(
    scheduled: date,
    service: date,
    calendar: BusinessCalendar = FEDERAL,
    *,
    include_service_day: bool = True,
) -> int:
    return calendar.business_days_between(scheduled, service, include_end=include_service_day)


def due_after_scheduling(
    scheduled: date,
    service: date,
    calendar: BusinessCalendar = FEDERAL,
    *,
    include_service_day: bool = True,
) -> DueDate | None:
    """The estimate's due date once a service is booked; None if booked under 3 days ahead."""
    if service < scheduled:
        raise ValueError(f"the service date {service} is before the scheduling date {scheduled}")
    ahead = business_days_ahead(
        scheduled, service, calendar, include_service_day=include_service_day
    )
    if ahead >= 10:
        rule, days = "Good Faith Estimate (booked 10 or more business days ahead)", 3
    elif ahead >= 3:
        rule, days = "Good Faith Estimate (booked 3 to 9 business days ahead)", 1
    else:
        return None
    return DueDate(
        rule=rule,
        citation=TIMING,
        due=calendar.add_business_days(scheduled, days),
        counted_from=scheduled,
        note=BOOKED_NOTE % {"ahead": ahead, "days": days},
    )


def due_after_request(requested: date, calendar: BusinessCalendar = FEDERAL) -> DueDate:
    return DueDate(
        rule="Good Faith Estimate (on request)",
        citation=TIMING,
        due=calendar.add_business_days(requested, 3),
        counted_from=requested,
        note=REQUEST_NOTE,
    )


def due_after_scope_change(
    service: date, calendar: BusinessCalendar = FEDERAL, *, changed: date | None = None
) -> DueDate:
    """A new estimate when the charges, items, frequency or providers change after issue."""
    due = calendar.add_business_days(service, -1)
    note = "a new estimate no later than 1 business day before the service"
    if changed is not None and changed > due:
        note += f"; the change on {changed} came after that day, so issue it at once"
        due = changed
    return DueDate(
        rule="New Good Faith Estimate (scope changed)",
        citation=SCOPE,
        due=due,
        counted_from=changed or service,
        note=note,
    )


def recurring_scope_fits(first: date, last: date) -> bool:
    """Whether a recurring course from `first` to `last` fits in one estimate (12 months)."""
    return last <= first + relativedelta(months=RECURRING_SCOPE_MONTHS)
