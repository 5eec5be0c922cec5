"""A JSON array read item by item, a block at a time, against the standard library's
`json.loads` of the whole file: the same items, and the same errors on the same lines."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dermcover.batch import json_array
from dermcover.inputs import InputError

# JSON values with what cuts badly at a block's end: multi-byte characters, escapes, long
# numbers, literals, nesting. (None that a case file may not hold: a NUL, a number of over
# 30 digits; those items are refused, below.)
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\0"),
    max_size=12,
)
WHOLE = st.integers(min_value=-(10**30) + 1, max_value=10**30 - 1)
SCALARS = (
    st.none() | st.booleans() | WHOLE | st.floats(allow_nan=False, allow_infinity=False)
) | TEXT
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    items=st.lists(VALUES, max_size=8),
    indent=st.sampled_from([None, 0, 2]),
    ascii_only=st.booleans(),
    block=st.integers(min_value=1, max_value=9),
)
def test_the_items_are_json_loads_items_whatever_the_blocks(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    items: list[Any],
    indent: int | None,
    ascii_only: bool,
    block: int,
) -> None:
    path = tmp_path / "cases.json"
    path.write_bytes(json.dumps(items, indent=indent, ensure_ascii=ascii_only).encode("utf-8"))
    monkeypatch.setattr(json_array, "BLOCK", block)
    assert _items(path) == json.loads(path.read_bytes())


def test_an_item_a_case_file_may_not_hold_is_refused_and_the_next_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cases.json"
    path.write_text('[{"a": 1}, {"b": "x\\u0000"}, {"c": 2, "c": 3}, {"d": 4}]', encoding="utf-8")
    monkeypatch.setattr(json_array, "BLOCK", 5)

    first, nul, twice, last = _items(path)

    assert (first, last) == ({"a": 1}, {"d": 4})
    assert isinstance(nul, json_array.Unreadable) and isinstance(twice, json_array.Unreadable)
    assert nul.error.endswith(": b: text holds a NUL character, which no field allows")
    assert twice.error.endswith(": duplicate field 'c': give each field once")


def _items(path: Path) -> list[Any]:
    with path.open("rb") as stream:
        return list(json_array.items(path, stream))


def _loads_error(text: str) -> json.JSONDecodeError:
    with pytest.raises(json.JSONDecodeError) as caught:
        json.loads(text)
    return caught.value


def _refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, block: int
) -> tuple[Path, str]:
    """The file holding `text`, and the error reading it item by item, `block` bytes at a
    time, gives."""
    path = tmp_path / "cases.json"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(json_array, "BLOCK", block)
    with pytest.raises(InputError) as caught:
        _items(path)
    return path, str(caught.value)


@pytest.mark.parametrize("block", [1, 3, 1 << 20])
@pytest.mark.parametrize(
    "text",
    [
        '[\n  {"id": 1},\n  {"id": 2,}\n]',  # a trailing comma inside an item
        '[\n  {"id": 1}\n  {"id": 2}\n]',  # no comma between items
        '[\n  {"id": "a\nb"}\n]',  # a raw newline in a string
        '[\n  {"id": 1},\n  {"id": "unterminated}\n]',
        '[{"id": 1}]\n{"more": true}',
        "[{'id': 1}]",
    ],
)
def test_invalid_json_is_refused_on_the_line_json_loads_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, block: int
) -> None:
    error = _loads_error(text)
    path, message = _refused(tmp_path, monkeypatch, text, block)
    assert message.startswith(f"{path}:{error.lineno}: not valid JSON (")
    assert message.endswith(f"column {error.colno:,})")


@pytest.mark.parametrize("block", [1, 3, 1 << 20])
@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('[\n  {"id": 1},\n  {"id": 2}\n', 3, 12),  # never closed: just past the last `}`
        ('[\n  {"id": 1},\n  {"id": 2}', 3, 12),
        ('[\n  {"id": 1},\n  {"id": 2}\n\n  \n', 3, 12),
        ("", 1, 1),
        ("  \n", 1, 1),
    ],
)
def test_an_array_cut_short_is_refused_where_it_was_cut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, line: int, column: int, block: int
) -> None:
    """json.loads names the place past the spaces after the text, often a line past the
    last one written; the reader names the place the text stops."""
    error = _loads_error(text)
    path, message = _refused(tmp_path, monkeypatch, text, block)
    assert message == f"{path}:{line}: not valid JSON ({error.msg}, column {column})"


def test_an_error_far_into_a_one_line_array_is_told_by_its_line_and_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = json.dumps([{"id": number} for number in range(5_000)])
    at = text.index('{"id": 4000}')
    text = text[:at] + "oops, " + text[at:]
    path = tmp_path / "cases.json"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(json_array, "BLOCK", 1000)  # the line's start long dropped
    error = _loads_error(text)
    with pytest.raises(InputError) as caught:
        _items(path)
    assert str(caught.value) == (f"{path}:1: not valid JSON ({error.msg}, column {error.colno:,})")


@pytest.mark.parametrize("text", ['{"id": 1}', '"cases"', "42", "null"])
def test_a_json_document_that_is_not_an_array_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "cases.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(f"{path}: a JSON input holds an array")):
        _items(path)


@pytest.mark.parametrize("block", [1, 4, 1 << 20])
def test_a_byte_that_is_not_utf8_is_named_by_its_place_in_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    path = tmp_path / "cases.json"
    data = '[{"id": "ok"},\n {"id": "\u00e9"}]'.encode("latin-1")
    path.write_bytes(data)
    monkeypatch.setattr(json_array, "BLOCK", block)
    with pytest.raises(UnicodeDecodeError) as decoding:
        data.decode("utf-8")
    byte = decoding.value.start + 1  # where the whole file's decoding stops: 25
    with pytest.raises(
        InputError, match=re.escape(f"{path}: not UTF-8 text (byte {byte} is 0xe9)")
    ):
        _items(path)


def test_a_case_past_the_size_limit_is_refused_with_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([{"id": 1}, {"id": "x" * 5000}, {"id": 3}]), encoding="utf-8")
    monkeypatch.setattr(json_array, "BLOCK", 64)
    monkeypatch.setattr(json_array, "MOST", 1 << 11)
    read = json_array.items(path, path.open("rb"))
    assert next(read) == {"id": 1}
    limit = "a case takes more than 2,048 bytes of JSON text, the most one case may take"
    with pytest.raises(InputError, match=re.escape(f"{path}:1: {limit}")):
        next(read)


def test_a_large_array_is_read_without_holding_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memory holds about a block and the item being read, not the file."""
    path = tmp_path / "cases.json"
    case = {"id": "x", "notes": "y" * 200}
    path.write_text(json.dumps([case] * 20_000), encoding="utf-8")  # about 4.5 MB
    monkeypatch.setattr(json_array, "BLOCK", 4096)
    held = []
    reader = json_array._Reader(path, path.open("rb"))
    for item in reader.items():
        assert item == case
        held.append(len(reader.text))
    assert len(held) == 20_000
    assert max(held) < 3 * 4096
