"""Fixtures for the web tests: an app and a client, and for case records a database of each kind
with a staff account in it.

Tests that touch case records run twice, on a SQLite file and on PostgreSQL, like the storage
tests: the databases come from tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import URL

from dermcover.store.database import create_database_engine, session_factory
from dermcover.store.users import UserRepository

from .support import STAFF_EMAIL, STAFF_PASSWORD, make_app


@pytest.fixture
def app(sqlite_url: URL) -> FastAPI:
    """The app for tests that keep no records (API coverage, estimates, the patient pages)."""
    return make_app(sqlite_url)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def database_url(database_url: URL) -> URL:
    """A migrated database of each kind (tests/conftest.py) with one staff account in it."""
    engine = create_database_engine(database_url)
    UserRepository(session_factory(engine)).add_user(STAFF_EMAIL, STAFF_PASSWORD, name="Robin")
    engine.dispose()
    return database_url


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
