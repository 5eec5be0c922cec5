"""A staff member's open deadlines as an iCalendar feed (RFC 5545), for any calendar app.

Each deadline is an all-day event on its due date with a stable UID, so a calendar that reads the
feed again updates an event rather than adding a second one. An event names the case by its
number and says what is due and on what basis; it carries no patient name, since calendars are
often synced to places a clinic does not control. The case page is one click away (URL).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from dermcover.store.cases import CaseSummary
from dermcover.store.timeline import Deadline


def deadlines_calendar(
    entries: list[tuple[CaseSummary, Deadline]], base_url: str, *, stamp: datetime | None = None
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//dermcover//deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "dermcover deadlines")
    moment = stamp or datetime.now(UTC)
    for summary, deadline in entries:
        event = Event()
        event.add("uid", f"case-{summary.id}-{deadline.clock.value}-{deadline.due}@dermcover")
        event.add("dtstamp", moment)
        event.add("dtstart", deadline.due)
        event.add("dtend", deadline.due + timedelta(days=1))
        event.add("summary", f"Case #{summary.id}: {deadline.label}")
        event.add(
            "description", f"{deadline.basis}" + (f" {deadline.note}" if deadline.note else "")
        )
        event.add("url", f"{base_url.rstrip('/')}/clinic/cases/{summary.id}")
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return bytes(calendar.to_ical())
