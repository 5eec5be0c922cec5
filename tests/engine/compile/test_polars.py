"""polars expressions against the tree walker: on every fixture of every pack and on generated
cases, each line's outcome, deciding rule, prior authorization and question fields are the
walker's."""

from __future__ import annotations

import pytest
from case_strategies import cases, naming_plan
from differential import (
    PACK_IDS,
    PLAN_IDS,
    TODAY,
    LineResult,
    expected_lines,
    fixture_cases,
    plan_fixture_cases,
    reference,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dermcover.batch.lines import PROGRAM, with_policy
from dermcover.batch.lines import decided as decided_in_batch
from dermcover.batch.run import programs_of
from dermcover.case import Case
from dermcover.engine import library
from dermcover.engine.compile.derived import DerivedValues
from dermcover.engine.compile.flat import rows_of
from dermcover.engine.compile.polars import Decider, decide, frame_of
from dermcover.engine.compile.python import compiled
from dermcover.engine.plans import plan_library


def decided(pack_id: str, batch: list[Case]) -> list[LineResult]:
    rows = [row for case in batch for row in rows_of(case.model_dump(mode="json"))]
    program = compiled(library().get(pack_id)).program
    out = decide(program, frame_of(rows), DerivedValues(TODAY))
    return [
        LineResult(*row)
        for row in out.select("outcome", "decided_by", "prior_authorization", "questions").rows()
    ]


def expected(pack_id: str, batch: list[Case]) -> list[LineResult]:
    pack = library().get(pack_id)
    return [line for case in batch for line in reference(pack, case)]


@pytest.mark.parametrize("pack_id", PACK_IDS)
def test_every_fixture_decides_as_the_walker_does(pack_id: str) -> None:
    batch = fixture_cases(pack_id)
    assert decided(pack_id, batch) == expected(pack_id, batch)


@pytest.mark.parametrize("pack_id", PACK_IDS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(cases, min_size=25, max_size=40))
def test_generated_cases_decide_as_the_walker_does(pack_id: str, batch: list[Case]) -> None:
    assert decided(pack_id, batch) == expected(pack_id, batch)


def in_batch(batch: list[Case]) -> list[LineResult]:
    """Lines decided as `dermcover batch` decides them: each case's pack chosen from the
    case, under the plan document it names, every program in one table."""
    rows = [row for case in batch for row in rows_of(case.model_dump(mode="json"))]
    frame = with_policy(frame_of(rows), None, plan_library())
    decider = Decider(programs_of(library(), plan_library()), DerivedValues(TODAY))
    out = decided_in_batch(frame, decider)
    return [
        LineResult(*row)
        for row in out.select("outcome", "decided_by", "prior_authorization", "questions").rows()
    ]


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_plan_fixtures_decide_as_the_walker_does_under_the_plan(plan_id: str) -> None:
    batch = plan_fixture_cases(plan_id)
    exclusions = {rule.criterion.id for rule in plan_library().get(plan_id).compiled.rules}
    # The fixtures reach the plan's own exclusions, so a batch that ignored them would differ.
    assert any(line.decided_by in exclusions for line in expected_lines(batch))
    assert in_batch(batch) == expected_lines(batch)


@pytest.mark.parametrize("plan_id", PLAN_IDS)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(cases, min_size=10, max_size=20), data=st.data())
def test_cases_naming_a_plan_decide_as_the_walker_does_among_others(
    plan_id: str, batch: list[Case], data: st.DataObject
) -> None:
    under_plan = data.draw(st.lists(naming_plan(plan_id), min_size=10, max_size=20))
    mixed = [case for pair in zip(batch, under_plan, strict=False) for case in pair]
    assert in_batch(mixed) == expected_lines(mixed)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    first=st.lists(cases, min_size=15, max_size=30),
    second=st.lists(cases, min_size=15, max_size=30),
)
def test_one_decider_chunk_after_chunk_decides_each_as_the_walker_does(
    first: list[Case], second: list[Case]
) -> None:
    """A run's decider keeps what it has worked out from chunk to chunk (the derived facts
    by their inputs, the fields asked by pattern): chunks decided one after another, some
    met again, each still get the walker's results."""
    decider = Decider(programs_of(library(), plan_library()), DerivedValues(TODAY))
    for batch in (first, second, first, second + first):
        rows = [row for case in batch for row in rows_of(case.model_dump(mode="json"))]
        out = decided_in_batch(with_policy(frame_of(rows), None, plan_library()), decider)
        got = out.select("outcome", "decided_by", "prior_authorization", "questions").rows()
        assert [LineResult(*row) for row in got] == expected_lines(batch)


