"""The business calendar: weekends, 5 U.S.C. 6103(a) holidays, observed days, clinic closures."""

from __future__ import annotations

from datetime import date

from dermcover.deadlines.calendar import FEDERAL, BusinessCalendar

FEDERAL_HOLIDAYS_2025 = [
    date(2025, 1, 1),  # New Year's Day
    date(2025, 1, 20),  # Birthday of Martin Luther King, Jr. (third Monday of January)
    date(2025, 2, 17),  # Washington's Birthday (third Monday of February)
    date(2025, 5, 26),  # Memorial Day (last Monday of May)
    date(2025, 6, 19),  # Juneteenth
    date(2025, 7, 4),  # Independence Day
    date(2025, 9, 1),  # Labor Day (first Monday of September)
    date(2025, 10, 13),  # Columbus Day (second Monday of October)
    date(2025, 11, 11),  # Veterans Day
    date(2025, 11, 27),  # Thanksgiving Day (fourth Thursday of November)
    date(2025, 12, 25),  # Christmas Day
]


def test_the_eleven_federal_holidays_of_2025_are_not_business_days() -> None:
    for day in FEDERAL_HOLIDAYS_2025:
        assert not FEDERAL.is_business_day(day), day
    assert FEDERAL.is_business_day(date(2025, 12, 24))


def test_weekends_are_not_business_days() -> None:
    assert not FEDERAL.is_business_day(date(2025, 3, 8))
    assert not FEDERAL.is_business_day(date(2025, 3, 9))
    assert FEDERAL.is_business_day(date(2025, 3, 10))


def test_observed_days_count_only_when_the_clinic_says_so() -> None:
    friday_before_july_4_2026 = date(2026, 7, 3)  # 4 July 2026 is a Saturday
    assert FEDERAL.is_business_day(friday_before_july_4_2026)
    observed = BusinessCalendar(observed_holidays=True)
    assert not observed.is_business_day(friday_before_july_4_2026)


def test_a_clinic_closure_stops_the_count() -> None:
    clinic = BusinessCalendar.for_clinic([date(2025, 3, 5)])
    assert clinic.holiday(date(2025, 3, 5)) == "clinic closed"
    assert clinic.add_business_days(date(2025, 3, 3), 3) == date(2025, 3, 7)
    assert FEDERAL.add_business_days(date(2025, 3, 3), 3) == date(2025, 3, 6)


def test_counting_back_skips_holidays_too() -> None:
    assert FEDERAL.add_business_days(date(2025, 7, 7), -1) == date(2025, 7, 3)


def test_on_or_after_keeps_a_business_day_and_moves_the_rest() -> None:
    assert FEDERAL.on_or_after(date(2025, 3, 4)) == date(2025, 3, 4)
    assert FEDERAL.on_or_after(date(2025, 8, 30)) == date(2025, 9, 2)  # Sat, Sun, Labor Day
