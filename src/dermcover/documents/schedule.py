"""When the care happens: the schedule a letter's treatment plan and a Good Faith Estimate use.

```yaml
scheduled_on: 2026-11-23      # the day the first session was booked (starts the GFE clock)
requested_on: null            # or: the day the patient asked for an estimate without booking
first_session: 2026-12-07     # the (first) service date
interval: {every: 4, unit: weeks}   # between sessions of a series
location: "Suite 210, 415 Harbor Way, Portland, OR 97201"   # default: the provider's address
separately_scheduled: []      # care expected before or after that is booked on its own; [] = none
self_pay_requested: true      # an insured patient who asks that no claim go to the plan
pricing: package              # package | per_session; default: the cheaper self-pay price
```

Like the case, a field left out is unknown, and an empty list is a known "none".
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from dateutil.relativedelta import relativedelta
from pydantic import Field, model_validator

from dermcover.case import Contract


class IntervalUnit(StrEnum):
    days = "days"
    weeks = "weeks"
    months = "months"


class Interval(Contract):
    every: Annotated[int, Field(ge=1, le=365)]
    unit: IntervalUnit

    def step(self, count: int) -> relativedelta:
        """`count` intervals, as a calendar step (months keep the day of the month)."""
        if self.unit is IntervalUnit.months:
            return relativedelta(months=self.every * count)
        days = self.every * count * (7 if self.unit is IntervalUnit.weeks else 1)
        return relativedelta(days=days)

    @property
    def text(self) -> str:
        """`every 4 weeks`, `every month`."""
        unit = self.unit.value
        if self.every == 1:
            return f"every {unit.removesuffix('s')}"
        return f"every {self.every} {unit}"


class SeparateService(Contract):
    """Care expected before or after the period of care that is scheduled on its own."""

    description: str = Field(min_length=1)
    code: str | None = None
    timing: str | None = Field(default=None, description="e.g. 'after the series', 'in 2027'")


class Pricing(StrEnum):
    package = "package"
    per_session = "per_session"


class Schedule(Contract):
    scheduled_on: date | None = Field(
        default=None, description="The day the first session was booked."
    )
    requested_on: date | None = Field(
        default=None, description="The day the patient asked for a Good Faith Estimate."
    )
    first_session: date | None = Field(default=None, description="The (first) service date.")
    interval: Interval | None = None
    location: str | None = Field(
        default=None, description="Where the care is given; default: the provider's address."
    )
    separately_scheduled: list[SeparateService] | None = Field(
        default=None, description="Care expected before or after, booked separately; [] = none."
    )
    self_pay_requested: bool | None = Field(
        default=None, description="An insured patient has asked that no claim go to the plan."
    )
    pricing: Pricing | None = Field(
        default=None, description="package or per_session; default: the cheaper self-pay price."
    )

    @model_validator(mode="after")
    def _booked_before_the_service(self) -> Schedule:
        if (
            self.scheduled_on is not None
            and self.first_session is not None
            and self.first_session < self.scheduled_on
        ):
            raise ValueError(
                f"first_session {self.first_session.isoformat()} is before scheduled_on "
                f"{self.scheduled_on.isoformat()}; a session is booked before it happens"
            )
        return self

    def session_dates(self, sessions: int) -> list[date] | None:
        """The expected date of each session, or None when the dates cannot be known."""
        if self.first_session is None:
            return None
        if sessions == 1:
            return [self.first_session]
        if self.interval is None:
            return None
        interval = self.interval
        return [self.first_session + interval.step(n) for n in range(sessions)]
