"""Medicare Advantage (and Medicaid) prior authorization and reconsideration clocks (research §4.3).

Reconsideration: CMS and Medicare.gov say 60 calendar days from the date of the notice of the
organization determination. The parallel Part D rule counts 60 days from receipt, presumed 5 days
after the notice date, i.e. 65 days; whether 42 CFR 422.582(b) reads the same was not confirmed.
So the safe date is day 60 and day 65 is shown as the outer limit, labelled as such.

Prior authorization (CMS-0057-F, 89 FR 8758), from 1 January 2026 for Medicare Advantage,
Medicaid and CHIP: standard decisions within 7 calendar days (14 before), expedited within 72
hours.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from dermcover.deadlines.due import DueDate

RECONSIDERATION = "42 CFR 422.582(b)"
RECONSIDERATION_DAYS = 60
PRESUMED_RECEIPT_DAYS = 5
CMS_0057_F_IN_FORCE = date(2026, 1, 1)
STANDARD_DAYS, STANDARD_DAYS_BEFORE = 7, 14
EXPEDITED_HOURS = 72


def reconsideration_filing(notice_date: date) -> list[DueDate]:
    return [
        DueDate(
            rule="Ask the plan for reconsideration (safe date)",
            citation=RECONSIDERATION,
            due=notice_date + timedelta(days=RECONSIDERATION_DAYS),
            counted_from=notice_date,
            note="60 calendar days from the date on the notice",
        ),
        DueDate(
            rule="Ask the plan for reconsideration (outer limit)",
            citation=f"{RECONSIDERATION}; receipt presumed 5 days after the notice (as 423.582)",
            due=notice_date + timedelta(days=RECONSIDERATION_DAYS + PRESUMED_RECEIPT_DAYS),
            counted_from=notice_date,
            note="only if 422.582 counts from presumed receipt; do not plan on it",
        ),
    ]


def prior_authorization_decision(received: datetime, *, medicaid: bool = False) -> list[DueDate]:
    """The plan's standard and expedited decision times for a prior-authorization request."""
    citation = "CMS-0057-F (89 FR 8758); " + (
        "42 CFR 438.210(d)" if medicaid else "42 CFR 422.568(b), 422.572(a)"
    )
    in_force = received.date() >= CMS_0057_F_IN_FORCE
    days = STANDARD_DAYS if in_force else STANDARD_DAYS_BEFORE
    return [
        DueDate(
            rule="Plan decides a standard prior-authorization request",
            citation=citation,
            due=received.date() + timedelta(days=days),
            counted_from=received.date(),
            note=f"{days} calendar days"
            + ("" if in_force else " (before CMS-0057-F took effect on 2026-01-01)"),
        ),
        DueDate(
            rule="Plan decides an expedited prior-authorization request",
            citation=citation,
            due=received + timedelta(hours=EXPEDITED_HOURS),
            counted_from=received,
            note="72 hours, when waiting could seriously harm the patient's health",
        ),
    ]


def reconsideration_decision(received: datetime) -> list[DueDate]:
    """When the plan must decide a reconsideration it received."""
    citation = "42 CFR 422.590"
    day = received.date()
    return [
        DueDate(
            rule="Plan decides a standard pre-service reconsideration",
            citation=citation,
            due=day + timedelta(days=30),
            counted_from=day,
            note="an adverse decision goes on to the independent review entity by itself",
        ),
        DueDate(
            rule="Plan decides a payment reconsideration",
            citation=citation,
            due=day + timedelta(days=60),
            counted_from=day,
        ),
        DueDate(
            rule="Plan decides an expedited reconsideration",
            citation=citation,
            due=received + timedelta(hours=EXPEDITED_HOURS),
            counted_from=received,
        ),
    ]
