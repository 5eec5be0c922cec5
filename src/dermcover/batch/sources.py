"""Reading a batch input in chunks: NDJSON of cases, a JSON array of cases, or Parquet (nested
cases, or the flat per-line layout). Every chunk is a flat table of the lines read so far, with
the input row each line came from, plus the rows refused and why.

Flat rows are checked column section by section, once per distinct value (batch/check.py), and
so are nested cases whose values are plain (`flat.plain`: no unknown key, every value of its
column's own type), which are nearly all of them; a case the checks refuse is validated whole
(batch/lines.py), as is every case that is not plain, by the case model, as `dermcover check`
reads a case file, so a refused case gets the same one-line error. Every input is read a part
at a time (Parquet in chunks of rows, NDJSON line by line, a JSON array item by item:
batch/json_array.py; a gzip-compressed one as it decompresses), so memory stays bounded
whatever the file's size.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any, BinaryIO, cast

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import ValidationError

from dermcover.batch import json_array
from dermcover.batch.check import WHERE
from dermcover.batch.json_array import Unreadable
from dermcover.case import Case
from dermcover.engine.compile.flat import CASE_ID, LINE, LINES_FIELD, plain, rows_of
from dermcover.engine.compile.polars import frame_of, schema
from dermcover.inputs import TOO_DEEP, InputError, JsonDocuments, describe, within_text

ROW = "row"  # the input row (1-based) a line came from: a case in nested input, a line in flat
CASE = "case"  # which case a line belongs to, numbered through the run


@dataclass
class Reject:
    row: int
    case_id: str | None
    error: str


@dataclass
class Chunk:
    lines: pl.DataFrame  # the flat table, with ROW and CASE
    rejects: list[Reject] = field(default_factory=list)
    rows: int = 0  # input rows this chunk consumed
    flat: bool = False  # rows still to be checked by section (flat input)
    plain: bool = False  # nested cases taken as read (`flat.plain`), still to be checked
    lines_are_rows: bool = False  # NDJSON: a row is a line of the file

    def where(self, source: Path | str, row: int) -> str:
        """How an error names a row: file:line for NDJSON, as for a case file, else its number."""
        return _place(source, row, lines_are_rows=self.lines_are_rows)


def _place(source: Path | str, row: int, *, lines_are_rows: bool) -> str:
    return f"{source}:{row}" if lines_are_rows else f"{source} row {row}"


GZIP = ".gz"
# What a read of a gzip stream raises when the file is not gzip, is cut short or is damaged.
_GZIP_ERRORS = (OSError, EOFError, zlib.error)


def kind_of(path: Path) -> str:
    """ndjson | json | parquet, by the name and, for .json, by the first character. NDJSON
    and JSON may be gzip-compressed (`cases.ndjson.gz`): they are read as they decompress."""
    compressed = path.suffix.lower() == GZIP
    suffix = (path.with_suffix("") if compressed else path).suffix.lower()
    if suffix == ".parquet" and not compressed:
        return "parquet"
    if suffix == ".parquet":
        raise InputError(
            f"{path}: a Parquet file compresses its own columns; give the .parquet file itself"
        )
    if suffix in (".ndjson", ".jsonl"):
        return "ndjson"
    if suffix == ".json":
        try:
            with open_bytes(path) as stream:
                head = stream.read(4096).lstrip()
        except _GZIP_ERRORS as exc:
            raise _unopenable(path, exc) from None
        return "json" if head.startswith(b"[") else "ndjson"
    allowed = ".ndjson, .jsonl, .json (each may end in .gz) or .parquet"
    raise InputError(f"{path}: unknown input type {suffix or '(none)'}; use {allowed}")


def open_bytes(path: Path) -> BinaryIO:
    """The input's bytes, decompressed as they are read when its name ends in .gz."""
    if path.suffix.lower() == GZIP:
        return cast(BinaryIO, gzip.open(path, "rb"))
    return path.open("rb")


def readable(path: Path) -> str:
    """The input's kind, once it is known to be a file that opens (and, for Parquet, whose
    footer reads): a missing file, a folder or a file that is not Parquet is one line, before
    any work is done."""
    kind = _file_kind(path)
    if kind == "parquet":
        _parquet(path)
    return kind


def _file_kind(path: Path) -> str:
    """The input's kind, once it is known to be a file that opens."""
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    kind = kind_of(path)
    try:
        with open_bytes(path) as stream:
            stream.read(1)  # gzip: the header read
    except _GZIP_ERRORS as exc:
        raise _unopenable(path, exc) from None
    return kind


