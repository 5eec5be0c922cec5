"""A pack's intermediate form: facts as columns, Kleene all/any/not, the rule walk in order.

Every back end (generated Python, polars, Spark SQL) starts here, so that the three cannot drift
apart. `lower(pack)` numbers every node of every criteria tree once, turns each fact test into a
small `Test` value the back ends know how to express, and lists the rules in decision order.

A fact test the back ends have no expression for (a test kind added to the vocabulary later) is
lowered to `Opaque`: the back ends then run the reference check itself, in Python, once per
distinct value of the fact. So a new fact or test works at once, correctly; giving its kind an
entry in `_LOWERINGS` only makes it faster.

Statuses are small integers ordered not_met < unknown < met: Kleene's `all` is then the minimum,
`any` the maximum and `not` is 2 - x.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from dermcover.case import ProcedureKind
from dermcover.determination import Outcome, PriorAuthorizationNeed, Status
from dermcover.engine.facts import Fact
from dermcover.engine.pack import Pack, Rule
from dermcover.engine.tree import All, AnyOf, Leaf, Not
from dermcover.engine.tree import Node as TreeNode

NOT_MET, UNKNOWN, MET = 0, 1, 2
STATUS_OF = (Status.not_met, Status.unknown, Status.met)
CODE_OF = {status: code for code, status in enumerate(STATUS_OF)}


# ---------------------------------------------------------------------------------------------
# Fact tests the back ends can express. Every one is unknown when the fact's value is unknown.


@dataclass(frozen=True, slots=True)
class InSet:
    """A single value is one of `values` (enum values compare as their strings)."""

    values: frozenset[str]


@dataclass(frozen=True, slots=True)
class IsFlag:
    expected: bool


@dataclass(frozen=True, slots=True)
class Between:
    low: float | None
    high: float | None


@dataclass(frozen=True, slots=True)
class Overlaps:
    """A list value holds at least one of `values`."""

    values: frozenset[str]


@dataclass(frozen=True, slots=True)
class AnyPrefix:
    """A list of codes holds one that starts with one of `prefixes`."""

    prefixes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Opaque:
    """Any other test: the reference check, run in Python."""


Test = InSet | IsFlag | Between | Overlaps | AnyPrefix | Opaque


def _strings(raw: Any) -> frozenset[str]:
    items = raw if isinstance(raw, list) else [raw]
    return frozenset(str(item.value if isinstance(item, StrEnum) else item) for item in items)


def _enum_of(fact: Fact) -> type[StrEnum] | None:
    allowed = inspect.getclosurevars(fact.compile).nonlocals.get("allowed")
    return allowed if isinstance(allowed, type) and issubclass(allowed, StrEnum) else None


def _membership(fact: Fact, spec: Mapping[str, Any]) -> Test:
    return InSet(_strings(spec["in"] if "in" in spec else spec["is"]))


def _members(fact: Fact, spec: Mapping[str, Any]) -> Test:
    if "any" in spec:
        return Overlaps(_strings(spec["any"]))
    enum = _enum_of(fact)
    if enum is None:
        return Opaque()
    return Overlaps(frozenset(member.value for member in enum) - _strings(spec["any_except"]))


def _flag(fact: Fact, spec: Mapping[str, Any]) -> Test:
    return IsFlag(bool(spec["is"]))


def _number(fact: Fact, spec: Mapping[str, Any]) -> Test:
    return Between(spec.get("at_least"), spec.get("at_most"))


def _diagnosis(fact: Fact, spec: Mapping[str, Any]) -> Test:
    return AnyPrefix(tuple(sorted(_strings(spec["prefixes"]))))


# One entry per kind of test in the vocabulary, keyed by the name of the function in
# engine/facts.py that compiles it.
_LOWERINGS: dict[str, Callable[[Fact, Mapping[str, Any]], Test]] = {
    "_membership": _membership,
    "_members": _members,
    "_flag": _flag,
    "_number": _number,
    "_diagnosis": _diagnosis,
}


def test_kind(fact: Fact) -> str:
    """The name of the vocabulary function that compiles this fact's tests."""
    return fact.compile.__qualname__.split(".")[0]


