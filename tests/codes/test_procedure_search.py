"""Finding CPT and HCPCS codes from plain words."""

from __future__ import annotations

import pytest

from dermcover.codes.procedure_search import search_procedures


def codes(query: str, limit: int = 10) -> list[str]:
    return [match.code for match in search_procedures(query, limit)]


def test_microneedling_finds_the_unlisted_code_it_is_billed_with() -> None:
    # Research section 2: microneedling has no CPT code; 17999 is used for it.
    assert codes("microneedling")[0] == "17999"
    assert "15788" not in codes("microneedling")  # the peel code is a known miscoding


def test_a_word_being_typed_already_finds_its_codes() -> None:
    assert "17999" in codes("microneed")


def test_a_procedure_with_its_own_codes_finds_them_first() -> None:
    assert codes("fractional ablative laser")[:2] == ["0479T", "0480T"]
    assert set(codes("chemical peel face")[:2]) == {"15788", "15789"}
    assert codes("photodynamic")[:3] == ["96567", "96573", "96574"]


def test_a_code_finds_itself() -> None:
    hits = search_procedures("0479t")
    assert [hit.code for hit in hits] == ["0479T"]
    assert hits[0].kinds == ("fractional_ablative_laser",)
    assert hits[0].system == "CPT Category III"


def test_nothing_to_search_for_is_refused() -> None:
    with pytest.raises(ValueError, match="no words"):
        search_procedures("  ,, ")
    with pytest.raises(ValueError, match="at least 1"):
        search_procedures("peel", limit=0)
    assert codes("zebra") == []
