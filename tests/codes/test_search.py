"""Finding ICD-10-CM codes from plain words."""

from __future__ import annotations

import marshal
import subprocess
import sys

import pytest

from dermcover.codes import search
from dermcover.codes.search import search_icd10


def codes(query: str, limit: int = 10) -> list[str]:
    return [match.code for match in search_icd10(query, limit)]


def test_burn_scar_of_the_left_hand_finds_left_hand_burn_sequelae_first() -> None:
    # ICD-10-CM codes a burn scar as the burn's sequela, 7th character S (research 1.12).
    for match in search_icd10("burn scar left hand", 5):
        assert match.code.startswith("T23.")
        assert match.code.endswith("S")
        assert "left hand" in match.description
        assert match.billable


def test_the_third_degree_left_hand_sequela_is_near_the_top() -> None:
    assert "T23.302S" in codes("third degree burn scar left hand", 5)


def test_actinic_keratosis_comes_first_for_its_own_name() -> None:
    assert codes("actinic keratosis")[0] == "L57.0"
    assert codes("Actinic keratoses")[0] == "L57.0"


def test_melasma_finds_chloasma() -> None:
    # The tables call melasma "Chloasma" (research 2.2).
    assert codes("melasma")[0] == "L81.1"


def test_acne_scars_find_the_scar_code() -> None:
    # ICD-10-CM has no acne-scar code: research 2.2 codes acne scars as L90.5 beside L70.0.
    assert codes("acne scars")[0] == "L90.5"
    assert codes("acne scarring")[0] == "L90.5"
    assert codes("acne")[0] == "L70.0"


def test_lay_words_find_the_tables_words() -> None:
    assert codes("stretch marks")[0] == "L90.6"
    assert codes("port wine stain")[0] == "Q82.5"  # inclusion term "Portwine Nevus"


def test_billable_codes_rank_above_their_header() -> None:
    found = codes("rosacea")
    assert found.index("L71.9") < found.index("L71")


def test_a_match_carries_the_official_description_and_billable_flag() -> None:
    match = search_icd10("actinic keratosis", 1)[0]
    assert match.description == "Actinic keratosis"
    assert match.billable is True
    assert 0 < match.score <= 1


def test_limit_caps_the_answer() -> None:
    assert len(search_icd10("burn", 3)) == 3


def test_a_code_as_query_lists_it_and_what_lies_under_it() -> None:
    found = codes("l57", 20)
    assert found[0] == "L57"
    assert {"L57.0", "L57.8", "L57.9"} <= set(found)


def test_each_code_appears_once_in_an_answer() -> None:
    # B20 is both a category and its own one-category block; it used to be listed twice.
    assert [match.code for match in search_icd10("B20")] == ["B20"]
    hiv = [match.code for match in search_icd10("hiv")]
    assert len(hiv) == len(set(hiv))


def test_words_the_tables_never_use_find_nothing() -> None:
    assert search_icd10("zzqx") == []


@pytest.mark.parametrize("query", ["", "   ", "of the"])
def test_a_query_with_no_words_is_refused(query: str) -> None:
    with pytest.raises(ValueError, match="no words"):
        search_icd10(query)


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="limit"):
        search_icd10("burn", 0)


def test_a_saved_index_reads_back_as_it_was_built() -> None:
    built = search._index()
    read = search._Index.from_saved(marshal.loads(marshal.dumps(built.saved())))
    assert (read.size, read.billable, read.skin, read.lengths) == (
        built.size,
        built.billable,
        built.skin,
        built.lengths,
    )
    assert read.in_description == built.in_description
    assert read.in_inclusion == built.in_inclusion


def test_a_damaged_saved_index_is_built_again() -> None:
    saved = search._saved_index()
    search._index()  # saved by now, unless the cache cannot be written
    saved.write_bytes(b"not an index")
    script = (
        "from dermcover.codes.search import search_icd10; "
        "print(search_icd10('actinic keratosis', 1)[0].code)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout.strip() == "L57.0"
    assert marshal.loads(saved.read_bytes())["size"] == search._index().size
