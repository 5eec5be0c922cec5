"""The window to ask for external review of a final internal denial (research §4.2).

Federal process (45 CFR 147.136(d)(2)(i)): 4 months after receipt of the final adverse
determination. When the fourth month has no day with that number, the window ends on the first day
of the fifth month; a window that ends on a Saturday, Sunday or federal holiday moves to the next
business day.

A plan under a state external-review law has its own window (60 days, 4 months, 6 months,
180 days...), which the denial notice states; pass it in days and it is counted from the notice.
"""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from dermcover.deadlines.calendar import FEDERAL, BusinessCalendar
from dermcover.deadlines.due import DueDate

FEDERAL_CITATION = "45 CFR 147.136(d)(2)(i)"
STATE_CITATION = "45 CFR 147.136(c)(2); the state's external-review law"
FEDERAL_WINDOW_MONTHS = 4


def months_later(start: date, months: int) -> date:
    """The same day `months` later; the first day of the month after when there is no such day."""
    later = start + relativedelta(months=months)
    if later.day != start.day:  # relativedelta fell back to the month's last day
        later = later.replace(day=1) + relativedelta(months=1)
    return later


def federal_external_review(
    final_denial_received: date, calendar: BusinessCalendar = FEDERAL
) -> DueDate:
    window_end = months_later(final_denial_received, FEDERAL_WINDOW_MONTHS)
    due = calendar.on_or_after(window_end)
    return DueDate(
        rule="Request federal external review",
        citation=FEDERAL_CITATION,
        due=due,
        counted_from=final_denial_received,
        rolls_forward=True,
        rolled_from=window_end if due != window_end else None,
        note="4 months after receiving the final internal denial; decision in 45 days "
        "(72 hours if expedited)",
    )


def state_external_review(final_denial_notice: date, window_days: int) -> DueDate:
    if window_days < 1:
        raise ValueError(f"the state's window must be at least 1 day, not {window_days}")
    return DueDate(
        rule="Request external review under the state's process",
        citation=STATE_CITATION,
        due=final_denial_notice + timedelta(days=window_days),
        counted_from=final_denial_notice,
        note=f"{window_days} days from the final denial notice, as the notice states",
    )
