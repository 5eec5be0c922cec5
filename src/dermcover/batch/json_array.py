"""A JSON array of cases read item by item, a block of the file at a time.

`json.loads` of the whole file would hold all of it in memory twice over (its text and every
case as Python values); here memory holds a block and the item being read, so a JSON array
runs in bounded memory as NDJSON and Parquet do. Each item is parsed by the standard library's
own decoder (`raw_decode`); only the brackets, commas and spaces between items are read here.
Errors are worded as `json.loads` words them, with the line and column they are at. An item
that holds what a case file may not (a field named twice, text with a NUL, a number too long:
`inputs.JsonDocuments`) is given as `Unreadable`, and the items after it are read on.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from dermcover.batch.check import WHERE
from dermcover.inputs import TOO_DEEP, InputError, JsonDocuments, within_text

BLOCK = 1 << 20  # bytes read at a time
MOST = 16 << 20  # the most JSON text one case may take
_SPACE = " \t\n\r"
_NEAR_END = 8  # characters: the longest a literal, number or escape cut short can leave
_VALUE_STARTS = '{["-0123456789tfn'


@dataclass
class Unreadable:
    """An input row refused as it was read; its error has WHERE where the row's place goes."""

    error: str


def items(path: Path, stream: IO[bytes]) -> Iterator[Any]:
    """The items of the JSON array `stream` reads (from `path`, as errors name it), in order:
    each one's value, or `Unreadable` for one a case file could not hold."""
    yield from _Reader(path, stream).items()


class _Reader:
    def __init__(self, path: Path, stream: IO[bytes]) -> None:
        self.path = path
        self.stream = stream
        self.utf8 = codecs.getincrementaldecoder("utf-8-sig")()
        self.text = ""  # the text read and not yet dropped
        self.at = 0  # where in `text` reading goes on
        self.lines_before = 0  # newlines in the text already dropped
        self.line_start = 0  # where in `text` the line `at` is on starts (below 0: dropped)
        self.bytes_read = 0
        self.eof = False
        self.documents = JsonDocuments()

    def items(self) -> Iterator[Any]:
        first = self.next_char()
        if first != "[":
            if first and first in _VALUE_STARTS:
                raise InputError(f"{self.path}: a JSON input holds an array of cases")
            raise self.invalid("Expecting value", self.at)
        self.at += 1
        if self.next_char() == "]":
            self.at += 1
        else:
            while True:
                yield self.item()
                after = self.next_char()
                self.at += 1
                if after == "]":
                    break
                if after != ",":
                    raise self.invalid("Expecting ',' delimiter", self.at - 1)
                self.next_char()
        if self.next_char():
            raise self.invalid("Extra data", self.at)

    def item(self) -> Any:
        while True:
            try:
                value, end = self.documents.raw_decode(self.text, self.at)
            except RecursionError:
                raise InputError(
                    f"{self.path}:{self.line_at(self.at)}: {TOO_DEEP}; the run stops there"
                ) from None
            except json.JSONDecodeError as exc:
                if self.eof or not self.cut_short(exc):
                    raise self.invalid(exc.msg, exc.pos) from None
                if len(self.text) - self.at >= MOST:
                    raise InputError(
                        f"{self.path}:{self.line_at(self.at)}: {too_long()}; the run stops there"
                    ) from None
                self.more()  # the item goes on in the next block
                continue
            if len(self.text) - end < _NEAR_END and self.more():
                continue  # a number near the end of the block may go on in the next
            start, self.at = self.at, end
            try:
                self.documents.refuse(value, self.text[start:end].encode(errors="replace"), WHERE)
            except InputError as exc:
                value = Unreadable(str(exc))
            self.drop_read()
            return value

    def cut_short(self, exc: json.JSONDecodeError) -> bool:
        """Whether the error may be only the end of the text read so far cutting the item
        short: the decoder stopped at the end (a few characters before it, inside a literal,
        a number or an escape), or in a string not yet closed."""
        return exc.pos >= len(self.text) - _NEAR_END or exc.msg.startswith("Unterminated string")

    def next_char(self) -> str:
        """The next character that is not a space (reading on as needed), or "" at the end."""
        while True:
            while self.at < len(self.text) and self.text[self.at] in _SPACE:
                self.at += 1
            if self.at < len(self.text):
                return self.text[self.at]
            if not self.more():
                return ""

    def more(self) -> bool:
        """The next block's text added; False at the end of the file."""
        if self.eof:
            return False
        block = self.stream.read(BLOCK)
        try:
            self.text += self.utf8.decode(block, final=not block)
        except UnicodeDecodeError as exc:
            # The decoder's object is the bytes it held back from the last block, then these.
            byte = self.bytes_read - (len(exc.object) - len(block)) + exc.start + 1
            raise InputError(
                f"{self.path}: not UTF-8 text (byte {byte:,} is {exc.object[exc.start]:#04x})"
            ) from None
        self.bytes_read += len(block)
        self.eof = not block
        return bool(block)

    def drop_read(self) -> None:
        """The text already read dropped, once it is most of what is held."""
        if self.at > BLOCK and self.at * 2 > len(self.text):
            newline = self.text.rfind("\n", 0, self.at)
            if newline < 0:  # the line goes on from text already dropped
                self.line_start -= self.at
            else:
                self.lines_before += self.text.count("\n", 0, self.at)
                self.line_start = newline + 1 - self.at
            self.text = self.text[self.at :]
            self.at = 0

    def line_at(self, position: int) -> int:
        return self.lines_before + self.text.count("\n", 0, position) + 1

    def column_at(self, position: int) -> int:
        newline = self.text.rfind("\n", 0, position)
        return position - (newline + 1 if newline >= 0 else self.line_start) + 1

    def invalid(self, message: str, position: int) -> InputError:
        """An error worded as `json.loads` words it, with its line and, as NDJSON's errors
        have it, its column (one line may hold the whole array)."""
        if self.eof:  # an array cut short: where it was cut, not past the spaces after it
            position = within_text(self.text, position)
        line, column = self.line_at(position), self.column_at(position)
        return InputError(f"{self.path}:{line}: not valid JSON ({message}, column {column:,})")


def too_long() -> str:
    """What is wrong with a case over MOST."""
    return f"a case takes more than {_size(MOST)} of JSON text, the most one case may take"


def _size(count: int) -> str:
    return f"{count >> 20} MiB" if count % (1 << 20) == 0 else f"{count:,} bytes"
