"""A PAS submission is one transaction on both databases: the prior-authorization record, the
case it files, the case's events and every audit entry commit together, or nothing is left."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import URL

from dermcover.interop.cds_hooks.service import Desk
from dermcover.interop.pas.operations import PasStore, submit
from dermcover.interop.payers import payer_directory
from dermcover.store import cases as case_store
from dermcover.store.cases import CaseRepository
from dermcover.store.database import Sessions, create_database_engine, session_factory
from dermcover.store.models import (
    AuditEntry,
    CaseEvent,
    CaseRecord,
    PriorAuthorizationLogEntry,
    PriorAuthorizationRecord,
)
from dermcover.store.prior_auths import PriorAuthorizations
from dermcover.store.users import UserRepository

from .variants import PAS_DERMATOLOGY

TABLES = (PriorAuthorizationRecord, PriorAuthorizationLogEntry, CaseRecord, CaseEvent, AuditEntry)


@pytest.fixture
def sessions(database_url: URL) -> Iterator[Sessions]:
    engine = create_database_engine(database_url)
    yield session_factory(engine)
    engine.dispose()


def counts(sessions: Sessions) -> dict[str, int]:
    with sessions() as session:
        return {
            table.__tablename__: session.scalar(select(func.count()).select_from(table)) or 0
            for table in TABLES
        }


def test_a_failure_after_the_case_is_filed_leaves_nothing_behind(
    sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = PasStore(
        CaseRepository(sessions), UserRepository(sessions), PriorAuthorizations(sessions)
    )
    desk = Desk(payer_directory(), None, "http://testserver")
    store.actor()  # the service account exists before; making it is not part of a submission
    body = PAS_DERMATOLOGY["denial"][0]()  # decided on receipt: the case gets two events
    before = counts(sessions)

    real_clocks = case_store.clocks_for
    calls: list[Any] = []

    def second_event_fails(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        if len(calls) == 2:  # the record, the case and its first event are written by now
            raise RuntimeError("the database went away")
        return real_clocks(*args, **kwargs)

    monkeypatch.setattr(case_store, "clocks_for", second_event_fails)
    with pytest.raises(RuntimeError):
        submit(body, desk, store, client="https://ehr.example")
    assert len(calls) == 2
    assert counts(sessions) == before

    monkeypatch.setattr(case_store, "clocks_for", real_clocks)
    submit(body, desk, store, client="https://ehr.example")
    after = counts(sessions)
    assert after["prior_authorizations"] == before["prior_authorizations"] + 1
    assert after["case_events"] == before["case_events"] + 2
    with sessions() as session:
        [linked] = session.scalars(select(PriorAuthorizationRecord.case_id))
    assert linked is not None


def test_a_case_that_cannot_be_decided_leaves_no_record(sessions: Sessions) -> None:
    def broken(*_: Any) -> Any:
        raise RuntimeError("the engine failed")

    store = PasStore(
        CaseRepository(sessions, decide=broken),
        UserRepository(sessions),
        PriorAuthorizations(sessions),
    )
    store.actor()
    before = counts(sessions)
    with pytest.raises(RuntimeError):
        submit(
            PAS_DERMATOLOGY["approval"][0](),
            Desk(payer_directory(), None, "http://t"),
            store,
            client=None,
        )
    assert counts(sessions) == before


def test_two_first_requests_at_once_share_one_service_account(sessions: Sessions) -> None:
    class RacedUsers(UserRepository):
        """As if another request made the account between our look-up and our insert."""

        looked = 0

        def get_user_by_email(self, email: str) -> Any:
            self.looked += 1
            return None if self.looked == 1 else super().get_user_by_email(email)

    first = PasStore(
        CaseRepository(sessions), UserRepository(sessions), PriorAuthorizations(sessions)
    )
    raced = PasStore(CaseRepository(sessions), RacedUsers(sessions), PriorAuthorizations(sessions))
    made = first.actor()
    assert raced.actor() == made
