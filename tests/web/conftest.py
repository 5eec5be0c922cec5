"""Fixtures for the web tests: an app and a client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import URL, make_url

from .support import make_app


@pytest.fixture
def sqlite_url(tmp_path: Path) -> URL:
    return make_url(f"sqlite:///{tmp_path / 'dermcover.db'}")


@pytest.fixture
def app(sqlite_url: URL) -> FastAPI:
    """The app for tests that keep no records (API coverage, estimates, the patient pages)."""
    return make_app(sqlite_url)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
