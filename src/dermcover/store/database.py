"""Engines and sessions: how the repositories reach the database.

Every engine is made with `hide_parameters=True`, so neither SQL logging nor the text of a
database error can ever carry a value from a case (a patient's name, a note) into a log; and the
rows SQLAlchemy logs at DEBUG (whole case documents) are dropped before any handler sees them.
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
        event.listen(engine, "connect", _sqlite_enforces_foreign_keys)
    return engine


def session_factory(engine: Engine) -> Sessions:
    """Sessions whose loaded objects stay readable after their transaction commits."""
    return sessionmaker(engine, expire_on_commit=False)


def _sqlite_enforces_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    # SQLite ignores foreign keys unless asked, per connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
