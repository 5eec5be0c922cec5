"""ICD-10-CM diagnosis codes: a thin typed wrapper over the official tables.

The tables (and their descriptions, which are public-domain CMS text) come from the
`simple_icd_10_cm` package, which ships the April 2026 ICD-10-CM release. Loading them takes
about a second and a half, so the package is imported on first use, never at import time: CLI
commands that need no diagnosis stay fast.

Every function accepts a code with or without its dot and in any case (`l905`, `L90.5`).
A "code" here is a category or subcategory; the chapters ("12") and blocks ("L80-L99") of the
classification are not codes and are never valid.
"""

from __future__ import annotations

import warnings
from functools import cache
from typing import Any


@cache
def _tables() -> Any:
    # The package reads its data through a deprecated importlib API; that is its business, not
    # something our users should see on every run.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm

    return simple_icd_10_cm


def normalise(code: str) -> str:
    """The dotted, upper-case form of `code`: `" l905 "` -> `"L90.5"`, `"t23302s"` -> `"T23.302S"`.

    Pure string work: it does not load the tables, so it says nothing about validity.
    """
    compact = code.strip().upper().replace(".", "")
    return compact if len(compact) <= 3 else f"{compact[:3]}.{compact[3:]}"


def is_valid(code: str) -> bool:
    """True when `code` is an ICD-10-CM category or subcategory (billable or not)."""
    dotted = normalise(code)
    tables = _tables()
    return bool(tables.is_valid_item(dotted) and tables.is_category_or_subcategory(dotted))


def is_billable(code: str) -> bool:
    """True when `code` is valid and a leaf: specific enough to go on a claim."""
    return is_valid(code) and bool(_tables().is_leaf(normalise(code)))


def describe(code: str) -> str | None:
    """The official description of `code`, or None when it is not an ICD-10-CM code."""
    if not is_valid(code):
        return None
    return str(_tables().get_description(normalise(code)))


def children(code: str) -> list[str]:
    """The codes one level below `code` (empty for a billable code or an invalid one)."""
    if not is_valid(code):
        return []
    return [str(child) for child in _tables().get_children(normalise(code))]


def inclusion_terms(code: str) -> list[str]:
    """Other names the tables list for `code` ("Solar keratosis" for L57.0); may be empty."""
    if not is_valid(code):
        return []
    return [str(term) for term in _tables().get_inclusion_term(normalise(code))]


def all_codes() -> list[str]:
    """Every ICD-10-CM category and subcategory, dotted, in the order of the tables."""
    tables = _tables()
    return [str(code) for code in tables.get_all_codes() if tables.is_category_or_subcategory(code)]
