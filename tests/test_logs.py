"""The service's log: exceptions without their messages, paths without their query strings."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from dermcover.logs import WITHHELD, configure_logging


@pytest.fixture
def service_log() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    configure_logging(logging.INFO, stream=stream)
    yield stream
    root.handlers[:], _ = saved
    root.setLevel(saved[1])


def test_an_exception_is_logged_with_its_type_and_place_but_not_its_message(
    service_log: io.StringIO,
) -> None:
    patient = {"name": "Imogen Tarrant-Vance", "birth_date": "1961-02-03"}

    def save_case(facts: dict[str, str]) -> None:
        raise ValueError(f"patient {facts['name']}, born {facts['birth_date']}")

    try:
        try:
            save_case(patient)
        except ValueError as exc:
            raise RuntimeError(f"could not save {patient['name']}") from exc
    except RuntimeError:
        logging.getLogger("dermcover.web").exception("saving a case failed")
    written = service_log.getvalue()
    assert "saving a case failed" in written
    assert "builtins.ValueError" in written and "builtins.RuntimeError" in written
    assert "in save_case" in written
    assert WITHHELD in written
    assert "Imogen" not in written and "1961" not in written


def test_an_access_log_line_keeps_the_path_and_drops_the_query(service_log: io.StringIO) -> None:
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/cases?q=Imogen", "1.1", 200
    )
    assert '"GET /cases HTTP/1.1" 200' in service_log.getvalue()
    assert "Imogen" not in service_log.getvalue()


def test_the_server_writes_one_line_a_request_not_uvicorns_access_line_too() -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    try:
        configure_logging(logging.INFO, stream=stream, access_log=False)
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "POST", "/api/v1/cases", "1.1", 200
        )
        logging.getLogger("dermcover.web").info("POST /api/v1/cases 200 1.0ms")
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
        configure_logging(logging.INFO, stream=io.StringIO())  # the access log routed again
        root.handlers[:] = saved[0]
    assert stream.getvalue().count("/api/v1/cases") == 1
    assert "dermcover.web" in stream.getvalue()


def test_configuring_twice_leaves_one_handler(service_log: io.StringIO) -> None:
    configure_logging(logging.INFO, stream=service_log)
    logging.getLogger("dermcover").warning("once")
    assert service_log.getvalue().count("once") == 1
