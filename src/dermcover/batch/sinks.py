"""Writing a batch run's results as they come: one row per line to Parquet or NDJSON, and the
refused rows to an NDJSON rejects file."""

from __future__ import annotations

import json
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


class LineSink:
    """The per-line results file, written chunk by chunk (Parquet row groups, NDJSON lines)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.kind = format_of(path)
        self._parquet: pq.ParquetWriter | None = None
        self._text: IO[bytes] | None = None

    def write(self, frame: pl.DataFrame) -> None:
        if self.kind == "parquet":
            table = frame.to_arrow()
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(
                    self.path,
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
                self._text = self.path.open("wb")
            frame.write_ndjson(self._text)

    def close(self, empty: pl.DataFrame) -> None:
        if self.kind == "parquet" and self._parquet is None:
            self.write(empty)  # an input with no valid rows still gives a readable file
        if self._parquet is not None:
            self._parquet.close()
        if self.kind == "ndjson" and self._text is None:
            self._text = self.path.open("wb")
        if self._text is not None:
            self._text.close()

    def __enter__(self) -> LineSink:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None
        if self._text is not None:
            self._text.close()
            self._text = None


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
    """Refused rows, one JSON object a line: the input row, the case id if any, the error."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stream = path.open("w", encoding="utf-8")

    def write(self, rejects: list[Reject]) -> None:
        for reject in rejects:
            record = {"row": reject.row, "case_id": reject.case_id, "error": reject.error}
            self._stream.write(json.dumps(record) + "\n")

    def close(self) -> None:
        self._stream.close()


def write_parquet(frame: pl.DataFrame, path: Path) -> None:
    pq.write_table(frame.to_arrow(), path)
