"""Every storage test runs twice, on a SQLite file and on PostgreSQL (`database_url`, in
tests/conftest.py); these fixtures build the repositories on top."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import URL
from store_support import Store

from dermcover.store.audit import AuditLog
from dermcover.store.cases import CaseRepository
from dermcover.store.database import Sessions, create_database_engine, session_factory
from dermcover.store.users import UserRepository


@pytest.fixture
def engine(database_url: URL) -> Iterator[Engine]:
    engine = create_database_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> Sessions:
    return session_factory(engine)


@pytest.fixture
def store(sessions: Sessions) -> Store:
    return Store(CaseRepository(sessions), UserRepository(sessions), AuditLog(sessions), sessions)


@pytest.fixture
def staff(store: Store) -> int:
    """The id of a staff member who does the work in a test."""
    return store.users.add_user("avery.front-desk@clinic.example", "correct horse battery").id
