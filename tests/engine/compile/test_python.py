"""The generated Python against the tree walker: every line of every fixture of every pack, and
generated cases, give the same line (outcome, deciding rule, prior authorization, reasons, the
full trace) and the same questions."""

from __future__ import annotations

import pytest
from case_strategies import cases
from differential import PACK_IDS, TODAY, fixture_cases
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dermcover.case import Case, ProcedureKind
from dermcover.engine import library
from dermcover.engine.decide import TraceLevel, _decide_line, walk_line
from dermcover.engine.facts import line_views

TRACES: list[TraceLevel] = ["none", "criteria", "full"]


def assert_same(pack_id: str, case: Case, trace: TraceLevel) -> None:
    pack = library().get(pack_id)
    for view in line_views(case, TODAY):
        walked = walk_line(pack, view, trace)
        made = _decide_line(pack, view, trace)
        assert made.line == walked.line
        assert made.questions == walked.questions
        assert [rule.criterion.id for rule in made.possible] == [
            rule.criterion.id for rule in walked.possible
        ]


@pytest.mark.parametrize("trace", TRACES)
@pytest.mark.parametrize("pack_id", PACK_IDS)
def test_every_fixture_decides_as_the_walker_does(pack_id: str, trace: TraceLevel) -> None:
    for case in fixture_cases(pack_id):
        assert_same(pack_id, case, trace)


@pytest.mark.parametrize("pack_id", PACK_IDS)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(cases, min_size=15, max_size=25), trace=st.sampled_from(TRACES))
def test_generated_cases_decide_as_the_walker_does(
    pack_id: str, batch: list[Case], trace: TraceLevel
) -> None:
    for case in batch:
        assert_same(pack_id, case, trace)


def test_the_generated_walk_is_readable_python() -> None:
    from dermcover.engine.compile.python import compiled

    source = compiled(library().get("aetna")).source(ProcedureKind.chemical_peel)
    assert source.startswith("def walk(view):")
    compile(source, "walk", "exec")
