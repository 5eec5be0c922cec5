"""Logging for the service and the CLI, built so that no case content reaches a log.

Three guards, because a log line is read by more people, and kept longer, than a case record:

- SQL is never logged with its values: every engine hides statement parameters
  (`dermcover.store.database`), and the SQL loggers stay at WARNING here.
- Exceptions are logged with their type and traceback, never their message: a validation error's
  message quotes the input it rejected, which may be a patient's name.
- Access-log lines keep the path but drop the query string, where a search term would sit.

Our own modules log ids and actions only ("case 12: event added"), never a field of a case.
"""

from __future__ import annotations

import logging
import sys
import time
import traceback
from types import TracebackType
from typing import TextIO

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
WITHHELD = "(message withheld: it may quote case content)"
QUIET = ("sqlalchemy.engine", "sqlalchemy.pool", "sqlalchemy.orm")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class WithoutCaseContent(logging.Formatter):
    """Formats exceptions as type and traceback only; the time's text is made once a second."""

    _second: int | None = None
    _stamp = ""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        if datefmt is not None or self.datefmt is not None:
            return super().formatTime(record, datefmt)
        second = int(record.created)
        if second != self._second:  # the handler's lock is held: one record at a time
            self._second = second
            self._stamp = time.strftime(self.default_time_format, self.converter(second))
        return f"{self._stamp},{int(record.msecs):03d}"  # as logging.Formatter writes it

    def format(self, record: logging.LogRecord) -> str:
        # Another handler may have cached the full exception text on the record already.
        cached, record.exc_text = record.exc_text, None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatException(self, ei: ExcInfo | tuple[None, None, None]) -> str:
        _, exc, _ = ei
        if exc is None:
            return ""
        return "\n".join(_describe(exc, seen=set()))


def _describe(exc: BaseException, seen: set[int]) -> list[str]:
    seen.add(id(exc))
    lines: list[str] = []
    cause = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    if cause is not None and id(cause) not in seen:
        lines += _describe(cause, seen)
        lines.append("which led to:")
    lines.append("Traceback (most recent call last):")
    lines += [frame.rstrip("\n") for frame in traceback.format_tb(exc.__traceback__)]
    lines.append(f"{type(exc).__module__}.{type(exc).__qualname__}: {WITHHELD}")
    return lines


class DropQueryString(logging.Filter):
    """For uvicorn's access log, whose arguments are (client, method, path, version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], args[2].split("?", 1)[0], args[3], args[4])
        return True


def log_quickly(logger: logging.Logger, level: int, message: str, *args: object) -> None:
    """`logger.log(level, message, *args)` without looking up the calling file and line, which
    no format here shows: for the line the service writes on every request."""
    if logger.isEnabledFor(level):
        logger.handle(logger.makeRecord(logger.name, level, __file__, 0, message, args, None))


def configure_logging(
    level: int | str = logging.INFO, stream: TextIO | None = None, *, access_log: bool = True
) -> None:
    """One handler on the root logger, with the guards above; safe to call more than once.

    `access_log=False` keeps uvicorn's access log off: uvicorn turns it off (`access_log=False`)
    by cutting its logger from the root, and routing its records through ours would turn it on
    again, a second line for every request."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(WithoutCaseContent(FORMAT))
    handler.addFilter(DropQueryString())
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h.formatter, WithoutCaseContent)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        # uvicorn's own handlers would print exceptions and queries as they are; route its
        # records through ours instead.
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = access_log or name != "uvicorn.access"
