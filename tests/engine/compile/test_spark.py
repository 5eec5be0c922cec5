"""Spark SQL columns against the tree walker, in local mode: every fixture of every pack and a
few hundred generated cases, one Spark job per pack, in the session every Spark test shares."""

from __future__ import annotations

from typing import Any

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
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from dermcover.case import Case
from dermcover.engine import library
from dermcover.engine.compile.derived import DerivedValues
from dermcover.engine.compile.flat import rows_of
from dermcover.engine.compile.python import compiled
from dermcover.engine.plans import plan_library, with_plan


def decided(
    spark: Any, pack_id: str, batch: list[Case], plan_id: str | None = None
) -> list[LineResult]:
    from dermcover.engine.compile.spark import decide, schema

    layout = schema()
    rows = [
        tuple(_typed(row.get(field.name), field.dataType.typeName()) for field in layout.fields)
        for case in batch
        for row in rows_of(case.model_dump(mode="json"))
    ]
    pack = library().get(pack_id)
    if plan_id is not None:
        pack = with_plan(pack, plan_library().get(plan_id))
    program = compiled(pack).program
    out = decide(spark, program, spark.createDataFrame(rows, layout), DerivedValues(TODAY))
    out = out.select("case_id", "line", "outcome", "decided_by", "prior_authorization", "questions")
    # Spark keeps no row order through joins: put the lines back in case order.
    ordered = sorted(out.collect(), key=lambda r: (int(r[0]), r[1]))
    return [LineResult(r[2], r[3], r[4], list(r[5])) for r in ordered]


def _typed(value: Any, type_name: str) -> Any:
    if type_name == "date" and isinstance(value, str):
        from datetime import date

        return date.fromisoformat(value)
    return value


def expected(pack_id: str, batch: list[Case]) -> list[LineResult]:
    pack = library().get(pack_id)
    return [line for case in batch for line in reference(pack, case)]


@pytest.mark.parametrize("pack_id", PACK_IDS)
@settings(
    max_examples=1,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
)
@given(batch=st.lists(cases, min_size=30, max_size=40))
def test_fixtures_and_generated_cases_decide_as_the_walker_does(
    spark: Any, pack_id: str, batch: list[Case]
) -> None:
    everything = [
        case.model_copy(update={"id": str(number)})
        for number, case in enumerate([*fixture_cases(pack_id), *batch])
    ]
    assert decided(spark, pack_id, everything) == expected(pack_id, everything)


@pytest.mark.parametrize("plan_id", PLAN_IDS)
@settings(
    max_examples=1,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
)
@given(data=st.data())
def test_cases_naming_a_plan_decide_as_the_walker_does(
    spark: Any, plan_id: str, data: st.DataObject
) -> None:
    generated = data.draw(st.lists(naming_plan(plan_id), min_size=30, max_size=40))
    everything = [
        case.model_copy(update={"id": str(number)})
        for number, case in enumerate([*plan_fixture_cases(plan_id), *generated])
    ]
    policy = plan_library().get(plan_id).spec.policy
    assert decided(spark, policy, everything, plan_id) == expected_lines(everything)
