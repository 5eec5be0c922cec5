"""Where the case records live: one documented place, whatever the working directory.

`DATABASE_URL` picks the database. Without it the records are in `dermcover.db`, a SQLite file
in dermcover's data directory: `DERMCOVER_DATA_DIR` when set, else the platform's user data
directory (`~/.local/share/dermcover` on Linux, `~/Library/Application Support/dermcover` on
macOS). So `dermcover serve` and `dermcover users add` find the same records from wherever they
are run, and every command that opens the database says which one it uses (`described`).

A plain `postgresql://` URL is taken to mean the psycopg 3 driver, the one the project installs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from platformdirs import user_data_path
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from dermcover.inputs import InputError

DATABASE_FILE = "dermcover.db"

_DRIVER_FOR = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg"}
_SUPPORTED = ("sqlite", "postgresql")


def data_directory(environ: Mapping[str, str] | None = None) -> Path:
    """dermcover's own directory: `DERMCOVER_DATA_DIR`, else the platform's user data one."""
    env = os.environ if environ is None else environ
    given = env.get("DERMCOVER_DATA_DIR", "").strip()
    return Path(given).expanduser().absolute() if given else user_data_path("dermcover")


def default_database_url(environ: Mapping[str, str] | None = None) -> str:
    """The SQLite file in the data directory (made if missing), as an absolute URL."""
    directory = data_directory(environ)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"DERMCOVER_DATA_DIR = {str(directory)!r}: cannot be made ({exc.strerror}); "
            "set it to a directory you can write to, or set DATABASE_URL"
        ) from None
    return f"sqlite:///{directory / DATABASE_FILE}"


def database_url(environ: Mapping[str, str] | None = None) -> URL:
    """The database to use: `DATABASE_URL` when set, else the SQLite file."""
    env = os.environ if environ is None else environ
    return parse_database_url(env.get("DATABASE_URL") or default_database_url(env))


def described(url: URL | str) -> str:
    """`database: ...` as a command prints it: the URL without its password."""
    parsed = parse_database_url(url) if isinstance(url, str) else url
    return f"database: {parsed.render_as_string(hide_password=True)}"


def parse_database_url(text: str) -> URL:
    """Parse and check a database URL; the error names the URL without its password."""
    try:
        url = make_url(text.strip())
    except ArgumentError:
        shown = text.split("@")[-1] if "@" in text else text
        raise InputError(
            f"DATABASE_URL = {shown!r}: not a database URL; "
            "allowed: sqlite:///FILE or postgresql://USER@HOST:PORT/DATABASE"
        ) from None
    drivername = _DRIVER_FOR.get(url.drivername, url.drivername)
    if drivername.split("+")[0] not in _SUPPORTED:
        raise InputError(
            f"DATABASE_URL = {url.render_as_string(hide_password=True)!r}: "
            f"database {url.get_backend_name()!r} is not supported; allowed: sqlite, postgresql"
        )
    return url.set(drivername=drivername)
