"""Kleene's strong three-valued logic: the truth tables the engine relies on."""

from __future__ import annotations

import pytest

from dermcover.engine.logic import MET, NOT_MET, UNKNOWN, all_of, any_of, from_bool, negate


@pytest.mark.parametrize(
    ("left", "right", "conjunction", "disjunction"),
    [
        (MET, MET, MET, MET),
        (MET, NOT_MET, NOT_MET, MET),
        (MET, UNKNOWN, UNKNOWN, MET),
        (NOT_MET, NOT_MET, NOT_MET, NOT_MET),
        (NOT_MET, UNKNOWN, NOT_MET, UNKNOWN),
        (UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN),
    ],
)
def test_truth_tables(left, right, conjunction, disjunction) -> None:  # type: ignore[no-untyped-def]
    assert all_of([left, right]) is conjunction
    assert all_of([right, left]) is conjunction
    assert any_of([left, right]) is disjunction
    assert any_of([right, left]) is disjunction


def test_negation_keeps_unknown_unknown() -> None:
    assert negate(MET) is NOT_MET
    assert negate(NOT_MET) is MET
    assert negate(UNKNOWN) is UNKNOWN


def test_empty_all_is_met_and_empty_any_is_not() -> None:
    assert all_of([]) is MET
    assert any_of([]) is NOT_MET


def test_a_missing_fact_is_unknown_not_false() -> None:
    assert from_bool(None) is UNKNOWN
    assert from_bool(False) is NOT_MET
