"""A policy pack as a GoRules JSON Decision Model (JDM): one decision table, first hit, for the
zen-engine comparison in bench/batch.py.

The table's input is one procedure line's facts (the same values the engine reads); each rule
of the pack, in decision order, is two rows with one expression cell each. Unknown is null, and
three-valued logic is written out in two-valued expressions: `met` (the rule is surely met) and
`maybe` (it is not surely unmet). A rule surely met decides the line, unless an earlier rule that
may be met would decide it otherwise: then the line is insufficient_information. Tests the
engine runs as opaque Python checks (prior treatments) arrive as precomputed true/false/null
inputs, as the dataframe back ends receive them.
"""

from __future__ import annotations

import json
from typing import Any

from dermcover.engine.compile.ir import (
    AllIR,
    AnyIR,
    AnyPrefix,
    Between,
    InSet,
    IsFlag,
    LeafIR,
    NodeIR,
    NotIR,
    Opaque,
    Overlaps,
    Program,
    RefIR,
    RuleIR,
)


def _strings(values: Any) -> str:
    return json.dumps(sorted(values))


def _leaf(leaf: LeafIR) -> tuple[str, str]:
    """The (met, maybe) expressions of one fact test."""
    name = f"leaf_{leaf.number}" if isinstance(leaf.test, Opaque) else leaf.fact.name
    test = leaf.test
    if isinstance(test, Opaque):
        return f"{name} == true", f"{name} != false"
    if isinstance(test, InSet):
        holds = f"{name} in {_strings(test.values)}"
    elif isinstance(test, IsFlag):
        holds = f"{name} == {str(test.expected).lower()}"
    elif isinstance(test, Between):
        parts = [f"{name} >= {test.low}"] if test.low is not None else []
        parts += [f"{name} <= {test.high}"] if test.high is not None else []
        holds = " and ".join(parts)
    elif isinstance(test, Overlaps):
        holds = f"some({name}, # in {_strings(test.values)})"
    else:
        assert isinstance(test, AnyPrefix)
        starts = " or ".join(f'startsWith(#, "{prefix}")' for prefix in test.prefixes)
        holds = f"some({name}, {starts})"
    return f"({name} != null and {holds})", f"({name} == null or {holds})"


def _node(program: Program, node: NodeIR) -> tuple[str, str]:
    if isinstance(node, LeafIR):
        return _leaf(node)
    if isinstance(node, RefIR):
        return _node(program, program.criteria[node.criterion_id])
    if isinstance(node, NotIR):
        met, maybe = _node(program, node.child)
        return f"not ({maybe})", f"not ({met})"
    parts = [_node(program, child) for child in node.children]
    join = " and " if isinstance(node, AllIR) else " or "
    assert isinstance(node, AllIR | AnyIR)
    return (
        "(" + join.join(met for met, _ in parts) + ")",
        "(" + join.join(maybe for _, maybe in parts) + ")",
    )


def _rule(program: Program, rule: RuleIR) -> tuple[str, str]:
    met, maybe = _node(program, rule.root) if rule.root is not None else ("true", "true")
    if rule.procedures is not None:
        kinds = f"procedure_kind in {_strings(rule.procedures)}"
        met, maybe = f"({kinds} and {met})", f"({kinds} and {maybe})"
    return met, maybe


def decision_model(program: Program) -> str:
    """The JDM text of `program` as one first-hit decision table."""
    rows: list[dict[str, str]] = []
    statuses = [_rule(program, rule) for rule in program.rules]
    for rule, (met, _) in zip(program.rules, statuses, strict=True):
        rivals = [
            maybe
            for other, (_, maybe) in zip(program.rules, statuses, strict=True)
            if other.index < rule.index and other.outcome is not rule.outcome
        ]
        if rivals:
            rows.append(
                _row(f"{met} and ({' or '.join(rivals)})", None, "insufficient_information")
            )
        rows.append(_row(met, rule.id, rule.outcome.value))
    nodes = [
        {"id": "in", "type": "inputNode", "name": "line", "position": {"x": 0, "y": 0}},
        {"id": "out", "type": "outputNode", "name": "result", "position": {"x": 400, "y": 0}},
        {
            "id": "table",
            "type": "decisionTableNode",
            "name": program.pack.id,
            "position": {"x": 200, "y": 0},
            "content": {
                "hitPolicy": "first",
                "inputs": [{"id": "when", "name": "when", "type": "expression", "field": ""}],
                "outputs": [
                    {"id": "outcome", "name": "outcome", "type": "expression", "field": "outcome"},
                    {"id": "rule", "name": "rule", "type": "expression", "field": "rule"},
                ],
                "rules": rows,
            },
        },
    ]
    edges = [
        {"id": "e1", "sourceId": "in", "targetId": "table", "type": "edge"},
        {"id": "e2", "sourceId": "table", "targetId": "out", "type": "edge"},
    ]
    model = {"contentType": "application/vnd.gorules.decision", "nodes": nodes, "edges": edges}
    return json.dumps(model)


def _row(when: str, rule_id: str | None, outcome: str) -> dict[str, str]:
    return {
        "_id": f"row{abs(hash((when, rule_id, outcome)))}",
        "when": when,
        "outcome": json.dumps(outcome),
        "rule": json.dumps(rule_id),
    }
