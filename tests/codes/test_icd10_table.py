"""The built ICD-10-CM table: made once, read without the package, rebuilt when out of date."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dermcover.codes import icd10_table

DESCRIPTIONS = {"L57": "Skin changes", "L57.0": "Actinic keratosis", "L57.1": "Actinic"}


class SmallTables:
    """Three codes in the shape of `simple_icd_10_cm`'s functions, so a build takes no time."""

    def get_all_codes(self) -> list[str]:
        return ["12", "L55-L59", *DESCRIPTIONS]

    def is_category_or_subcategory(self, code: str) -> bool:
        return code in DESCRIPTIONS

    def get_description(self, code: str) -> str:
        return DESCRIPTIONS[code]

    def is_leaf(self, code: str) -> bool:
        return code != "L57"

    def get_inclusion_term(self, code: str) -> list[str]:
        return ["Solar keratosis"] if code == "L57.0" else []

    def get_children(self, code: str) -> list[str]:
        return ["L57.0", "L57.1"] if code == "L57" else []


@pytest.fixture
def small_tables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setattr(icd10_table, "_package", SmallTables)
    monkeypatch.setenv(icd10_table.CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache" / icd10_table.FILE_NAME


def recorded(path: Path) -> dict[str, Any]:
    with sqlite3.connect(path) as connection:
        return dict(connection.execute("SELECT key, value FROM meta").fetchall())


def test_the_first_use_writes_the_table_with_the_package_version(small_tables: Path) -> None:
    table = icd10_table.open_table()
    assert small_tables.is_file()
    assert recorded(small_tables) == icd10_table.stamp()
    assert table.execute("SELECT code FROM codes ORDER BY position").fetchall() == [
        ("L57",),
        ("L57.0",),
        ("L57.1",),
    ]
    assert table.execute("SELECT term FROM inclusion_terms WHERE code = 'L57.0'").fetchall() == [
        ("Solar keratosis",)
    ]


def test_a_table_of_another_package_version_is_built_again(small_tables: Path) -> None:
    small_tables.parent.mkdir()
    with sqlite3.connect(small_tables) as old:
        old.executescript(icd10_table.SCHEMA)
        old.execute("INSERT INTO meta VALUES ('package_version', '0.1'), ('format', '1')")
    table = icd10_table.open_table()
    assert recorded(small_tables) == icd10_table.stamp()
    assert table.execute("SELECT count(*) FROM codes").fetchone() == (3,)


def test_a_file_that_is_not_a_table_is_built_again(small_tables: Path) -> None:
    small_tables.parent.mkdir()
    small_tables.write_bytes(b"half a file")
    icd10_table.open_table()
    assert recorded(small_tables) == icd10_table.stamp()
    assert os.listdir(small_tables.parent) == [icd10_table.FILE_NAME]  # no temporary left


def test_without_a_writable_cache_the_table_is_made_in_memory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(icd10_table, "_package", SmallTables)
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a folder")
    monkeypatch.setenv(icd10_table.CACHE_ENV, str(in_the_way / "cache"))
    table = icd10_table.open_table()
    assert table.execute("SELECT description FROM codes WHERE code = 'L57.0'").fetchone() == (
        "Actinic keratosis",
    )


def test_once_built_a_lookup_does_not_load_the_package() -> None:
    # The real table, built (once per machine) by the first lookup; the second process reads it.
    script = (
        "import sys; from dermcover.codes import icd10; "
        "assert icd10.describe('L57.0') == 'Actinic keratosis'; "
        "sys.exit(int('simple_icd_10_cm' in sys.modules))"
    )
    for _ in range(2):
        last = subprocess.run([sys.executable, "-c", script], check=False)
    assert last.returncode == 0
