"""The storage the web app works with: one engine per app, and the store's repositories on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine

from dermcover.store.audit import AuditLog
from dermcover.store.calendars import CalendarFeeds
from dermcover.store.cases import CaseRepository
from dermcover.store.clinics import ClinicRepository
from dermcover.store.database import create_database_engine, session_factory
from dermcover.store.prior_auths import CoverageAssertions, PriorAuthorizations
from dermcover.store.sessions import ABSOLUTE_TIMEOUT, IDLE_TIMEOUT, SessionStore
from dermcover.store.shared_checks import SharedChecks
from dermcover.store.throttle import SignInCounter
from dermcover.store.users import UserRepository


@dataclass(frozen=True)
class Records:
    engine: Engine
    cases: CaseRepository
    users: UserRepository
    audit: AuditLog
    clinics: ClinicRepository
    sessions: SessionStore
    throttle: SignInCounter
    prior_auths: PriorAuthorizations
    assertions: CoverageAssertions
    calendars: CalendarFeeds
    shared: SharedChecks

    @classmethod
    def open(
        cls,
        database_url: str,
        *,
        migrate: bool = False,
        idle: timedelta = IDLE_TIMEOUT,
        absolute: timedelta = ABSOLUTE_TIMEOUT,
    ) -> Records:
        if migrate:
            # Alembic only when asked: a server worker whose schema is already current (serve
            # migrates before it starts them) does not carry it.
            from dermcover.store.migrate import upgrade_database

            upgrade_database(database_url)
        engine = create_database_engine(database_url)
        sessions = session_factory(engine)
        return cls(
            engine,
            CaseRepository(sessions),
            UserRepository(sessions),
            AuditLog(sessions),
            ClinicRepository(sessions),
            SessionStore(sessions, idle=idle, absolute=absolute),
            SignInCounter(sessions),
            PriorAuthorizations(sessions),
            CoverageAssertions(sessions),
            CalendarFeeds(sessions),
            SharedChecks(sessions),
        )

    def close(self) -> None:
        self.engine.dispose()
