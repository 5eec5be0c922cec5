"""The ICD-10-CM data dermcover uses, as a small indexed SQLite file built once from the tables.

Loading the `simple_icd_10_cm` package takes seconds and over a hundred megabytes, while a
coverage check needs a few codes. So the first use writes what the product needs (each category
and subcategory with its description, whether it can be billed, its inclusion terms and the
codes under it, in the order of the tables) into `icd10cm.sqlite3` in dermcover's cache folder:
$DERMCOVER_CACHE_DIR, else the user's cache folder (`~/.cache/dermcover` on Linux). Every
later process opens that file read-only and looks codes up by key.

The file records the package's version and the format it was written in; when either differs
from what is installed (a new ICD-10-CM release, a new dermcover), or the file cannot be read,
it is built again. A build writes a temporary file beside it and moves it into place, so a
reader never sees half a file and processes building at once do not collide. Where the cache
folder cannot be written, the table is built in memory for the process instead.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import warnings
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

CACHE_ENV = "DERMCOVER_CACHE_DIR"
FILE_NAME = "icd10cm.sqlite3"
PACKAGE = "simple-icd-10-cm"
# Raise when the schema or what goes into it changes: files of another format are rebuilt.
FORMAT = "1"

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE codes (
    code TEXT PRIMARY KEY,
    position INTEGER NOT NULL UNIQUE,
    description TEXT NOT NULL,
    billable INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE inclusion_terms (
    code TEXT NOT NULL, n INTEGER NOT NULL, term TEXT NOT NULL, PRIMARY KEY (code, n)
) WITHOUT ROWID;
CREATE TABLE children (
    code TEXT NOT NULL, n INTEGER NOT NULL, child TEXT NOT NULL, PRIMARY KEY (code, n)
) WITHOUT ROWID;
"""


def cache_dir() -> Path:
    """Where the built table lives: $DERMCOVER_CACHE_DIR, else the user's cache folder."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    from platformdirs import user_cache_path

    return user_cache_path("dermcover", appauthor=False)


def stamp() -> dict[str, str]:
    """What a built file must record to be current: the package's version and our format."""
    return {"package_version": version(PACKAGE), "format": FORMAT}


def open_table() -> sqlite3.Connection:
    """A read-only connection to the current table, building it first when needed."""
    path = cache_dir() / FILE_NAME
    wanted = stamp()
    connection = _open_current(path, wanted)
    if connection is not None:
        return connection
    try:
        build(path)
        connection = _open_current(path, wanted)
    except OSError:  # the cache folder cannot be written
        connection = None
    if connection is None:
        connection = sqlite3.connect(":memory:", check_same_thread=False)
        _fill(connection, _package())
    return connection


def _open_current(path: Path, wanted: dict[str, str]) -> sqlite3.Connection | None:
    if not path.is_file():
        return None
    try:
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
        recorded = dict(connection.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError:  # not a database, or not ours: build it again
        return None
    if recorded != wanted:
        connection.close()
        return None
    return connection


def build(path: Path) -> None:
    """Write the table to `path` from the installed package, replacing any file there at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        connection = sqlite3.connect(temporary)
        try:
            # Nothing to recover if the build stops half way: the file is thrown away.
            connection.execute("PRAGMA journal_mode = OFF")
            connection.execute("PRAGMA synchronous = OFF")
            _fill(connection, _package())
        finally:
            connection.close()
        os.chmod(temporary, 0o644)  # a cache anyone may read, like the package it comes from
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _fill(connection: sqlite3.Connection, tables: Any) -> None:
    # A block of one category shares its name ("B20"); the code is listed once, where it first
    # appears.
    codes = list(
        dict.fromkeys(
            str(code) for code in tables.get_all_codes() if tables.is_category_or_subcategory(code)
        )
    )
    with connection:
        connection.executescript(SCHEMA)
        connection.executemany("INSERT INTO meta VALUES (?, ?)", stamp().items())
        connection.executemany(
            "INSERT INTO codes VALUES (?, ?, ?, ?)",
            (
                (code, position, str(tables.get_description(code)), bool(tables.is_leaf(code)))
                for position, code in enumerate(codes)
            ),
        )
        connection.executemany(
            "INSERT INTO inclusion_terms VALUES (?, ?, ?)",
            _numbered(codes, tables.get_inclusion_term),
        )
        connection.executemany(
            "INSERT INTO children VALUES (?, ?, ?)", _numbered(codes, tables.get_children)
        )


def _numbered(codes: list[str], items_of: Any) -> Iterator[tuple[str, int, str]]:
    for code in codes:
        for n, item in enumerate(items_of(code)):
            yield code, n, str(item)


def _package() -> Any:
    # The package reads its data through a deprecated importlib API; that is its business, not
    # something our users should see.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm

    return simple_icd_10_cm