def lower_test(fact: Fact, spec: Mapping[str, Any]) -> Test:
    lowering = _LOWERINGS.get(test_kind(fact))
    return lowering(fact, spec) if lowering is not None else Opaque()


# ---------------------------------------------------------------------------------------------
# Nodes. Every node has a number, unique in its program; a reference to a named criterion is a
# node of its own whose status is the criterion's.


@dataclass(frozen=True, slots=True)
class LeafIR:
    id: int
    fact: Fact
    leaf: Leaf  # the reference test, for Opaque and for the trace's own words
    test: Test
    number: int  # position among the program's leaves


@dataclass(frozen=True, slots=True)
class AllIR:
    id: int
    children: tuple[NodeIR, ...]


@dataclass(frozen=True, slots=True)
class AnyIR:
    id: int
    children: tuple[NodeIR, ...]


@dataclass(frozen=True, slots=True)
class NotIR:
    id: int
    child: NodeIR


@dataclass(frozen=True, slots=True)
class RefIR:
    id: int
    criterion_id: str


NodeIR = LeafIR | AllIR | AnyIR | NotIR | RefIR


@dataclass(frozen=True, slots=True)
class RuleIR:
    index: int  # position in decision order; the pack's `otherwise` comes last
    rule: Rule
    root: NodeIR | None  # None: the rule always applies when its procedures do
    procedures: frozenset[ProcedureKind] | None
    refs_in_order: tuple[str, ...]  # named criteria in the order a walk first weighs them

    @property
    def id(self) -> str:
        return self.rule.criterion.id

    @property
    def outcome(self) -> Outcome:
        return self.rule.outcome

    @property
    def prior_authorization(self) -> PriorAuthorizationNeed:
        return self.rule.prior_authorization

    def applies_to(self, kind: ProcedureKind | None) -> bool:
        return self.procedures is None or kind in self.procedures


@dataclass
class Program:
    """A pack lowered: its named criteria (dependencies first), rules, leaves and facts."""

    pack: Pack
    criteria: dict[str, NodeIR]  # in an order where every criterion follows those it refers to
    rules: list[RuleIR]  # the pack's rules in decision order, then `otherwise`
    leaves: list[LeafIR] = field(default_factory=list)
    node_count: int = 0

    @property
    def otherwise(self) -> RuleIR:
        return self.rules[-1]

    @property
    def facts(self) -> list[Fact]:
        """Every fact the pack tests, once, in first-use order."""
        return list({leaf.fact.name: leaf.fact for leaf in self.leaves}.values())

    def rules_for(self, kind: ProcedureKind | None) -> list[RuleIR]:
        """The rules a line of this kind walks, in order, `otherwise` last."""
        return [rule for rule in self.rules[:-1] if rule.applies_to(kind)] + [self.otherwise]


def lower(pack: Pack) -> Program:
    program = Program(pack=pack, criteria={}, rules=[])

    def node(tree: TreeNode) -> NodeIR:
        number = program.node_count
        program.node_count += 1
        if isinstance(tree, Leaf):
            leaf = LeafIR(
                number,
                tree.fact,
                tree,
                lower_test(tree.fact, tree.test.spec),
                len(program.leaves),
            )
            program.leaves.append(leaf)
            return leaf
        if isinstance(tree, All):
            return AllIR(number, tuple(node(child) for child in tree.children))
        if isinstance(tree, AnyOf):
            return AnyIR(number, tuple(node(child) for child in tree.children))
        if isinstance(tree, Not):
            return NotIR(number, node(tree.child))
        return RefIR(number, tree.criterion_id)

    def add_criterion(criterion_id: str) -> None:
        if criterion_id in program.criteria:
            return
        tree = pack.trees[criterion_id]
        lowered = node(tree)
        for reference in _refs(lowered):
            add_criterion(reference)
        program.criteria[criterion_id] = lowered

    for criterion_id in pack.trees:
        add_criterion(criterion_id)
    for index, rule in enumerate((*pack.rules, pack.otherwise)):
        when = rule.criterion.when
        root = node(when) if when is not None else None
        program.rules.append(
            RuleIR(index, rule, root, rule.procedures, tuple(_first_weighed(program, root)))
        )
    return program


