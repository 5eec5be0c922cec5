"""Reading YAML or JSON into contract models, with errors a person can act on.

Every input path (a case file, an estimate request, a policy pack, an API body) ends here, so that
bad input always gets the same kind of answer: one line naming where it is (file and line when
known), the field, the value and what is allowed. Never a traceback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from dermcover.case import EXACT_TYPES

ModelT = TypeVar("ModelT", bound=BaseModel)

MAX_INPUT_BYTES = 1_000_000
_SPACES = " \t\r\n"

# libyaml's parser where PyYAML was built with it (twenty times faster), else the pure one.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class InputError(Exception):
    """Input that cannot be used. The message is one line, fit to show as it is."""


def field_path(loc: Iterable[int | str]) -> str:
    """`("procedures", 0, "kind")` -> `procedures[0].kind`."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(top level)"


# What any one document may hold, whatever its kind: each is named in the error that enforces it.
MAX_DEPTH = 32  # levels of nesting
MAX_LIST_ITEMS = 1_000  # items in any one list, fields in any one mapping
MAX_STRING_CHARS = 20_000  # characters in any one text
MAX_INTEGER_DIGITS = 30  # digits in any one whole number
TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels (the limit)"


def shown_briefly(value: object, limit: int = 40) -> str:
    """A value as an error may quote it: never more than `limit` characters of it."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_limits(data: Any, source: str) -> None:
    """Raise an InputError naming the field and the limit when `data` (parsed JSON or YAML)
    is nested too deep, has too long a list or text, too long a number, a NUL character or a
    lone surrogate (text that is not Unicode)."""
    pending: list[tuple[Any, tuple[int | str, ...]]] = [(data, ())]
    while pending:
        value, path = pending.pop()
        if len(path) > MAX_DEPTH:
            raise InputError(f"{_where(source, path)}: {TOO_DEEP}")
        if isinstance(value, str):
            _check_text(value, source, path, "text")
        elif isinstance(value, dict):
            if len(value) > MAX_LIST_ITEMS:
                raise InputError(
                    f"{_where(source, path)}: {len(value):,} fields; at most "
                    f"{MAX_LIST_ITEMS:,} are allowed"
                )
            for key, item in value.items():
                _check_text(str(key), source, path, "field name")
                pending.append((item, (*path, str(key))))
        elif isinstance(value, list):
            if len(value) > MAX_LIST_ITEMS:
                raise InputError(
                    f"{_where(source, path)}: {len(value):,} items; at most "
                    f"{MAX_LIST_ITEMS:,} are allowed in a list"
                )
            pending.extend((item, (*path, index)) for index, item in enumerate(value))
        elif isinstance(value, TooManyDigits):
            raise InputError(
                f"{_where(source, path)}: a number of {value.digits:,} digits; at most "
                f"{MAX_INTEGER_DIGITS} are allowed"
            )
        elif isinstance(value, int) and abs(value) >= 10**MAX_INTEGER_DIGITS:
            raise InputError(
                f"{_where(source, path)}: a number longer than {MAX_INTEGER_DIGITS} digits "
                "(the limit)"
            )


def _where(source: str, path: tuple[int | str, ...]) -> str:
    """Where an error is, as its message names it: worked out only once there is an error."""
    return f"{source}: {field_path(path[:MAX_DEPTH])}"


def _check_text(text: str, source: str, path: tuple[int | str, ...], what: str) -> None:
    if len(text) > MAX_STRING_CHARS:
        raise InputError(
            f"{_where(source, path)}: {what} of {len(text):,} characters; at most "
            f"{MAX_STRING_CHARS:,} are allowed"
        )
    if chr(0) in text:
        raise InputError(
            f"{_where(source, path)}: {what} holds a NUL character, which no field allows"
        )
    if text.isascii():  # no surrogate can hide in ASCII
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(
            f"{_where(source, path)}: {what} holds a lone surrogate (not Unicode text)"
        ) from None


# Bytes that can start a whole number longer than the limit: that many digits in a row.
_LONG_DIGITS = re.compile(rb"[0-9]{%d}" % (MAX_INTEGER_DIGITS + 1))


def json_within_limits(raw: bytes) -> bool:
    """True when a JSON document's bytes alone show that what `json.loads` reads from them
    (with `bounded_integer` and `unique_keys`) passes `check_limits`; False when they cannot
    show it, and then `check_limits` must look (it finds nothing wrong in most of them).

    A few scans of the bytes, no Python per value, instead of a walk over everything parsed:
    - no text is longer than the whole document, so none is over MAX_STRING_CHARS characters
      when the document is not;
    - JSON text holds no raw control character (the parser refuses one) and UTF-8 holds no
      surrogate (decoding refuses one), so a NUL or a lone surrogate can only be written as a
      `\\u` escape, and without one there is neither;
    - a list or mapping of n items has n - 1 commas, so none is over MAX_LIST_ITEMS when the
      document has fewer commas than that;
    - a value is nested as deep as the lists and mappings around it, so none is deeper than
      MAX_DEPTH when the document has no more brackets than that;
    - a whole number over MAX_INTEGER_DIGITS digits is that many digits in a row."""
    return _within_limits_but_numbers(raw) and _LONG_DIGITS.search(raw) is None


def _within_limits_but_numbers(raw: bytes) -> bool:
    """`json_within_limits` but for the numbers' lengths (the costliest scan of the five)."""
    return (
        len(raw) <= MAX_STRING_CHARS
        and b"\\u" not in raw
        and raw.count(b",") < MAX_LIST_ITEMS
        and raw.count(b"{") + raw.count(b"[") <= MAX_DEPTH
    )


