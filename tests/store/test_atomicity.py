"""A failure in the middle of a write leaves nothing behind: no case, no event, no audit entry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, func, select
from store_support import TODAY, Store, burn_case

from dermcover.case import Case
from dermcover.determination import Determination
from dermcover.store.cases import CaseRepository
from dermcover.store.database import Sessions
from dermcover.store.models import AuditEntry, CaseEvent, CaseRecord
from dermcover.store.timeline import CaseStatus, EventKind


class Boom(RuntimeError):
    pass


def count(sessions: Sessions, table: type[Any]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


@pytest.fixture
def audit_insert_fails() -> Iterator[None]:
    """The database refuses the audit entry: the last row of every write, flushed at commit."""

    def refuse(*_: Any) -> None:
        raise Boom("the audit entry could not be written")

    event.listen(AuditEntry, "before_insert", refuse)
    yield
    event.remove(AuditEntry, "before_insert", refuse)


def test_a_determination_that_raises_stores_no_case(store: Store, staff: int) -> None:
    def broken(case: Case, policy_id: str | None, today: date) -> Determination:
        raise Boom("policy pack unreadable")

    audit_before = count(store.sessions, AuditEntry)
    with pytest.raises(Boom):
        CaseRepository(store.sessions, decide=broken).create_case(
            burn_case(), actor=staff, today=TODAY
        )
    assert count(store.sessions, CaseRecord) == 0
    assert count(store.sessions, AuditEntry) == audit_before


def test_a_flush_error_after_the_case_row_is_written_stores_no_case(
    store: Store, staff: int, audit_insert_fails: None
) -> None:
    with pytest.raises(Boom):
        store.cases.create_case(burn_case(), actor=staff, today=TODAY)
    assert count(store.sessions, CaseRecord) == 0


def test_a_failed_event_leaves_the_case_as_it_was(
    store: Store, staff: int, request: pytest.FixtureRequest
) -> None:
    case_id = store.cases.create_case(burn_case(), actor=staff, today=TODAY).id
    request.getfixturevalue("audit_insert_fails")
    with pytest.raises(Boom):
        store.cases.add_event(
            case_id, EventKind.pa_denied, date(2026, 3, 2), actor=staff, today=TODAY
        )
    assert count(store.sessions, CaseEvent) == 0
    with store.sessions() as session:
        record = session.scalars(select(CaseRecord).where(CaseRecord.public_id == case_id)).one()
        assert record.status is CaseStatus.needs_prior_auth
        assert record.next_deadline is None