def _unopenable(path: Path, exc: BaseException) -> InputError:
    """Why the input cannot be opened: not allowed, or (.gz) not gzip."""
    if path.suffix.lower() == GZIP and not isinstance(exc, PermissionError):
        return InputError(f"{path}: not gzip-compressed text that can be read ({_said(exc)})")
    return InputError(f"{path}: cannot be read ({_said(exc)})")


def _parquet(path: Path) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{path}: not a Parquet file that can be read ({_said(exc)})") from None


def _said(exc: BaseException) -> str:
    """An error's own words on one line."""
    return " ".join(str(exc).split()) or type(exc).__name__


_BLOCK = 1 << 20


def total_rows(path: Path) -> int | None:
    """How many input rows there are, for the progress bar: a Parquet file says so in its
    footer; an NDJSON file's lines are counted (a pass over its bytes, a small fraction of
    the time it takes to decide them); a JSON array's are known only once it is parsed."""
    kind = _file_kind(path)
    if kind == "parquet":
        return int(_parquet(path).metadata.num_rows)
    if kind == "ndjson":
        lines, last = 0, b"\n"
        try:
            with open_bytes(path) as stream:
                while block := stream.read(_BLOCK):
                    lines += block.count(b"\n")
                    last = block[-1:]
        except _GZIP_ERRORS:
            return None  # the run says where the file breaks off, by its row
        return lines + (last != b"\n")  # a last line without its newline is a row too
    return None


def chunks(path: Path, size: int, unread: Collection[str] = ()) -> Iterator[Chunk]:
    """The input's chunks. The flat layout's columns named in `unread` are not read (their
    type is still checked): the run never looks at them. A file that cannot be read to its
    end stops the run with one line saying from which row."""
    kind = _file_kind(path)
    if kind == "parquet":
        file = _parquet(path)  # the footer read once
        names = set(file.schema_arrow.names)
        if LINES_FIELD in names:
            yield from _nested(_nested_rows(file, path, size), path, size)
        else:
            yield from _flat(file, path, size, unread)
    elif kind == "ndjson":
        yield from _nested(_ndjson(path), path, size, lines_are_rows=True)
    else:
        yield from _nested(_json_items(path), path, size)


def _nested_rows(file: pq.ParquetFile, path: Path, size: int) -> Iterator[dict[str, Any]]:
    """A nested Parquet file's rows as dictionaries, batch after batch."""
    batches = file.iter_batches(size)
    read = 0
    while True:
        try:
            batch = next(batches, None)
        except (pa.ArrowException, OSError) as exc:
            raise _unreadable(path, read, exc) from None
        if batch is None:
            return
        read += batch.num_rows
        yield from batch.to_pylist()


def _unreadable(path: Path, read: int, exc: BaseException) -> InputError:
    """The error of a file whose rows after the first `read` cannot be read."""
    return InputError(
        f"{path}: cannot be read from row {read + 1:,} on ({_said(exc)}); the run stops there"
    )


def _ndjson(path: Path) -> Iterator[Any]:
    # Read as bytes, each line decoded by itself: a line that is not UTF-8, or that holds what
    # a case file may not, is refused on its own, and the others are still decided.
    documents = JsonDocuments()
    with open_bytes(path) as stream:
        for text in _lines_of(stream, path):
            if text is None:
                yield Unreadable(f"{WHERE}: {json_array.too_long()}")
                continue
            if not text.strip():
                yield _Blank()
                continue
            try:
                record = documents.decode(text.decode("utf-8-sig"))
                documents.refuse(record, text, WHERE)
            except json.JSONDecodeError as exc:
                column = _column(text, exc)
                yield Unreadable(f"{WHERE}: not valid JSON ({exc.msg}, column {column})")
            except UnicodeDecodeError as exc:
                yield Unreadable(f"{WHERE}: {_not_text(exc)}")
            except InputError as exc:
                yield Unreadable(str(exc))
            except RecursionError:
                yield Unreadable(f"{WHERE}: {TOO_DEEP}")
            else:
                yield record


def _column(line: bytes, exc: json.JSONDecodeError) -> int:
    """Where on its line a JSON error is: on a line broken off, just past its last character
    (json reads on through the line's ending and counts from the next line)."""
    return within_text(line.decode("utf-8", "replace"), exc.pos) + 1


