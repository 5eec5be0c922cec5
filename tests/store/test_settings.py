"""DATABASE_URL: a SQLite file in the working directory unless it names PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from dermcover.inputs import InputError
from dermcover.store.migrate import upgrade_database
from dermcover.store.settings import database_url


def test_without_database_url_the_records_live_in_dermcover_db_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    url = database_url({})
    assert url.render_as_string() == "sqlite:///dermcover.db"
    upgrade_database(url)
    assert (tmp_path / "dermcover.db").is_file()


def test_a_plain_postgresql_url_uses_the_installed_driver() -> None:
    url = database_url({"DATABASE_URL": "postgresql://clinic:s3cret@db.internal:5432/records"})
    assert url.drivername == "postgresql+psycopg"
    assert (url.host, url.port, url.database) == ("db.internal", 5432, "records")


def test_an_unsupported_database_is_named_without_its_password() -> None:
    with pytest.raises(InputError) as caught:
        database_url({"DATABASE_URL": "mysql://clinic:s3cret@db.internal/records"})
    message = str(caught.value)
    assert "database 'mysql' is not supported; allowed: sqlite, postgresql" in message
    assert "s3cret" not in message


def test_text_that_is_not_a_url_says_what_is_expected() -> None:
    with pytest.raises(InputError, match="not a database URL; allowed: sqlite:///FILE"):
        database_url({"DATABASE_URL": "records please"})