class TooManyDigits:
    """A whole number too long to read, kept as its length so the error can name its field."""

    def __init__(self, digits: int) -> None:
        self.digits = digits


def bounded_integer(text: str) -> int | TooManyDigits:
    """`json.loads`'s parse_int: a whole number no longer than the limit (never the
    interpreter's own, slower failure on thousands of digits); `check_limits` reports one."""
    digits = len(text.lstrip("-"))
    return TooManyDigits(digits) if digits > MAX_INTEGER_DIGITS else int(text)


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """`json.loads`'s object_pairs_hook: a mapping that names a field twice is refused."""
    mapping: dict[str, Any] = {}
    for key, value in pairs:
        if key in mapping:
            raise InputError(f"duplicate field {shown_briefly(key)}: give each field once")
        mapping[key] = value
    return mapping


class JsonDocuments:
    """JSON read as `dermcover check` reads a case file, one document after another (the
    lines of an NDJSON file, the items of a JSON array): a field named twice, a whole number
    too long to read, text holding a NUL or a lone surrogate, and anything over the limits
    are refused, as in a case file or a request's body (`check_limits`). A field named twice
    does not stop the parse (the first is noted, then told by `refuse`), so a reader of a
    JSON array can refuse the one item and go on to the next. One reader's: it remembers the
    document it decoded last."""

    def __init__(self) -> None:
        self._twice: str | None = None
        self._too_long = False  # a whole number too long to read
        self._decoder = json.JSONDecoder(object_pairs_hook=self._mapping, parse_int=self._integer)

    def _integer(self, text: str) -> int | TooManyDigits:
        number = bounded_integer(text)
        if isinstance(number, TooManyDigits):
            self._too_long = True
        return number

    def _mapping(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        mapping = dict(pairs)
        if len(mapping) < len(pairs) and self._twice is None:
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    self._twice = key
                    break
                seen.add(key)
        return mapping

    def decode(self, text: str) -> Any:
        """`json.loads` of a whole document."""
        self._twice, self._too_long = None, False
        return self._decoder.decode(text)

    def raw_decode(self, text: str, at: int) -> tuple[Any, int]:
        """The document that starts at `at` in `text`, and where it ends."""
        self._twice, self._too_long = None, False
        return self._decoder.raw_decode(text, at)

    def refuse(self, value: Any, raw: bytes, source: str) -> None:
        """Raise an InputError, naming `source`, for what a case file may not hold in the
        document just decoded (`value`, from the bytes `raw`)."""
        if self._twice is not None:
            raise InputError(
                f"{source}: duplicate field {shown_briefly(self._twice)}: give each field once"
            )
        # The numbers were read here, so their lengths are known without a scan of the bytes.
        if self._too_long or not _within_limits_but_numbers(raw):
            check_limits(value, source)


class LineLocator:
    """Maps a field path in parsed YAML back to the line it was written on."""

    def __init__(self, node: yaml.Node | None) -> None:
        self._root = node

    def line_of(self, loc: Sequence[int | str]) -> int | None:
        node = self._root
        line = node.start_mark.line + 1 if node is not None else None
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                node = next((v for k, v in node.value if k.value == part), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                node = node.value[part] if part < len(node.value) else None
            else:
                node = None
            if node is None:
                break
            line = node.start_mark.line + 1
        return line


def within_text(text: str, position: int) -> int:
    """`position`, or, when nothing but spaces follows it, the place just past the text's last
    other character. A parser reports a document cut short where the spaces after it end,
    often on a line past the last one written; this is where it was cut."""
    end = len(text)
    while end > position and text[end - 1] in _SPACES:
        end -= 1
    if end > position:
        return position  # something follows: the error is where the parser says
    while end > 0 and text[end - 1] in _SPACES:
        end -= 1
    return end


def line_of(text: str, position: int) -> int:
    """The line (from 1) an error at `position` in `text` is on, as `within_text` places it."""
    return text.count("\n", 0, within_text(text, position)) + 1


def parse_text(text: str, source: str) -> tuple[Any, LineLocator]:
    """Parse YAML (which includes JSON) text; errors name the source and the line."""
    if len(text.encode("utf-8", errors="replace")) > MAX_INPUT_BYTES:
        raise InputError(f"{source}: larger than {MAX_INPUT_BYTES:,} bytes")
    loader = _LOADER(_pairs_joined(text))
    try:
        # One pass: the nodes (for line marks), then the data built from them.
        node = loader.get_single_node()
        if node is not None:
            _check_nodes(node, source)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        # Never past the last line written: a document cut short is marked on the line after.
        line = min(mark.line + 1, line_of(text, len(text))) if mark is not None else None
        where = f"{source}:{line}" if line is not None else source
        problem = exc.problem or "malformed"
        raise InputError(f"{where}: not valid YAML or JSON ({problem})") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{source}: not valid YAML or JSON ({exc})") from None
    except ValueError as exc:
        # YAML reads an unquoted 2025-02-30 as a date, and the date does not exist.
        raise InputError(_impossible_value(node, source, exc)) from None
    except RecursionError:
        raise InputError(f"{source}: {TOO_DEEP}") from None
    finally:
        loader.dispose()
    check_limits(data, source)
    return data, LineLocator(node)


# A character past U+FFFF, as JSON writers escape it by default: a UTF-16 surrogate pair of
# two escapes ("\ud83d\ude00" for U+1F600). YAML reads each escape as a character of its
# own and refuses half a pair, so in a JSON document the pairs are joined before YAML reads
# it. Only an escape counts: after an odd run of backslashes, not an escaped backslash.
_SURROGATE_PAIR = re.compile(r"(\\+)u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", re.IGNORECASE)


def _pairs_joined(text: str) -> str:
    """A JSON document's escaped surrogate pairs as the characters they stand for."""
    if "\\u" not in text or text.lstrip()[:1] not in ("{", "["):
        return text

    def joined(pair: re.Match[str]) -> str:
        backslashes = pair.group(1)
        if len(backslashes) % 2 == 0:
            return pair.group(0)
        high, low = int(pair.group(2), 16), int(pair.group(3), 16)
        return backslashes[:-1] + chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))

    return _SURROGATE_PAIR.sub(joined, text)


