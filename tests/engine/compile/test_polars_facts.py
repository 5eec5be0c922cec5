"""The derived facts polars computes as expressions equal, line by line, what the reference code
derives for the same lines (the value every other back end joins back)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl
from case_strategies import case_data
from differential import TODAY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dermcover.batch.run import programs_of
from dermcover.case import Case
from dermcover.engine import library
from dermcover.engine.compile.derived import DerivedValues, columns_for
from dermcover.engine.compile.flat import rows_of
from dermcover.engine.compile.polars import frame_of
from dermcover.engine.compile.polars_facts import EXPRESSIONS, PY_WHITESPACE, fact_expression
from dermcover.engine.plans import plan_library

# Around the day of the run, where an age turns over, and on 29 February.
BIRTH_DATES = [TODAY - timedelta(days=d) for d in (0, 1, 365, 366)] + [
    date(TODAY.year - 40, TODAY.month, TODAY.day),
    date(TODAY.year - 40, TODAY.month, TODAY.day + 1),
    date(2000, 2, 29),
    date(1988, 12, 31),
]
STATES = ["CA", " tx ", "ny\t", "Ca", "XX", "", "  ", "\x1cFL\x1f", "california", "D C"]


def _derived_columns() -> dict[str, Any]:
    """Every expressed fact's derived column, from whichever pack (or plan document) tests it."""
    out: dict[str, Any] = {}
    for program in programs_of(library(), plan_library()).values():
        for column in columns_for(program).derived:
            if fact_expression(column.name, TODAY) is not None:
                out[column.name] = column
    return out


COLUMNS = _derived_columns()


@st.composite
def with_more_fields(draw: st.DrawFn) -> dict[str, Any]:
    """Generated case data, with the fields the shared strategy leaves out."""
    data = dict(draw(case_data))
    condition = dict(data.get("condition", {}))
    for flag in (
        "recurrent",
        "hyperkeratotic",
        "atrophic_scars",
        "individual_treatment_impractical",
    ):
        if draw(st.booleans()):
            condition[flag] = draw(st.booleans())
    data["condition"] = condition
    if draw(st.booleans()):
        data["provider"] = {**data.get("provider", {}), "state": draw(st.sampled_from(STATES))}
    if draw(st.booleans()):
        data["patient"] = {"birth_date": draw(st.sampled_from(BIRTH_DATES)).isoformat()}
    return data


def test_the_state_is_trimmed_of_what_python_trims() -> None:
    """The provider's state is trimmed as the reference trims it (`str.strip`), whichever
    whitespace surrounds it; a character Python does not count as whitespace stays."""
    spaces = [chr(point) for point in range(0x110000) if chr(point).isspace()]
    assert "".join(spaces) == PY_WHITESPACE
    states = [f"{space}al{space}" for space in spaces] + ["\u200bal"]  # zero-width: not a space
    frame = pl.DataFrame({"provider.state": states})
    found = frame.select(fact_expression("fact:provider_state", TODAY)).to_series().to_list()
    assert found == ["AL"] * len(spaces) + [None]


def test_every_expression_is_some_pack_s_derived_fact() -> None:
    assert {name.removeprefix("fact:") for name in COLUMNS} == set(EXPRESSIONS)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(with_more_fields(), min_size=20, max_size=40))
def test_expressions_give_the_reference_values(batch: list[dict[str, Any]]) -> None:
    cases = [Case.model_validate(data) for data in batch]
    rows = [row for case in cases for row in rows_of(case.model_dump(mode="json"))]
    frame = frame_of(rows)
    values = DerivedValues(TODAY)
    for name, column in COLUMNS.items():
        expressed = frame.select(fact_expression(name, TODAY))[name].to_list()
        reference = values.values(column, frame.select(column.inputs).rows(named=True))
        assert expressed == reference, name
