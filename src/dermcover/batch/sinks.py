"""Writing a batch run's results as they come: one row per line to Parquet or NDJSON, and the
refused rows to an NDJSON rejects file.

Each file is written beside its place under a hidden name and moved there only once it is
whole: a run that stops half-way leaves no half-written file, and whatever was there before
is still there.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Collection, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from dermcover.batch.sources import ROW, Reject
from dermcover.engine.compile.flat import CASE_ID
from dermcover.inputs import InputError

# Columns that take a new value on (nearly) every line: a dictionary only costs there, and
# they are the ones a reader looks rows up by, so only they get minimum and maximum per row
# group (on the other columns the statistics took a quarter of the time to write a chunk,
# and their dictionaries already say which values a row group holds).
_DISTINCT = (ROW, CASE_ID)

FORMATS = {".parquet": "parquet", ".ndjson": "ndjson", ".jsonl": "ndjson"}


def format_of(path: Path) -> str:
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            f"{path}: unknown output type {path.suffix or '(none)'}; "
            "use .parquet, .ndjson or .jsonl"
        )
    return kind


def check_outputs(
    source: Path, outputs: Mapping[str, Path], *, folders: Collection[str] = ()
) -> None:
    """Each output (by the option that names it) a file of its own, in a folder that is there,
    and none of them the input: a run never writes over what it reads, nor one of its files
    over another. The outputs named in `folders` may be folders (Spark writes one)."""
    seen: dict[str, Path] = {}
    for option, path in outputs.items():
        if _same(path, source):
            raise InputError(
                f"{option} {path}: is the input file; give another name "
                "(a run never writes over its input)"
            )
        for other, taken in seen.items():
            if _same(path, taken):
                raise InputError(f"{option} {path}: is also {other}; give each its own file")
        if path.is_dir() and option not in folders:
            raise InputError(f"{option} {path}: is a folder; give a file name")
        if not path.parent.is_dir():
            raise InputError(f"{option} {path}: the folder {path.parent} does not exist")
        seen[option] = path


def _same(one: Path, other: Path) -> bool:
    """The same file, by any name (a link, a relative path)."""
    try:
        return os.path.samefile(one, other)
    except OSError:  # one of them is not there yet
        return one.resolve() == other.resolve()


def _partial(path: Path) -> Path:
    """Where a file is written until it is whole."""
    return path.with_name(f".{path.name}.partial")


def _unwritable(path: Path, exc: OSError) -> InputError:
    return InputError(f"{path}: cannot be written ({exc.strerror or exc})")


def _finish(path: Path) -> None:
    """The whole file moved to its place."""
    try:
        os.replace(_partial(path), path)
    except OSError as exc:
        raise _unwritable(path, exc) from None


def _discard(path: Path) -> None:
    _partial(path).unlink(missing_ok=True)


class LineSink:
    """The per-line results file, written chunk by chunk (Parquet row groups, NDJSON lines);
    in its place once `close` has run, gone if the run stops before (`with`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.kind = format_of(path)
        self._parquet: pq.ParquetWriter | None = None
        self._text: IO[bytes] | None = None
        self._closed = False

    def write(self, frame: pl.DataFrame) -> None:
        try:
            self._write(frame)
        except OSError as exc:  # a full disk, a folder taken away
            raise _unwritable(self.path, exc) from None

    def _write(self, frame: pl.DataFrame) -> None:
        if self.kind == "parquet":
            table = frame.to_arrow()
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(
                    _partial(self.path),
                    table.schema,
                    use_dictionary=_dictionary_columns(table.schema),
                    write_statistics=[name for name in _DISTINCT if name in table.schema.names],
                    # Without the Arrow schema, an enum column (`results_table`) is read back
                    # as the text it is, not as a dictionary type.
                    store_schema=False,
                )
            self._parquet.write_table(table.cast(self._parquet.schema))
        else:
            if self._text is None:
                self._text = _partial(self.path).open("wb")
            frame.write_ndjson(self._text)

    def close(self, empty: pl.DataFrame) -> None:
        """The file finished and put in its place; `empty` is written to a Parquet file that
        got no rows, so an input without one valid row still gives a readable file."""
        if self.kind == "parquet" and self._parquet is None:
            self.write(empty)
        try:
            if self.kind == "ndjson" and self._text is None:
                self._text = _partial(self.path).open("wb")
            self._release()
        except OSError as exc:
            raise _unwritable(self.path, exc) from None
        _finish(self.path)
        self._closed = True

    def _release(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None
        if self._text is not None:
            self._text.close()
            self._text = None

    def __enter__(self) -> LineSink:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self._closed:  # the run stopped: nothing half-written is left
            self._release()
            _discard(self.path)


def _dictionary_columns(schema: pa.Schema) -> list[str]:
    """The Parquet columns to dictionary-encode: those with few distinct values (outcomes,
    rules, policies, the fields asked), by their leaf paths; about a third less time to write
    a chunk than a dictionary on every column."""
    return [
        f"{field.name}.list.element"
        if pa.types.is_list(field.type) or pa.types.is_large_list(field.type)
        else field.name
        for field in schema
        if field.name not in _DISTINCT
    ]


class RejectSink:
    """Refused rows, one JSON object a line: the input row, the case id if any, the error;
    in place once `close` has run, gone if the run stops before (`with`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._stream = _partial(path).open("w", encoding="utf-8")
        except OSError as exc:
            raise _unwritable(path, exc) from None
        self._closed = False

    def write(self, rejects: list[Reject]) -> None:
        try:
            for reject in rejects:
                record = {"row": reject.row, "case_id": reject.case_id, "error": reject.error}
                self._stream.write(json.dumps(record) + "\n")
        except OSError as exc:
            raise _unwritable(self.path, exc) from None

    def close(self) -> None:
        try:
            self._stream.close()
        except OSError as exc:
            raise _unwritable(self.path, exc) from None
        _finish(self.path)
        self._closed = True

    def __enter__(self) -> RejectSink:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self._closed:
            self._stream.close()
            _discard(self.path)


class FolderSink:
    """A folder of part files (Spark writes its results as one), written at `partial` and put
    in `path`'s place by `place` once whole; gone if the run stops before (`with`), leaving
    whatever was at `path` as it was."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.partial = _partial(path)
        self._placed = False
        _remove(self.partial)  # what a run stopped by force left

    def place(self) -> None:
        """The whole folder moved to `path`; what was there (a folder or a file) is moved aside
        first and removed once the new one is in."""
        aside = self.path.with_name(f".{self.path.name}.replaced")
        _remove(aside)
        moved = False
        try:
            if self.path.exists() or self.path.is_symlink():
                os.replace(self.path, aside)
                moved = True
            os.replace(self.partial, self.path)
        except OSError as exc:
            if moved:  # the earlier results back where they were
                os.replace(aside, self.path)
            raise _unwritable(self.path, exc) from None
        self._placed = True
        _remove(aside)

    def __enter__(self) -> FolderSink:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self._placed:
            _remove(self.partial)


def _remove(path: Path) -> None:
    """A file or folder gone, if there."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def write_parquet(frame: pl.DataFrame, path: Path) -> None:
    """A whole table written to `path`, moved there only once written."""
    try:
        pq.write_table(frame.to_arrow(), _partial(path))
    except OSError as exc:
        _discard(path)
        raise _unwritable(path, exc) from None
    _finish(path)
