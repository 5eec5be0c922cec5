"""Fixtures for the web tests: an app and a client, and for case records a database of each kind
with a staff account in it.

Tests that touch case records run twice, on a SQLite file and on PostgreSQL, like the storage
tests (tests/store/conftest.py): the PostgreSQL server is the one on 127.0.0.1:5432 (user
postgres, trust auth); each test session makes its own database there and drops it at the end.
Without a reachable server that half is skipped, unless DERMCOVER_REQUIRE_POSTGRES=1.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

from dermcover.store.database import create_database_engine, session_factory
from dermcover.store.migrate import upgrade_database
from dermcover.store.models import Base
from dermcover.store.users import UserRepository

from .support import STAFF_EMAIL, STAFF_PASSWORD, make_app

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> URL:
    url = make_url(f"sqlite:///{tmp_path / 'dermcover.db'}")
    upgrade_database(url)
    return url


@pytest.fixture
def app(sqlite_url: URL) -> FastAPI:
    """The app for tests that keep no records (API coverage, estimates, the patient pages)."""
    return make_app(sqlite_url)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[URL]:
    server = create_engine(
        SERVER, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    name = f"dermcover_webtest_{uuid.uuid4().hex[:12]}"
    try:
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        server.dispose()
        reason = f"PostgreSQL at 127.0.0.1:5432 is not reachable ({type(exc.orig).__name__})"
        if os.environ.get("DERMCOVER_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{reason}, and DERMCOVER_REQUIRE_POSTGRES=1 requires it")
        pytest.skip(reason)
    try:
        yield make_url(SERVER).set(database=name)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> Iterator[URL]:
    """A migrated database of each kind with one staff account (STAFF_EMAIL) in it."""
    if request.param == "sqlite":
        url: URL = request.getfixturevalue("sqlite_url")
    else:
        url = request.getfixturevalue("postgres_url")
        upgrade_database(url)
    engine = create_database_engine(url)
    UserRepository(session_factory(engine)).add_user(STAFF_EMAIL, STAFF_PASSWORD, name="Robin")
    engine.dispose()
    yield url
    if request.param == "postgresql":
        engine = create_database_engine(url)
        tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()


@pytest.fixture
def records_client(database_url: URL) -> Iterator[TestClient]:
    """A client of an app whose database has a staff account; not signed in."""
    with TestClient(make_app(database_url), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def staff_client(records_client: TestClient) -> TestClient:
    """Signed in through the API; the CSRF token rides along as a default header."""
    response = records_client.post(
        "/api/v1/session", json={"email": STAFF_EMAIL, "password": STAFF_PASSWORD}
    )
    assert response.status_code == 200, response.text
    records_client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return records_client