def _lines_of(stream: IO[bytes], path: Path) -> Iterator[bytes | None]:
    """The stream's lines, None for one longer than a case may be (json_array.MOST, as in a
    JSON array), which is read past without being held; a compressed stream that breaks off
    or is damaged stops the run at the row it breaks off at."""
    read = 0
    while True:
        try:
            line = stream.readline(json_array.MOST + 1)
            text: bytes | None = line
            if len(line) > json_array.MOST and not line.endswith(b"\n"):
                while line and not line.endswith(b"\n"):  # the rest of it, dropped
                    line = stream.readline(_BLOCK)
                text = None
        except _GZIP_ERRORS as exc:
            raise _unreadable(path, read, exc) from None
        if text == b"":
            return
        read += 1
        yield text


def _json_items(path: Path) -> Iterator[Any]:
    """A JSON array's items; a compressed one that breaks off or is damaged stops the run at
    the row (item) it breaks off at."""
    read = 0
    with open_bytes(path) as stream:
        items = json_array.items(path, stream)
        while True:
            try:
                item = next(items, _END)
            except _GZIP_ERRORS as exc:
                raise _unreadable(path, read, exc) from None
            if item is _END:
                return
            read += 1
            yield item


_END = object()


def _not_text(exc: UnicodeDecodeError) -> str:
    return f"not UTF-8 text (byte {exc.start + 1:,} is {exc.object[exc.start]:#04x})"


class _Blank:
    """An empty NDJSON line: skipped, but it keeps the line numbers right."""


def _without_nulls(value: Any) -> Any:
    """Parquet writes an absent field as null; in a case, absent is what unknown means."""
    if isinstance(value, dict):
        return {
            k: _without_nulls(v) if isinstance(v, dict | list) else v
            for k, v in value.items()
            if v is not None
        }
    if isinstance(value, list):
        return [_without_nulls(item) if isinstance(item, dict | list) else item for item in value]
    return value


def _nested(
    records: Iterator[Any], path: Path, size: int, lines_are_rows: bool = False
) -> Iterator[Chunk]:
    rows: list[dict[str, Any]] = []
    rejects: list[Reject] = []
    consumed = 0
    number = 0
    unchecked = False  # some of the chunk's cases are plain, still to be checked
    where = partial(_place, path, lines_are_rows=lines_are_rows)  # worked out only for a reject
    for number, record in enumerate(records, start=1):
        consumed += 1
        if isinstance(record, _Blank):
            continue
        if isinstance(record, Unreadable):
            rejects.append(Reject(number, None, record.error.replace(WHERE, where(number), 1)))
        else:
            if plain(record):
                # Taken as read: the section checks validate and normalise it in the run.
                lines = rows_of(record)
                unchecked = True
            else:
                case_id = record.get("id") if isinstance(record, dict) else None
                try:
                    case = Case.model_validate(_without_nulls(record))
                except ValidationError as exc:
                    error = describe(exc, Case, where(number))
                    rejects.append(Reject(number, _text(case_id), error))
                    lines = []
                else:
                    lines = rows_of(case.model_dump(mode="json"))
            for line in lines:
                line[ROW] = number
                line[CASE] = number
                rows.append(line)
        if consumed >= size:
            yield Chunk(
                _frame(rows), rejects, consumed, plain=unchecked, lines_are_rows=lines_are_rows
            )
            rows, rejects, consumed, unchecked = [], [], 0, False
    if consumed or not number:
        yield Chunk(_frame(rows), rejects, consumed, plain=unchecked, lines_are_rows=lines_are_rows)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    frame = frame_of(rows) if rows else pl.DataFrame(schema=schema())
    return frame.with_columns(
        pl.Series(ROW, [r[ROW] for r in rows], dtype=pl.Int64),
        pl.Series(CASE, [r[CASE] for r in rows], dtype=pl.Int64),
    )


