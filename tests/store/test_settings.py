"""DATABASE_URL: a SQLite file in the data directory, wherever a command is run, unless it names
PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from dermcover.inputs import InputError
from dermcover.store.migrate import upgrade_database
from dermcover.store.settings import database_url, described


def test_without_database_url_the_records_live_in_the_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    url = database_url({"DERMCOVER_DATA_DIR": str(data)})
    assert url.database == str(data / "dermcover.db")
    upgrade_database(url)
    assert (data / "dermcover.db").is_file()
    assert not (elsewhere / "dermcover.db").exists()  # the working directory plays no part


def test_the_working_directory_does_not_change_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DERMCOVER_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    first = tmp_path / "one"
    second = tmp_path / "two"
    first.mkdir()
    second.mkdir()
    monkeypatch.chdir(first)
    here = database_url({})
    monkeypatch.chdir(second)
    assert database_url({}) == here
    assert Path(here.database or "").is_absolute()


def test_a_data_directory_that_cannot_be_made_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(InputError, match=r"DERMCOVER_DATA_DIR = .*a-file/sub.*cannot be made"):
        database_url({"DERMCOVER_DATA_DIR": str(blocker / "sub")})


def test_described_names_the_database_without_its_password() -> None:
    text = described("postgresql://clinic:s3cret@db.internal:5432/records")
    assert text.startswith("database: postgresql+psycopg://clinic:")
    assert "db.internal:5432/records" in text
    assert "s3cret" not in text


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
