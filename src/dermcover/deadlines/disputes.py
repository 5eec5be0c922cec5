"""Patient-provider dispute resolution for self-pay patients (45 CFR 149.620; research §3.4).

A bill is disputable when the total billed by one provider or facility is at least $400 more
than that provider's or facility's expected total on the Good Faith Estimate. The patient must
start the dispute within 120 calendar days of the date on the initial bill, and pays a $25 fee.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from dermcover.deadlines.due import DueDate

CITATION = "45 CFR 149.620"
THRESHOLD = Decimal("400")
WINDOW_DAYS = 120
FEE = Decimal("25")


class DisputeEligibility(BaseModel):
    model_config = ConfigDict(frozen=True)

    eligible: bool
    difference: Decimal
    threshold: Decimal = THRESHOLD
    citation: str = CITATION


def dispute_eligibility(expected_total: Decimal, billed_total: Decimal) -> DisputeEligibility:
    difference = billed_total - expected_total
    return DisputeEligibility(eligible=difference >= THRESHOLD, difference=difference)


def dispute_window(initial_bill: date) -> DueDate:
    return DueDate(
        rule="Start patient-provider dispute resolution",
        citation=CITATION,
        due=initial_bill + timedelta(days=WINDOW_DAYS),
        counted_from=initial_bill,
        note=(
            f"{WINDOW_DAYS} calendar days from the date on the initial bill; fee ${FEE}; open "
            f"only if the bill is at least ${THRESHOLD} over the estimate"
        ),
    )
