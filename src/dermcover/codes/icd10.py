"""ICD-10-CM diagnosis codes: a thin typed wrapper over the official tables.

The tables (and their descriptions, which are public-domain CMS text) come from the
`simple_icd_10_cm` package, which ships the April 2026 ICD-10-CM release. Loading that package
takes seconds, so it is read once into a small indexed file (`icd10_table`) and every lookup
here is a keyed read of that file, opened on first use, never at import time: CLI commands that
need no diagnosis do not open it, and those that do pay milliseconds.

Every function accepts a code with or without its dot and in any case (`l905`, `L90.5`).
A "code" here is a category or subcategory; the chapters ("12") and blocks ("L80-L99") of the
classification are not codes and are never valid.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3

_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Entry:
    """One code as the tables give it; `position` is its place in the order of the tables."""

    position: int
    code: str
    description: str
    billable: bool
    inclusion_terms: tuple[str, ...]


@cache
def _table() -> sqlite3.Connection:
    from dermcover.codes.icd10_table import open_table

    return open_table()


def _after_fork() -> None:
    """A forked process (the web service's helpers) gets a lock of its own and its own
    connection: the parent's lock may have been held by another thread at the fork, and an
    SQLite connection must not be shared across processes."""
    global _lock
    _lock = threading.Lock()
    _table.cache_clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


def _query(sql: str, *parameters: str | int) -> list[tuple[str | int, ...]]:
    with _lock:  # one connection for the process; its threads take turns
        return _table().execute(sql, parameters).fetchall()


def normalise(code: str) -> str:
    """The dotted, upper-case form of `code`: `" l905 "` -> `"L90.5"`, `"t23302s"` -> `"T23.302S"`.

    Pure string work: it does not load the tables, so it says nothing about validity.
    """
    compact = code.strip().upper().replace(".", "")
    return compact if len(compact) <= 3 else f"{compact[:3]}.{compact[3:]}"


@lru_cache(maxsize=8192)
def _row(dotted: str) -> tuple[str, bool] | None:
    rows = _query("SELECT description, billable FROM codes WHERE code = ?", dotted)
    if not rows:
        return None
    description, billable = rows[0]
    return str(description), bool(billable)


def is_valid(code: str) -> bool:
    """True when `code` is an ICD-10-CM category or subcategory (billable or not)."""
    return _row(normalise(code)) is not None


def is_billable(code: str) -> bool:
    """True when `code` is valid and a leaf: specific enough to go on a claim."""
    row = _row(normalise(code))
    return row is not None and row[1]


def describe(code: str) -> str | None:
    """The official description of `code`, or None when it is not an ICD-10-CM code."""
    row = _row(normalise(code))
    return None if row is None else row[0]


def children(code: str) -> list[str]:
    """The codes one level below `code` (empty for a billable code or an invalid one)."""
    rows = _query("SELECT child FROM children WHERE code = ? ORDER BY n", normalise(code))
    return [str(child) for (child,) in rows]


def inclusion_terms(code: str) -> list[str]:
    """Other names the tables list for `code` ("Solar keratosis" for L57.0); may be empty."""
    rows = _query("SELECT term FROM inclusion_terms WHERE code = ? ORDER BY n", normalise(code))
    return [str(term) for (term,) in rows]


def all_codes() -> list[str]:
    """Every ICD-10-CM category and subcategory, dotted, in the order of the tables."""
    return [str(code) for (code,) in _query("SELECT code FROM codes ORDER BY position")]


def entries(batch: int = 5000) -> Iterator[Entry]:
    """Every code with its description, billability and inclusion terms, in table order: what
    a search index is built from. Read a batch at a time, so building an index never holds
    all the tables' text at once."""
    (count,) = _query("SELECT count(*) FROM codes")[0]
    for first in range(0, int(count), batch):
        last = first + batch - 1
        terms: dict[int, list[str]] = {}
        for position, term in _query(
            "SELECT c.position, t.term FROM inclusion_terms t JOIN codes c ON c.code = t.code "
            "WHERE c.position BETWEEN ? AND ? ORDER BY c.position, t.n",
            first,
            last,
        ):
            terms.setdefault(int(position), []).append(str(term))
        for position, code, description, billable in _query(
            "SELECT position, code, description, billable FROM codes "
            "WHERE position BETWEEN ? AND ? ORDER BY position",
            first,
            last,
        ):
            yield Entry(
                int(position),
                str(code),
                str(description),
                bool(billable),
                tuple(terms.get(int(position), ())),
            )


def at_positions(positions: Iterable[int]) -> dict[int, tuple[str, str, bool]]:
    """Code, description and billability of the codes at `positions` in the order of the
    tables (the places `entries()` gives)."""
    wanted = list(positions)
    found: dict[int, tuple[str, str, bool]] = {}
    for start in range(0, len(wanted), 500):  # within SQLite's limit on parameters
        chunk = wanted[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        for position, code, description, billable in _query(
            f"SELECT position, code, description, billable FROM codes WHERE position IN ({marks})",
            *chunk,
        ):
            found[int(position)] = (str(code), str(description), bool(billable))
    return found


def with_prefix(prefix: str) -> list[tuple[int, str]]:
    """(position, code) of every code that starts with `prefix` (dotted, upper case)."""
    if not prefix:
        return []
    after = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    rows = _query(
        "SELECT position, code FROM codes WHERE code >= ? AND code < ? ORDER BY position",
        prefix,
        after,
    )
    return [(int(position), str(code)) for position, code in rows]
