"""No lost updates: events recorded on one case at the same moment all land, and the stored
status and next deadline are what the whole timeline says, on SQLite as on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import Engine, text
from store_support import TODAY, Store, burn_case

from dermcover.store.timeline import EventKind, TimelineEvent, derive_status, next_deadline

EVENTS = [
    (EventKind.pa_submitted, date(2026, 1, 5)),
    (EventKind.pa_denied, date(2026, 1, 20)),
    (EventKind.appeal_filed, date(2026, 2, 2)),
    (EventKind.pa_denied, date(2026, 3, 3)),
    (EventKind.pa_submitted, date(2026, 4, 1)),
    (EventKind.peer_to_peer_scheduled, date(2026, 4, 8)),
    (EventKind.appeal_filed, date(2026, 5, 6)),
    (EventKind.external_review_requested, date(2026, 6, 1)),
]


def test_concurrent_events_leave_the_status_and_deadline_the_timeline_gives(
    store: Store, staff: int
) -> None:
    case_id = store.cases.create_case(burn_case(), actor=staff, today=TODAY).id
    start = threading.Barrier(len(EVENTS))
    failures: list[BaseException] = []

    def record(kind: EventKind, on: date) -> None:
        start.wait()
        try:
            store.cases.add_event(case_id, kind, on, actor=staff, today=TODAY)
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=record, args=event) for event in EVENTS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []

    view = store.cases.get_case(case_id, actor=staff)
    assert view is not None
    assert sorted((e.kind, e.on) for e in view.events) == sorted(EVENTS)
    timeline = [TimelineEvent(e.id, e.kind, e.on, e.deadlines) for e in view.events]
    expected_next = next_deadline(timeline)
    [row] = store.cases.list_cases(actor=staff)
    assert row.status is derive_status(view.case, view.determination, timeline)
    assert row.next_deadline == (expected_next.due if expected_next else None)
    assert view.status is row.status


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 15_000
