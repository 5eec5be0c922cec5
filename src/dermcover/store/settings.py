"""Where the case records live: one setting, read from the environment.

`DATABASE_URL` picks the database; without it the service keeps its records in `dermcover.db`, a
SQLite file in the working directory, so `make run` needs nothing set up. A plain
`postgresql://` URL is taken to mean the psycopg 3 driver, the one the project installs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from dermcover.inputs import InputError

DEFAULT_DATABASE_URL = "sqlite:///dermcover.db"

_DRIVER_FOR = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg"}
_SUPPORTED = ("sqlite", "postgresql")


def database_url(environ: Mapping[str, str] | None = None) -> URL:
    """The database to use: `DATABASE_URL` when set, else the SQLite file."""
    env = os.environ if environ is None else environ
    return parse_database_url(env.get("DATABASE_URL") or DEFAULT_DATABASE_URL)


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
