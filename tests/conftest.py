"""Databases for the tests that store things: every such test runs twice, on a SQLite file and
on PostgreSQL.

PostgreSQL is the server on 127.0.0.1:5432 (user postgres, trust auth), as on development and CI
machines; DERMCOVER_TEST_POSTGRES names another. Each test session creates its own database
there and drops it at the end. Without a reachable server the PostgreSQL half is skipped with
the reason, unless DERMCOVER_REQUIRE_POSTGRES=1 (CI sets it), when it fails instead.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

from dermcover.store.database import create_database_engine
from dermcover.store.migrate import upgrade_database
from dermcover.store.models import Base

# The server's maintenance database, where the session's test database is created.
SERVER = os.environ.get(
    "DERMCOVER_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[URL]:
    server = create_engine(
        SERVER, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    name = f"dermcover_test_{uuid.uuid4().hex[:12]}"
    try:
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        server.dispose()
        where = make_url(SERVER).render_as_string(hide_password=True)
        reason = f"PostgreSQL at {where} is not reachable ({type(exc.orig).__name__})"
        if os.environ.get("DERMCOVER_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{reason}, and DERMCOVER_REQUIRE_POSTGRES=1 requires it")
        pytest.skip(reason)
    try:
        yield make_url(SERVER).set(database=name)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file the migrations have made, once a session: they take 0.1-0.2 s a run, and
    some hundreds of tests each want a fresh database. (tests/store/test_migrations.py checks
    such a file against the models, and runs the migrations down and up again on its copy.)"""
    path = tmp_path_factory.mktemp("migrated") / "dermcover.db"
    upgrade_database(make_url(f"sqlite:///{path}"))
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, migrated_sqlite: Path) -> URL:
    """A fresh, migrated SQLite file: a copy of the session's migrated one."""
    path = tmp_path / "dermcover.db"
    source, copy = sqlite3.connect(migrated_sqlite), sqlite3.connect(path)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    return make_url(f"sqlite:///{path}")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> Iterator[URL]:
    """A migrated, empty database: a fresh SQLite file, or the session's PostgreSQL database
    emptied after each test."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_url")
        return
    url: URL = request.getfixturevalue("postgres_url")
    upgrade_database(url)
    yield url
    engine = create_database_engine(url)
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        # The clinic the migrations create, as a freshly migrated database has it.
        connection.execute(
            text(
                "INSERT INTO clinics (slug, name, created_at) "
                "VALUES ('default', 'Default clinic', now())"
            )
        )
    engine.dispose()


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """The one Spark session every Spark test shares: local mode on two threads, no UI, few
    shuffle partitions (starting Spark costs seconds; a second session would cost them again)."""
    from dermcover.batch.spark_session import spark_session

    session = spark_session("local[2]", app_name="dermcover tests")
    session.conf.set("spark.sql.shuffle.partitions", "2")
    yield session
    session.stop()