def _check_nodes(root: yaml.Node, source: str) -> None:
    """Before anything is built: no aliases (a few lines of `*a` can expand to gigabytes), no
    key given twice in a mapping, no nesting deeper than the limit."""
    seen: set[int] = set()
    pending: list[tuple[yaml.Node, int]] = [(root, 0)]
    while pending:
        node, depth = pending.pop()
        line = node.start_mark.line + 1
        if id(node) in seen:
            raise InputError(
                f"{source}:{line}: YAML aliases (*name) are not allowed; write the value out"
            )
        seen.add(id(node))
        if depth > MAX_DEPTH:
            raise InputError(f"{source}:{line}: {TOO_DEEP}")
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in keys:
                        raise InputError(
                            f"{source}:{key.start_mark.line + 1}: duplicate field "
                            f"{shown_briefly(key.value)}: give each field once"
                        )
                    keys.add(key.value)
                pending.append((key, depth + 1))
                pending.append((value, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            pending.extend((item, depth + 1) for item in node.value)
        elif node.tag.endswith(":int"):
            digits = sum(ch.isdigit() for ch in node.value)
            if digits > MAX_INTEGER_DIGITS:
                raise InputError(
                    f"{source}:{line}: a number of {digits:,} digits; at most "
                    f"{MAX_INTEGER_DIGITS} are allowed"
                )


def _impossible_value(node: yaml.Node | None, source: str, exc: ValueError) -> str:
    """Name the line of the scalar YAML could not construct (in practice, an impossible date)."""
    pending = [node] if node is not None else []
    while pending:
        current = pending.pop()
        if isinstance(current, yaml.ScalarNode) and current.tag.endswith(":timestamp"):
            try:
                yaml.safe_load(current.value)
            except ValueError:
                line = current.start_mark.line + 1
                return f"{source}:{line}: {current.value!r} is not a date that exists ({exc})"
        elif isinstance(current, yaml.MappingNode):
            pending.extend(value for pair in current.value for value in pair)
        elif isinstance(current, yaml.SequenceNode):
            pending.extend(current.value)
    return f"{source}: a value cannot be read ({exc})"


def read_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_INPUT_BYTES:
            raise InputError(f"{path}: larger than {MAX_INPUT_BYTES:,} bytes")
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None


def _allowed(error: Mapping[str, Any], model: type[BaseModel], loc: Sequence[int | str]) -> str:
    """What the field accepts, said plainly, for the error types where we can know it."""
    ctx = error.get("ctx") or {}
    kind = error["type"]
    if kind == "enum" and "expected" in ctx:
        return f"allowed: {ctx['expected'].replace(chr(39), '')}"
    if kind == "extra_forbidden":
        fields = _fields_at(model, loc[:-1])
        return f"allowed fields here: {', '.join(fields)}" if fields else ""
    if kind == "model_type":
        fields = _fields_at(model, loc)
        return f"its fields: {', '.join(fields)}" if fields else ""
    return ""


def _fields_at(model: type[BaseModel], loc: Sequence[int | str]) -> list[str]:
    """The field names of the model found by walking `loc` through nested models."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if field is None:
            return []
        current = _inner_model(field.annotation)
        if current is None:
            return []
    return list(current.model_fields) if hasattr(current, "model_fields") else []


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _shown(value: Any) -> str:
    if isinstance(value, Enum):
        value = value.value
    text = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def describe(
    exc: ValidationError,
    model: type[BaseModel],
    source: str,
    locator: LineLocator | None = None,
    prefix: Sequence[int | str] = (),
) -> str:
    """One line for the first problem (and a count of the rest) in a pydantic error."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc: tuple[int | str, ...] = tuple(
        part for part in first["loc"] if not (isinstance(part, str) and "[" in part)
    )
    line = locator.line_of(tuple(prefix) + loc) if locator is not None else None
    where = f"{source}:{line}" if line is not None else source
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown field"
    elif first["type"] == "enum":
        message = "not an allowed value"  # the allowed values follow, once
    elif first["type"] == "missing":
        message = "required field is missing"
    elif first["type"] == "model_type":
        message = "should be an object"  # not pydantic's "or instance of <class>"
    parts = [f"{where}: {field_path(tuple(prefix) + loc)}"]
    if first["type"] != "missing":
        parts.append(f"= {_shown(first.get('input'))}")
    text = " ".join(parts) + f": {message}"
    allowed = _allowed(first, model, loc)
    if allowed:
        text += f"; {allowed}"
    if len(errors) > 1:
        text += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return text


def validate(
    model: type[ModelT],
    data: Any,
    source: str,
    locator: LineLocator | None = None,
    prefix: Sequence[int | str] = (),
) -> ModelT:
    """Validate parsed data against `model`, turning any failure into an InputError.

    The data is a document (YAML, JSON, or values read as such), so a yes/no field of the case
    contract takes `true` or `false` only, as the HTTP API does: `1`, `0` or `"yes"` there is an
    error naming the field, never quietly read as a truth value."""
    if data is None:
        raise InputError(f"{source}: is empty")
    try:
        return model.model_validate(data, context={EXACT_TYPES: True})
    except ValidationError as exc:
        raise InputError(describe(exc, model, source, locator, prefix)) from None


def load_model(model: type[ModelT], path: Path) -> ModelT:
    """Read a YAML or JSON file into `model`, or raise an InputError naming what is wrong."""
    text = read_text(path)
    data, locator = parse_text(text, str(path))
    return validate(model, data, str(path), locator)


def load_model_text(model: type[ModelT], text: str, source: str) -> ModelT:
    data, locator = parse_text(text, source)
    return validate(model, data, source, locator)
