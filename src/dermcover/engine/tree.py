"""Criteria trees: `all`, `any` and `not` over fact tests and named criteria.

A pack writes a tree as plain data:

    all:
      - {fact: condition_kind, in: [actinic_keratosis]}
      - aetna.0251.failed-topical          # a named criterion, by id
      - not: {fact: purpose, in: [appearance]}

`compile_tree` turns that into nodes (and says where it is wrong); `evaluate` decides a node in
three-valued logic for one procedure line, remembering named criteria so each is weighed once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dermcover.determination import Status
from dermcover.engine.facts import FACTS, Fact, LineView, PackSyntaxError, Test
from dermcover.engine.logic import MET, NOT_MET, UNKNOWN, all_of, any_of, negate

Path = tuple[int | str, ...]


@dataclass(frozen=True, slots=True)
class Leaf:
    fact: Fact
    test: Test

    def status(self, view: LineView) -> Status:
        return self.test.check(self.fact.read(view))


@dataclass(frozen=True, slots=True)
class All:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


@dataclass(frozen=True, slots=True)
class Ref:
    criterion_id: str


Node = Leaf | All | AnyOf | Not | Ref


class TreeError(ValueError):
    """A tree that does not compile; `path` says where in the pack file it is."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(message)
        self.path = path


def compile_tree(raw: Any, path: Path) -> Node:
    if isinstance(raw, str):
        return Ref(raw)
    if not isinstance(raw, Mapping):
        raise TreeError(path, f"a criterion is a mapping or a criterion id, not {raw!r}")
    keys = set(raw)
    if keys == {"all"} or keys == {"any"}:
        key = next(iter(keys))
        items = raw[key]
        if not isinstance(items, list) or not items:
            raise TreeError((*path, key), f"`{key}` takes a non-empty list")
        children = tuple(compile_tree(item, (*path, key, n)) for n, item in enumerate(items))
        return All(children) if key == "all" else AnyOf(children)
    if keys == {"not"}:
        return Not(compile_tree(raw["not"], (*path, "not")))
    if "fact" in keys:
        name = raw["fact"]
        fact = FACTS.get(name)
        if fact is None:
            raise TreeError(
                (*path, "fact"),
                f"unknown fact {name!r}; known facts: {', '.join(sorted(FACTS))}",
            )
        params = {key: value for key, value in raw.items() if key != "fact"}
        try:
            return Leaf(fact, fact.compile(params))
        except PackSyntaxError as exc:
            raise TreeError(path, f"fact {name}: {exc}") from None
    raise TreeError(
        path, f"unknown node with keys {sorted(keys)}; use all, any, not, or fact with a test"
    )


def references(node: Node) -> Iterator[str]:
    """The ids of the named criteria a tree refers to directly."""
    if isinstance(node, Ref):
        yield node.criterion_id
    elif isinstance(node, All | AnyOf):
        for child in node.children:
            yield from references(child)
    elif isinstance(node, Not):
        yield from references(node.child)


def leaves(node: Node) -> Iterator[Leaf]:
    """The fact tests written directly in a tree (not those inside referenced criteria)."""
    if isinstance(node, Leaf):
        yield node
    elif isinstance(node, All | AnyOf):
        for child in node.children:
            yield from leaves(child)
    elif isinstance(node, Not):
        yield from leaves(node.child)


class Resolver:
    """How a tree reaches named criteria: their trees, and a memo of their statuses per line."""

    def __init__(self, trees: Mapping[str, Node], exhaustive: bool = True) -> None:
        self.trees = trees
        # Exhaustive: weigh every part of a tree even once its value is settled, so the trace
        # shows every criterion a rule refers to. Off, `all` and `any` stop early (faster).
        self.exhaustive = exhaustive
        self.memo: dict[str, Status] = {}
        self.order: list[str] = []

    def status_of(self, criterion_id: str, view: LineView) -> Status:
        status = self.memo.get(criterion_id)
        if status is None:
            status = evaluate(self.trees[criterion_id], view, self)
            self.memo[criterion_id] = status
            self.order.append(criterion_id)
        return status


def evaluate(node: Node, view: LineView, resolver: Resolver) -> Status:
    if isinstance(node, Leaf):
        return node.status(view)
    if isinstance(node, All | AnyOf):
        combine = all_of if isinstance(node, All) else any_of
        if resolver.exhaustive:
            return combine([evaluate(child, view, resolver) for child in node.children])
        # Stop at the first part that settles the whole: not met for `all`, met for `any`.
        settles = NOT_MET if isinstance(node, All) else MET
        result = MET if settles is NOT_MET else NOT_MET
        for child in node.children:
            status = evaluate(child, view, resolver)
            if status is settles:
                return status
            if status is UNKNOWN:
                result = UNKNOWN
        return result
    if isinstance(node, Not):
        return negate(evaluate(node.child, view, resolver))
    return resolver.status_of(node.criterion_id, view)


def unknown_leaves(
    node: Node, view: LineView, resolver: Resolver, owner: str
) -> Iterator[tuple[Leaf, str]]:
    """The fact tests whose unknown value keeps `node` unknown, each with the criterion it sits
    in. Only children that are themselves unknown are followed: a settled part asks nothing."""
    if isinstance(node, Leaf):
        if node.status(view) is UNKNOWN:
            yield node, owner
    elif isinstance(node, All | AnyOf):
        for child in node.children:
            if evaluate(child, view, resolver) is UNKNOWN:
                yield from unknown_leaves(child, view, resolver, owner)
    elif isinstance(node, Not):
        yield from unknown_leaves(node.child, view, resolver, owner)
    elif resolver.status_of(node.criterion_id, view) is UNKNOWN:
        yield from unknown_leaves(
            resolver.trees[node.criterion_id], view, resolver, node.criterion_id
        )
