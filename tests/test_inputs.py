"""Every input path reads YAML or JSON the same way and explains what is wrong in one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dermcover.case import Case
from dermcover.inputs import (
    MAX_DEPTH,
    MAX_INTEGER_DIGITS,
    MAX_LIST_ITEMS,
    MAX_STRING_CHARS,
    InputError,
    bounded_integer,
    check_limits,
    field_path,
    json_within_limits,
    load_model,
    load_model_text,
    parse_text,
    unique_keys,
)


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


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("procedures: [{kind: microneedling, area_cm2: .inf}]\n", "procedures[0].area_cm2"),
        (
            "procedures: [{kind: microneedling}]\ncondition: {body_surface_percent: .nan}\n",
            "condition.body_surface_percent",
        ),
        (
            "procedures: [{kind: microneedling}]\nprior_treatments: [{name: x, months: .inf}]\n",
            "prior_treatments[0].months",
        ),
    ],
    ids=["area", "body-surface", "months"],
)
def test_an_infinite_or_undefined_measure_is_refused(text: str, field: str) -> None:
    message = error_for(text)
    assert f"{field} = " in message
    assert message.endswith("Input should be a finite number")


def test_several_problems_are_counted_not_dumped() -> None:
    message = error_for("procedures: [{kind: a}, {kind: b}]\n")
    assert "(and 1 more problem)" in message


def test_a_list_where_a_mapping_belongs_is_named() -> None:
    message = error_for("- procedures\n")
    assert "(top level)" in message
    assert "should be an object; its fields: id, payer, patient, procedures" in message


def test_a_value_where_a_section_belongs_names_the_sections_fields() -> None:
    message = error_for("procedures: [{kind: microneedling}]\npatient: 5\n")
    assert message == (
        "case.yaml:2: patient = 5: should be an object; its fields: name, age, birth_date, "
        "sex, state"
    )


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


def parsed(raw: bytes) -> Any:
    return json.loads(raw, parse_int=bounded_integer, object_pairs_hook=unique_keys)


def nested(depth: int) -> bytes:
    return b"[" * depth + b"1" + b"]" * depth


@pytest.mark.parametrize(
    ("raw", "what"),
    [
        (nested(MAX_DEPTH + 1), "nested deeper than 32 levels"),
        (b"[" + b",".join([b"0"] * (MAX_LIST_ITEMS + 1)) + b"]", "1,001 items"),
        (b'{"age": ' + b"9" * (MAX_INTEGER_DIGITS + 1) + b"}", "a number of 31 digits"),
        (b'{"id": "a\\u0000b"}', "holds a NUL character"),
        (b'{"id": "\\ud800"}', "holds a lone surrogate"),
        (b'{"\\u0000": 1}', "field name holds a NUL character"),
        (json.dumps({"id": "x" * (MAX_STRING_CHARS + 1)}).encode(), "text of 20,001 characters"),
    ],
)
def test_the_quick_look_at_a_json_body_never_passes_what_the_limits_refuse(
    raw: bytes, what: str
) -> None:
    assert not json_within_limits(raw)
    with pytest.raises(InputError, match=what):
        check_limits(parsed(raw), "request body")


@pytest.mark.parametrize(
    "raw",
    [
        nested(MAX_DEPTH),
        b"[" + b",".join([b"0"] * MAX_LIST_ITEMS) + b"]",
        b'{"age": ' + b"9" * MAX_INTEGER_DIGITS + b"}",
        '{"name": "Zoë 🙂"}'.encode(),
    ],
)
def test_the_quick_look_passes_a_body_at_the_limits(raw: bytes) -> None:
    assert json_within_limits(raw)
    check_limits(parsed(raw), "request body")


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=8) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=60,
)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES, st.booleans())
def test_a_body_the_quick_look_passes_passes_the_limits(value: Any, ascii_only: bool) -> None:
    """Whatever the quick look at the bytes lets through, the walk over the parsed document
    lets through too (the other way round it may be more careful than it needs to be)."""
    raw = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", errors="surrogatepass")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return  # not UTF-8 (a lone surrogate written out raw): refused before any of this
    if json_within_limits(raw):
        check_limits(parsed(raw), "request body")


def test_a_json_case_file_may_write_a_character_past_ffff_as_json_writers_escape_it() -> None:
    """`json.dumps` writes U+1F600 as two escapes, a surrogate pair; the file reads as the
    character, while an escaped backslash before the same letters stays text, and YAML's own
    text is left alone."""
    written = json.dumps({"id": "Zoë \N{GRINNING FACE}", "note": "\\ud83d\\ude00"})
    assert "\\ud83d\\ude00" in written  # the pair, as the writer escapes it

    data, _ = parse_text(written, "case.json")

    assert data == {"id": "Zoë \N{GRINNING FACE}", "note": "\\ud83d\\ude00"}
    assert parse_text("id: a\\ud83d\\ude00", "case.yaml")[0] == {"id": "a\\ud83d\\ude00"}
