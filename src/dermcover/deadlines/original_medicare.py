"""Original Medicare (Parts A and B) appeal filing windows (research §4.3).

A claim denied on the Medicare Summary Notice can be appealed to the Medicare Administrative
Contractor (redetermination) within 120 days of receiving the notice, and a redetermination
that is upheld can go to the Qualified Independent Contractor (reconsideration) within 180 days
of receiving that decision. Receipt is presumed 5 days after the date on the notice, unless the
patient shows otherwise; the windows are counted in calendar days and the regulations do not
move them off weekends, so neither do we.
"""

from __future__ import annotations

from datetime import date, timedelta

from dermcover.deadlines.due import DueDate

PRESUMED_RECEIPT_DAYS = 5
REDETERMINATION_DAYS = 120
RECONSIDERATION_DAYS = 180
PRESUMPTION = "42 CFR 405.942(a)(1): receipt presumed 5 days after the notice"


def redetermination_filing(notice_date: date) -> DueDate:
    """The last day to ask the Medicare contractor to look at a denied claim again."""
    return DueDate(
        rule="Ask the Medicare contractor for a redetermination",
        citation="42 CFR 405.942(a)",
        due=notice_date + timedelta(days=PRESUMED_RECEIPT_DAYS + REDETERMINATION_DAYS),
        counted_from=notice_date,
        note="120 days from receiving the notice, presumed 5 days after the date on it",
    )


def reconsideration_filing(decision_date: date) -> DueDate:
    """The last day to take an upheld redetermination to the independent contractor."""
    return DueDate(
        rule="Ask the Qualified Independent Contractor for a reconsideration",
        citation="42 CFR 405.962(a)",
        due=decision_date + timedelta(days=PRESUMED_RECEIPT_DAYS + RECONSIDERATION_DAYS),
        counted_from=decision_date,
        note="180 days from receiving the redetermination, presumed 5 days after its date",
    )
