"""Business days: Monday to Friday, less US federal holidays and the clinic's own closures.

The federal holidays are the eleven of 5 U.S.C. 6103(a), from the `holidays` package. A holiday
that falls on a weekend is "observed" on the Friday before or the Monday after under 6103(b), but
that rule governs federal pay and leave; whether an observed day stops a regulatory clock is not
settled (research §4.5). The default counts only the holidays themselves, which gives the earlier,
safer date; `observed_holidays=True` counts the observed days as well.

The regulation text defining "business day" for Good Faith Estimates was not read (research §3.2),
so each clinic can add its own closures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

import holidays

SATURDAY, SUNDAY = 5, 6


@dataclass(frozen=True)
class BusinessCalendar:
    observed_holidays: bool = False
    closures: frozenset[date] = field(default_factory=frozenset)
    weekend: frozenset[int] = frozenset({SATURDAY, SUNDAY})

    @classmethod
    def for_clinic(
        cls, closures: Iterable[date] = (), *, observed_holidays: bool = False
    ) -> BusinessCalendar:
        return cls(observed_holidays=observed_holidays, closures=frozenset(closures))

    @cached_property
    def _federal(self) -> holidays.HolidayBase:
        return holidays.country_holidays("US", observed=self.observed_holidays)

    def holiday(self, day: date) -> str | None:
        """The name of the federal holiday (or clinic closure) on `day`, if any."""
        if day in self.closures:
            return "clinic closed"
        name = self._federal.get(day)
        return str(name) if name is not None else None

    def is_business_day(self, day: date) -> bool:
        return day.weekday() not in self.weekend and self.holiday(day) is None

    def on_or_after(self, day: date) -> date:
        """`day` itself if it is a business day, else the next one."""
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def add_business_days(self, start: date, count: int) -> date:
        """The `count`-th business day after `start` (before it, when `count` is negative)."""
        step = timedelta(days=1 if count >= 0 else -1)
        day, left = start, abs(count)
        while left:
            day += step
            if self.is_business_day(day):
                left -= 1
        return day

    def business_days_between(self, start: date, end: date, *, include_end: bool = True) -> int:
        """Business days strictly after `start`, up to `end` (included unless told otherwise)."""
        last = end if include_end else end - timedelta(days=1)
        count, day = 0, start + timedelta(days=1)
        while day <= last:
            count += self.is_business_day(day)
            day += timedelta(days=1)
        return count


FEDERAL = BusinessCalendar()
