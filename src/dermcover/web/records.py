"""The storage the web app works with: one engine per app, and the store's repositories on it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from dermcover.store.audit import AuditLog
from dermcover.store.calendars import CalendarFeeds
from dermcover.store.cases import CaseRepository
from dermcover.store.database import create_database_engine, session_factory
from dermcover.store.migrate import upgrade_database
from dermcover.store.prior_auths import CoverageAssertions, PriorAuthorizations
from dermcover.store.shared_checks import SharedChecks
from dermcover.store.users import UserRepository


@dataclass(frozen=True)
class Records:
    engine: Engine
    cases: CaseRepository
    users: UserRepository
    audit: AuditLog
    prior_auths: PriorAuthorizations
    assertions: CoverageAssertions
    calendars: CalendarFeeds
    shared: SharedChecks

    @classmethod
    def open(cls, database_url: str, *, migrate: bool = False) -> Records:
        if migrate:
            upgrade_database(database_url)
        engine = create_database_engine(database_url)
        sessions = session_factory(engine)
        return cls(
            engine,
            CaseRepository(sessions),
            UserRepository(sessions),
            AuditLog(sessions),
            PriorAuthorizations(sessions),
            CoverageAssertions(sessions),
            CalendarFeeds(sessions),
            SharedChecks(sessions),
        )

    def close(self) -> None:
        self.engine.dispose()
