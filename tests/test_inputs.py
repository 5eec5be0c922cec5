"""Every input path reads YAML or JSON the same way and explains what is wrong in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from dermcover.case import Case
from dermcover.inputs import InputError, field_path, load_model, load_model_text


def error_for(text: str) -> str:
    with pytest.raises(InputError) as caught:
        load_model_text(Case, text, "case.yaml")
    return str(caught.value)


def test_field_paths_read_like_the_case() -> None:
    assert field_path(("procedures", 0, "kind")) == "procedures[0].kind"
    assert field_path(()) == "(top level)"


def test_a_date_that_does_not_exist_names_its_line() -> None:
    message = error_for("procedures: [{kind: microneedling}]\npatient: {birth_date: 2025-02-30}\n")
    assert message.startswith("case.yaml:2: '2025-02-30' is not a date that exists")


def test_a_quoted_impossible_date_is_a_field_error() -> None:
    message = error_for(
        'procedures: [{kind: microneedling}]\npatient: {birth_date: "2025-02-30"}\n'
    )
    assert "patient.birth_date" in message


def test_json_is_read_too_with_lines() -> None:
    message = error_for('{\n  "procedures": [\n    {"kind": "facial"}\n  ]\n}\n')
    assert message.startswith("case.yaml:3: procedures[0].kind = 'facial'")


def test_several_problems_are_counted_not_dumped() -> None:
    message = error_for("procedures: [{kind: a}, {kind: b}]\n")
    assert "(and 1 more problem)" in message


def test_a_list_where_a_mapping_belongs_is_named() -> None:
    message = error_for("- procedures\n")
    assert "(top level)" in message


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("# " + "x" * 1_100_000, encoding="utf-8")
    with pytest.raises(InputError, match="larger than"):
        load_model(Case, big)


def test_a_file_that_is_not_text_is_refused(tmp_path: Path) -> None:
    binary = tmp_path / "case.yaml"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(InputError, match="not UTF-8"):
        load_model(Case, binary)


def test_diagnoses_are_read_in_one_spelling() -> None:
    case = load_model_text(
        Case,
        "procedures: [{kind: dermabrasion}]\ncondition: {diagnoses: [' l718', T23302s]}\n",
        "c",
    )
    assert case.condition is not None
    assert case.condition.diagnoses == ["L71.8", "T23.302S"]
