"""The ICD-10-CM wrapper: validity, billability and descriptions from the official tables."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dermcover.codes import icd10


@pytest.mark.parametrize(
    ("written", "dotted"),
    [("l905", "L90.5"), (" T23302s ", "T23.302S"), ("L57.0", "L57.0"), ("l57", "L57")],
)
def test_normalise_accepts_any_case_with_or_without_the_dot(written: str, dotted: str) -> None:
    assert icd10.normalise(written) == dotted


@pytest.mark.parametrize("code", ["L90.5", "l905", "L57", "T23.302S", "Z41.1", "E11.621"])
def test_real_codes_are_valid(code: str) -> None:
    assert icd10.is_valid(code)


@pytest.mark.parametrize(
    "code",
    [
        "T95.1",  # WHO ICD-10 only (research 1.12)
        "T95",
        "17320",  # a procedure code shape, not a diagnosis
        "L90.55",
        "12",  # a chapter of the classification, not a code
        "L80-L99",  # a block, not a code
        "",
    ],
)
def test_codes_outside_icd10cm_are_not_valid(code: str) -> None:
    assert not icd10.is_valid(code)


def test_only_leaf_codes_are_billable() -> None:
    assert icd10.is_billable("L57.0")
    assert icd10.is_billable("t23302s")
    assert not icd10.is_billable("L57")  # header over L57.0-L57.9
    assert not icd10.is_billable("T23.302")  # needs its 7th character
    assert not icd10.is_billable("T95.1")


def test_describe_gives_the_official_text_or_none() -> None:
    assert icd10.describe("L57.0") == "Actinic keratosis"
    assert icd10.describe("l811") == "Chloasma"
    assert icd10.describe("T95.1") is None


def test_children_of_a_header_and_of_a_leaf() -> None:
    assert icd10.children("T23.302") == ["T23.302A", "T23.302D", "T23.302S"]
    assert "L57.0" in icd10.children("L57")
    assert icd10.children("L57.0") == []
    assert icd10.children("T95") == []


def test_inclusion_terms_name_the_other_words_for_a_code() -> None:
    assert "Portwine Nevus" in icd10.inclusion_terms("Q82.5")
    assert icd10.inclusion_terms("T95.1") == []


def test_all_codes_holds_codes_only() -> None:
    codes = icd10.all_codes()
    assert "L57.0" in codes
    assert "T23.302S" in codes
    assert "L80-L99" not in codes
    assert "12" not in codes


def test_importing_the_wrapper_does_not_load_the_tables() -> None:
    # Loading the tables takes over a second; commands that need no diagnosis must not pay it.
    script = (
        "import sys, dermcover.codes.icd10, dermcover.cli; "
        "sys.exit(int('simple_icd_10_cm' in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", script], check=False).returncode == 0


def test_all_codes_lists_each_code_once() -> None:
    # B20 is both a category and the one-category block it sits in; it is one code.
    codes = icd10.all_codes()
    assert codes.count("B20") == 1
    assert len(codes) == len(set(codes))
