"""The intermediate form as generated Python: what the in-process engine runs for every line.

Two functions are generated from a pack's program:

- `walk_<kind>(view)`, one per procedure kind, made on first use: the rules that weigh that kind,
  in decision order, each tree as one expression with `all`/`any` stopping at the first part that
  settles them; facts are read and named criteria weighed only when first needed, then
  remembered. It returns the rules weighed with their statuses, which is all an outcome needs.
- `weigh_all(view)`: every node of every tree, every fact read; the slower pass the trace and
  the questions are made from.

Statuses are the small integers of `ir` (0 not met, 1 unknown, 2 met).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from dermcover.case import ProcedureKind
from dermcover.engine.compile.ir import (
    CODE_OF,
    AllIR,
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
    lower,
)
from dermcover.engine.facts import LineView
from dermcover.engine.pack import Pack


class _Unread:
    """A fact not read yet (None is a fact's value: unknown)."""


_UNREAD = _Unread()

Weighed = list[tuple[int, int]]  # (rule index, status), in the order weighed


@dataclass(frozen=True, slots=True)
class Weights:
    """Everything the slow pass weighed: node statuses by node id, fact values by fact name."""

    statuses: list[int]
    values: dict[str, Any]


class _Source:
    """Python source for one generated function, and the constants it refers to."""

    def __init__(self, program: Program, names: dict[str, Any]) -> None:
        self.program = program
        self.names = names
        self.fact_slot = {fact.name: n for n, fact in enumerate(program.facts)}
        self.criterion_slot = {cid: n for n, cid in enumerate(program.criteria)}

    def constant(self, prefix: str, value: Any) -> str:
        for name, known in self.names.items():
            if known is value:
                return name
        name = f"{prefix}{len(self.names)}"
        self.names[name] = value
        return name

    def leaf(self, leaf: LeafIR, value: str) -> str:
        """The expression for one fact test, given the expression that reads the fact."""
        test = leaf.test
        if isinstance(test, Opaque):
            check = self.constant("check", leaf.leaf.test.check)
            return f"CODE[{check}({value})]"
        if isinstance(test, InSet):
            known = f"(2 if v in {self.constant('values', test.values)} else 0)"
        elif isinstance(test, IsFlag):
            known = f"(2 if v is {test.expected} else 0)"
        elif isinstance(test, Between):
            bounds = [f"{test.low!r} <= v"] if test.low is not None else []
            bounds += [f"v <= {test.high!r}"] if test.high is not None else []
            known = f"(2 if {' and '.join(bounds)} else 0)"
        elif isinstance(test, Overlaps):
            known = f"(0 if {self.constant('values', test.values)}.isdisjoint(v) else 2)"
        elif isinstance(test, AnyPrefix):
            prefixes = self.constant("prefixes", test.prefixes)
            known = f"(2 if any(code.startswith({prefixes}) for code in v) else 0)"
        return f"(1 if (v := {value}) is None else {known})"

    def lazy_fact(self, leaf: LeafIR) -> str:
        slot = self.fact_slot[leaf.fact.name]
        read = self.constant("read", leaf.fact.read)
        return f"(f{slot} if f{slot} is not UNREAD else (f{slot} := {read}(view)))"

    def lazy(self, node: NodeIR) -> str:
        """One expression for a tree, stopping early, weighing criteria on first need."""
        if isinstance(node, LeafIR):
            return self.leaf(node, self.lazy_fact(node))
        if isinstance(node, NotIR):
            return f"(2 - {self.lazy(node.child)})"
        if isinstance(node, RefIR):
            slot = self.criterion_slot[node.criterion_id]
            tree = self.lazy(self.program.criteria[node.criterion_id])
            return f"(c{slot} if c{slot} >= 0 else (c{slot} := {tree}))"
        parts = [self.lazy(child) for child in node.children]
        settle, pick = ("0", "min") if isinstance(node, AllIR) else ("2", "max")
        expression = parts[-1]
        for number, part in reversed(list(enumerate(parts[:-1]))):
            temp = f"t{node.id}_{number}"
            expression = (
                f"({settle} if ({temp} := {part}) == {settle} else {pick}({temp}, {expression}))"
            )
        return expression

    def walk(self, rules: Sequence[RuleIR]) -> str:
        lines = ["def walk(view):"]
        lines += [f"    f{slot} = UNREAD" for slot in self.fact_slot.values()]
        lines += [f"    c{slot} = -1" for slot in self.criterion_slot.values()]
        lines.append("    weighed = []")
        for rule in rules:
            if rule.root is None:
                lines.append(f"    weighed.append(({rule.index}, 2))")
                lines.append("    return weighed")
                break
            lines.append(f"    s = {self.lazy(rule.root)}")
            lines.append(f"    weighed.append(({rule.index}, s))")
            lines.append("    if s == 2:")
            lines.append("        return weighed")
        return "\n".join(lines)

    def node_statement(self, node: NodeIR) -> list[str]:
        """Post-order statements giving `s<id>` for `node` and everything under it."""
        if isinstance(node, LeafIR):
            slot = self.fact_slot[node.fact.name]
            return [f"    s{node.id} = {self.leaf(node, f'f{slot}')}"]
        if isinstance(node, RefIR):
            root = self.program.criteria[node.criterion_id]
            return [f"    s{node.id} = s{root.id}"]
        if isinstance(node, NotIR):
            return [*self.node_statement(node.child), f"    s{node.id} = 2 - s{node.child.id}"]
        statements = [line for child in node.children for line in self.node_statement(child)]
        pick = "min" if isinstance(node, AllIR) else "max"
        if len(node.children) == 1:
            return [*statements, f"    s{node.id} = s{node.children[0].id}"]
        parts = ", ".join(f"s{child.id}" for child in node.children)
        return [*statements, f"    s{node.id} = {pick}({parts})"]

    def weigh_all(self) -> str:
        lines = ["def weigh_all(view):"]
        for fact in self.program.facts:
            read = self.constant("read", fact.read)
            lines.append(f"    f{self.fact_slot[fact.name]} = {read}(view)")
        for root in self.program.criteria.values():
            lines += self.node_statement(root)
        for rule in self.program.rules:
            if rule.root is not None:
                lines += self.node_statement(rule.root)
        statuses = ", ".join(f"s{n}" for n in range(self.program.node_count))
        values = ", ".join(f"{fact.name!r}: f{n}" for fact, n in self._facts())
        lines.append(f"    return [{statuses}], {{{values}}}")
        return "\n".join(lines)

    def _facts(self) -> list[tuple[Any, int]]:
        return [(fact, self.fact_slot[fact.name]) for fact in self.program.facts]


def _define(source: str, names: dict[str, Any], function: str) -> Callable[..., Any]:
    scope = dict(names)
    exec(compile(source, f"<dermcover pack {function}>", "exec"), scope)
    made: Callable[..., Any] = scope[function]
    return made


class CompiledPack:
    """A pack's generated functions: made once per pack, the walk per kind on first use."""

    def __init__(self, pack: Pack) -> None:
        self.program = lower(pack)
        self._names: dict[str, Any] = {"UNREAD": _UNREAD, "CODE": CODE_OF}
        self._walks: dict[ProcedureKind | None, Callable[[LineView], Weighed]] = {}
        self._weigh_all: Callable[[LineView], tuple[list[int], dict[str, Any]]] | None = None

    def source(self, kind: ProcedureKind | None) -> str:
        """The generated walk for one kind, as text (for reading, and for tests)."""
        return _Source(self.program, self._names).walk(self.program.rules_for(kind))

    def walk(self, view: LineView) -> Weighed:
        """The rules a line weighs, in order, with their statuses: the last one decides."""
        walk = self._walks.get(view.kind)
        if walk is None:
            walk = _define(self.source(view.kind), self._names, "walk")
            self._walks[view.kind] = walk
        return walk(view)

    def weigh_all(self, view: LineView) -> Weights:
        if self._weigh_all is None:
            self._weigh_all = _define(
                _Source(self.program, self._names).weigh_all(), self._names, "weigh_all"
            )
        statuses, values = self._weigh_all(view)
        return Weights(statuses, values)


_COMPILED: dict[int, tuple[Pack, CompiledPack]] = {}


def compiled(pack: Pack) -> CompiledPack:
    """The pack's generated functions, made on first use and kept for the process."""
    entry = _COMPILED.get(id(pack))
    if entry is None or entry[0] is not pack:
        entry = (pack, CompiledPack(pack))
        _COMPILED[id(pack)] = entry
    return entry[1]
