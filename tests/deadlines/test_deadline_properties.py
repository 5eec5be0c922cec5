"""Properties of the clocks that hold on any date (hypothesis)."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from dermcover.deadlines.calendar import FEDERAL, BusinessCalendar
from dermcover.deadlines.events import Event, EventDetails, PlanKind, deadlines_for
from dermcover.deadlines.external_review import federal_external_review, months_later
from dermcover.deadlines.good_faith_estimate import due_after_request, due_after_scheduling

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))
calendars = st.builds(
    BusinessCalendar.for_clinic,
    st.lists(days, max_size=5),
    observed_holidays=st.booleans(),
)


@given(day=days, calendar=calendars)
def test_external_review_never_ends_on_a_weekend_or_holiday(
    day: date, calendar: BusinessCalendar
) -> None:
    due = federal_external_review(day, calendar)
    assert due.rolls_forward
    assert calendar.is_business_day(due.due_date)
    window_end = months_later(day, 4)
    assert window_end <= due.due_date
    assert due.rolled_from in (None, window_end)


@given(day=days)
def test_four_months_later_is_the_same_day_or_the_first_of_the_fifth_month(day: date) -> None:
    later = months_later(day, 4)
    month = (day.month - 1 + 4) % 12 + 1
    if later.day == day.day:
        assert later.month == month
    else:
        assert (later.day, later.month) == (1, month % 12 + 1)


@given(day=days, ahead=st.integers(0, 40), calendar=calendars)
def test_good_faith_estimates_fall_due_on_business_days_before_the_service(
    day: date, ahead: int, calendar: BusinessCalendar
) -> None:
    service = calendar.add_business_days(day, ahead)
    due = due_after_scheduling(day, service, calendar)
    if due is not None:
        assert calendar.is_business_day(due.due_date)
        assert day < due.due_date < service
    assert calendar.is_business_day(due_after_request(day, calendar).due_date)


@given(day=days, event=st.sampled_from(list(Event)), plan=st.sampled_from(list(PlanKind)))
def test_every_rolling_due_date_is_a_business_day(day: date, event: Event, plan: PlanKind) -> None:
    details = EventDetails(service_date=FEDERAL.add_business_days(day, 12), window_days=60)
    try:
        result = deadlines_for(event, day, plan, details)
    except ValueError:
        return  # e.g. no Medicaid appeal rule on file
    for due in result.due:
        assert due.due_date >= day
        assert due.rule and due.citation
        if due.rolls_forward:
            assert FEDERAL.is_business_day(due.due_date)