def _flat(file: pq.ParquetFile, path: Path, size: int, unread: Collection[str]) -> Iterator[Chunk]:
    layout = schema()
    unknown = [name for name in file.schema_arrow.names if name not in layout]
    if unknown:
        raise InputError(
            f"{path}: column {unknown[0]!r} is not in the flat layout; allowed: "
            + ", ".join(layout)
        )
    if LINE not in file.schema_arrow.names:
        raise InputError(
            f"{path}: the flat layout needs a `line` column (the line's place in its case, from 0)"
        )
    # polars reads each chunk's rows straight into its own types: about half the CPU of
    # pyarrow's batches converted (the rows, and so the chunks, are the same). A column with
    # no value in the whole file is not read, nor one the run never looks at (its type is
    # checked from the file's schema): `_typed` gives each as a null of its type.
    types = pl.read_parquet_schema(path)  # the file's own columns, as polars reads them
    empty = set(_empty_columns(file, types, layout))
    for name in sorted(set(unread) & set(types)):
        if types[name].is_nested() != layout[name].is_nested():  # as `_typed` would refuse it
            raise InputError(
                f"{path}: column {name!r} is {types[name]}, the layout wants {layout[name]}"
            )
    skipped = empty | set(unread)
    lazy = pl.scan_parquet(path).select(n for n in file.schema_arrow.names if n not in skipped)
    # The row after each chunk's, to tell whether the chunk's last case goes on there (not
    # when no row has a case id: each line is then a case of its own).
    read_ids = CASE_ID in file.schema_arrow.names and CASE_ID not in skipped
    ids = lazy.select(pl.col(CASE_ID).cast(pl.String, strict=False)) if read_ids else None
    total = file.metadata.num_rows
    cases_before = 0
    held: pl.DataFrame | None = None  # the lines of a case that goes on past its chunk
    for start in range(0, total, size):
        try:
            read = lazy.slice(start, size).collect()
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise _unreadable(path, start, exc) from None
        frame = _typed(read, layout, path).with_columns(
            pl.int_range(start + 1, start + 1 + read.height, dtype=pl.Int64).alias(ROW)
        )
        if held is not None:
            # Rechunked once here: left in two chunks, the frame is copied into one by every
            # step that adds a column to it (the checks, the policy), once per step.
            frame = pl.concat([held, frame], how="vertical", rechunk=True)
            held = None
        frame = _numbered(frame, cases_before)
        after = start + read.height
        try:
            next_id = (
                ids.slice(after, 1).collect().item() if ids is not None and after < total else None
            )
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise _unreadable(path, after, exc) from None
        # Cases are numbered in row order, so the last one is the tail. Only when it goes on
        # in the next rows are its lines held over (the chunk is then copied once, joining
        # them: a fifth of the chunks on the bench file, where four lines in five start a
        # case); otherwise the chunk is given out whole, not copied.
        last = frame[CASE][-1]
        if next_id is not None and frame[CASE_ID][-1] == next_id:
            first_of_last = int(frame[CASE].search_sorted(last, side="left"))
            held = frame.slice(first_of_last).drop(CASE)
            frame = frame.slice(0, first_of_last)
            cases_before = last - 1
        else:
            cases_before = last
        yield Chunk(frame, [], read.height, flat=True)


def _empty_columns(
    file: pq.ParquetFile, types: Mapping[str, pl.DataType], layout: dict[str, pl.DataType]
) -> Iterator[str]:
    """The columns of one value a row (not lists) that every row group's statistics say are
    null on every row, and that are of the layout's own type: reading them gives nothing."""
    metadata = file.metadata
    for index in range(metadata.num_columns if metadata.num_row_groups else 0):
        name = metadata.schema.column(index).path
        if name not in types or types[name] != layout.get(name):
            continue  # a list's elements, a column the layout does not know, another type
        groups = (metadata.row_group(number) for number in range(metadata.num_row_groups))
        if all(_no_values(group.column(index), group.num_rows) for group in groups):
            yield name


def _no_values(column: pq.ColumnChunkMetaData, rows: int) -> bool:
    statistics = column.statistics
    return statistics is not None and statistics.has_null_count and statistics.null_count == rows


def _numbered(frame: pl.DataFrame, before: int) -> pl.DataFrame:
    """Consecutive lines with one case_id are one case; a line without one is a case alone."""
    starts = pl.col(CASE_ID).is_null() | (pl.col(CASE_ID) != pl.col(CASE_ID).shift(1)).fill_null(
        True
    )
    return frame.with_columns((starts.cum_sum() + before).cast(pl.Int64).alias(CASE))


def _typed(frame: pl.DataFrame, layout: dict[str, pl.DataType], path: Path) -> pl.DataFrame:
    out: list[pl.Expr | pl.Series] = []
    for name, dtype in layout.items():
        if name not in frame.columns:
            out.append(pl.lit(None, dtype=dtype).alias(name))
            continue
        try:
            out.append(frame[name].cast(dtype, strict=True))
        except (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError) as exc:
            raise InputError(
                f"{path}: column {name!r} is {frame[name].dtype}, the layout wants {dtype} ({exc})"
            ) from None
    return frame.select(out)
