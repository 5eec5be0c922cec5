"""No patient's details reach a log, even with every logger, SQL included, turned up to DEBUG."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import date

import pytest
from pydantic import ValidationError
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from store_support import TODAY, Store, burn_case

from dermcover.case import Case
from dermcover.logs import configure_logging
from dermcover.store.models import CaseRecord
from dermcover.store.timeline import EventKind

PATIENT = "Philomena Quackenbush-Oyelaran"


@pytest.fixture
def service_log() -> Iterator[io.StringIO]:
    """The service's own log, as `configure_logging` sets it up, captured."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    configure_logging(logging.DEBUG, stream=stream)
    yield stream
    root.handlers[:], _ = saved
    root.setLevel(saved[1])


def test_a_case_write_leaves_no_trace_of_the_patient(
    store: Store, staff: int, service_log: io.StringIO, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")  # as if someone debugged SQL
    data = burn_case().model_dump(mode="json", exclude_none=True)
    data["patient"] = {"name": PATIENT, "age": 52}
    case = Case.model_validate(data)

    case_id = store.cases.create_case(case, actor=staff, today=TODAY).id
    store.cases.add_event(
        case_id,
        EventKind.pa_denied,
        date(2026, 3, 2),
        actor=staff,
        notes=f"Spoke with {PATIENT} about the denial",
        today=TODAY,
    )
    store.cases.get_case(case_id, actor=staff)
    store.cases.list_cases(actor=staff)
    failures = logging.getLogger("dermcover.web")

    def by_nobody(_mapper: object, _connection: object, row: CaseRecord) -> None:
        row.created_by = 987654  # an account that does not exist: the INSERT fails

    event.listen(CaseRecord, "before_insert", by_nobody)
    try:
        with pytest.raises(IntegrityError):
            store.cases.create_case(case, actor=staff, today=TODAY)
        try:
            store.cases.create_case(case, actor=staff, today=TODAY)
        except IntegrityError:
            failures.exception("saving a case failed")
    finally:
        event.remove(CaseRecord, "before_insert", by_nobody)
    try:
        Case.model_validate({**data, "patient": {"name": PATIENT, "age": "fifty"}})
    except ValidationError:
        failures.exception("a case did not validate")

    sql = [r.getMessage() for r in caplog.records if r.name.startswith("sqlalchemy.engine")]
    assert any("INSERT INTO cases" in message for message in sql)  # SQL was logged...
    assert all(PATIENT not in r.getMessage() for r in caplog.records)  # ...without its values
    written = service_log.getvalue()
    assert "IntegrityError" in written and "ValidationError" in written
    assert PATIENT not in written
    assert "Spoke with" not in written