def _refs(node: NodeIR) -> Iterator[str]:
    if isinstance(node, RefIR):
        yield node.criterion_id
    elif isinstance(node, AllIR | AnyIR):
        for child in node.children:
            yield from _refs(child)
    elif isinstance(node, NotIR):
        yield from _refs(node.child)


def _first_weighed(program: Program, root: NodeIR | None) -> Iterator[str]:
    """Named criteria in the order an exhaustive walk of `root` finishes weighing them: a
    criterion's own references come before it, each criterion once."""
    seen: set[str] = set()

    def visit(node: NodeIR) -> Iterator[str]:
        for reference in _refs(node):
            if reference not in seen:
                seen.add(reference)
                yield from visit(program.criteria[reference])
                yield reference

    if root is not None:
        yield from visit(root)


def children(node: NodeIR) -> tuple[NodeIR, ...]:
    if isinstance(node, AllIR | AnyIR):
        return node.children
    if isinstance(node, NotIR):
        return (node.child,)
    return ()


def direct_leaves(node: NodeIR) -> Iterator[LeafIR]:
    """The fact tests written in a tree itself, not in the criteria it refers to."""
    if isinstance(node, LeafIR):
        yield node
    for child in children(node):
        yield from direct_leaves(child)


def question_leaves(
    node: NodeIR,
    status: Callable[[NodeIR], int],
    owner: str,
    program: Program,
    walked: set[str] | None = None,
) -> Iterator[tuple[LeafIR, str]]:
    """The fact tests whose unknown value keeps `node` unknown, each with the criterion it sits
    in, following only unknown parts (as the reference walker does).

    With `walked` (shared by the walks of one line's rules), a named criterion is walked the
    first time it is met and skipped after: under the same statuses it would give the same
    tests with the same criteria again, which add no question and no criterion to one."""
    if isinstance(node, LeafIR):
        if status(node) == UNKNOWN:
            yield node, owner
    elif isinstance(node, RefIR):
        if status(node) == UNKNOWN and (walked is None or node.criterion_id not in walked):
            if walked is not None:
                walked.add(node.criterion_id)
            yield from question_leaves(
                program.criteria[node.criterion_id], status, node.criterion_id, program, walked
            )
    elif isinstance(node, NotIR):
        yield from question_leaves(node.child, status, owner, program, walked)
    else:
        for child in children(node):
            if status(child) == UNKNOWN:
                yield from question_leaves(child, status, owner, program, walked)


def criteria_levels(program: Program) -> list[list[str]]:
    """The named criteria in levels: each refers only to criteria of earlier levels."""
    depth: dict[str, int] = {}
    for criterion_id, root in program.criteria.items():
        depth[criterion_id] = 1 + max((depth[ref] for ref in _refs(root)), default=-1)
    levels: list[list[str]] = [[] for _ in range(1 + max(depth.values(), default=-1))]
    for criterion_id, level in depth.items():
        levels[level].append(criterion_id)
    return levels


def leaf_paths(
    program: Program, node: NodeIR, above: tuple[NodeIR, ...] = ()
) -> Iterator[tuple[LeafIR, tuple[NodeIR, ...]]]:
    """Every leaf under `node` (through named criteria) with the nodes on the way to it, `node`
    itself left out: the reference walk asks about a leaf when all of them are unknown. (A
    `not` and the criterion a reference names have their child's status, so only one of each
    pair is listed.)"""
    if isinstance(node, LeafIR):
        yield node, above
    elif isinstance(node, RefIR):
        yield from leaf_paths(program, program.criteria[node.criterion_id], above)
    elif isinstance(node, NotIR):
        yield from leaf_paths(program, node.child, above)
    else:
        for child in children(node):
            yield from leaf_paths(program, child, (*above, child))
