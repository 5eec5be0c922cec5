"""Engines and sessions: how the repositories reach the database.

Every engine is made with `hide_parameters=True`, so neither SQL logging nor the text of a
database error can ever carry a value from a case (a patient's name, a note) into a log; and the
rows SQLAlchemy logs at DEBUG (whole case documents) are dropped before any handler sees them.

SQLite runs in WAL mode (readers never wait for the writer) with a busy timeout (a writer waits
its turn instead of failing), and enforces foreign keys.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from dermcover.store.settings import parse_database_url

Sessions = sessionmaker[Session]

SQL_LOGGER = "sqlalchemy.engine.Engine"


class NoResultRows(logging.Filter):
    """SQLAlchemy logs statements at INFO and the rows they return at DEBUG; keep only the
    statements, whose values are hidden anyway."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


def create_database_engine(url: URL | str) -> Engine:
    """An engine for `url` (SQLite or PostgreSQL), never logging statement parameters."""
    parsed = parse_database_url(url) if isinstance(url, str) else url
    sql_log = logging.getLogger(SQL_LOGGER)
    if not any(isinstance(f, NoResultRows) for f in sql_log.filters):
        sql_log.addFilter(NoResultRows())
    engine = create_engine(parsed, hide_parameters=True, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _configure_sqlite)
    return engine


def session_factory(engine: Engine) -> Sessions:
    """Sessions whose loaded objects stay readable after their transaction commits."""
    return sessionmaker(engine, expire_on_commit=False)


SQLITE_BUSY_TIMEOUT_MS = 15_000


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Per connection: SQLite ignores foreign keys unless asked, and fails at once on a locked
    # database unless given a busy timeout. WAL mode is a property of the file (set once).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode")
    if str(cursor.fetchone()[0]).lower() not in {"wal", "memory"}:
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