def test_a_line_whose_program_is_unknown_gets_nulls_and_the_rest_keep_their_places() -> None:
    """Lines of several programs and of none, interleaved: each decided line gets the
    walker's result at its own place, and a line under no known program gets no result."""
    import polars as pl

    batch = fixture_cases("uhc")[:6] + fixture_cases("cigna")[:6]
    rows = [row for case in batch for row in rows_of(case.model_dump(mode="json"))]
    frame = with_policy(frame_of(rows), None, plan_library())
    unknown = [n % 3 == 1 for n in range(frame.height)]
    frame = frame.with_columns(
        pl.when(pl.Series(unknown))
        .then(pl.lit("no-such-pack"))
        .otherwise(pl.col(PROGRAM))
        .alias(PROGRAM)
    )
    decider = Decider(programs_of(library(), plan_library()), DerivedValues(TODAY))
    out = decided_in_batch(frame, decider)
    got = out.select("outcome", "decided_by", "prior_authorization", "questions").rows()
    walked = expected_lines(batch)
    assert len(got) == len(walked) == len(unknown)
    for row, line, none in zip(got, walked, unknown, strict=True):
        assert row == ((None, None, None, None) if none else tuple(line))


def test_unknown_is_null_and_null_is_kleene() -> None:
    """The property the whole back end rests on: polars' & and | on nulls are Kleene's."""
    import polars as pl

    frame = pl.DataFrame(
        {"unknown": [None], "no": [False], "yes": [True]},
        schema={"unknown": pl.Boolean, "no": pl.Boolean, "yes": pl.Boolean},
    )
    row = frame.select(
        (pl.col("unknown") & pl.col("no")).alias("and_no"),
        (pl.col("unknown") & pl.col("yes")).alias("and_yes"),
        (pl.col("unknown") | pl.col("yes")).alias("or_yes"),
        (pl.col("unknown") | pl.col("no")).alias("or_no"),
        (~pl.col("unknown")).alias("not"),
    ).row(0)
    assert row == (False, None, True, None, None)


def test_a_flat_table_holds_each_rows_own_lists_however_often_they_repeat() -> None:
    """Lists are made once per distinct list and gathered onto their rows: each row still
    holds its own, an empty list stays a known "none" and a missing one unknown."""
    treatments = [
        [{"name": "cryotherapy", "outcome": "failed", "months": 2.0, "kind": None}],
        [{"name": "cryotherapy", "outcome": "failed", "months": 3.0, "kind": None}],
        [],
        None,
    ]
    diagnoses = [["L57.0"], ["L57.0", "L90.5"], [], None, ["L90.5", "L57.0"]]
    cases = [
        {
            "condition": {"diagnoses": diagnoses[n % 5]} if diagnoses[n % 5] is not None else {},
            "prior_treatments": treatments[n % 4],
            "procedures": [{"kind": "chemical_peel"}],
        }
        for n in range(40)
    ]
    rows = [row for case in cases for row in rows_of(case)]

    frame = frame_of(rows)

    assert frame["condition.diagnoses"].to_list() == [diagnoses[n % 5] for n in range(40)]
    assert frame["prior_treatments"].to_list() == [treatments[n % 4] for n in range(40)]
