"""Which rules can never decide a line, found by evaluating the pack, not by reading it.

A rule decides a line when it is met and every earlier rule that weighs the same procedure kind
is not met. `unreachable_rules` searches for a complete assignment of the facts the rules read
under which that happens; a rule for which none exists is dead weight, or worse, a rule its
author believes in that never runs.

The search is exact over equivalence classes of values. For every fact, the values the pack's
tests cannot tell apart are one class, and one representative of each class is tried: for a
single-valued fact, one value per pattern of tests it passes (plus one value no test mentions);
for a list fact, every set of such representatives; for a number, each bound and the points just
beside it; for prior treatments, each treatment name a test mentions (and enough unnamed ones)
tried or not, with each outcome and each length of trial that matters. The search assigns one
fact at a time and stops a branch as soon as three-valued evaluation settles it (Kleene's logic is
monotone: a settled value stays settled whatever the unassigned facts become).

Facts are treated as independent (a code and the kind it implies, a diagnosis and the condition
it implies), which can only make a rule look reachable when it is not, never the reverse. A fact
whose tests this module does not know becomes one free yes/no per test, for the same reason.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import chain, combinations
from typing import Any

from pydantic import BaseModel

from dermcover.case import Case, PriorTreatment, ProcedureKind, TreatmentClass, TreatmentOutcome
from dermcover.determination import Status
from dermcover.engine.logic import MET, NOT_MET, UNKNOWN, all_of, any_of, negate
from dermcover.engine.pack import Pack, Rule
from dermcover.engine.tree import All, AnyOf, Leaf, Node, Not, Ref, leaves, references

# Past this many evaluations for one rule the search gives up and counts the rule as reachable:
# a finding must be proven, never guessed.
DEFAULT_BUDGET = 200_000

_ABSENT = object()  # a prior treatment not tried
_OTHER = "~other"  # a value no test mentions, for facts with no enum to draw one from


@dataclass(frozen=True, slots=True)
class Unreachable:
    """A rule that can never decide: `blockers` are the earlier rules that always decide first
    (empty when the rule's own condition can never be met)."""

    rule: Rule
    position: int
    blockers: tuple[str, ...]


def unreachable_rules(pack: Pack, budget: int = DEFAULT_BUDGET) -> list[Unreachable]:
    """Every rule of `pack` that no assignment of facts lets decide a line."""
    space = _Space.of(pack)
    found: list[Unreachable] = []
    for position, rule in enumerate(pack.rules):
        kinds = [kind for kind in space.kinds if rule.applies_to(kind)]
        if any(space.can_decide(pack, position, kind, budget) for kind in kinds):
            continue
        if not any(
            space.satisfiable(pack, [rule.criterion.when], [], kind, budget) for kind in kinds
        ):
            found.append(Unreachable(rule, position, ()))
            continue
        blockers = tuple(
            earlier.criterion.id
            for earlier in pack.rules[:position]
            if all(
                not earlier.applies_to(kind)
                or not space.satisfiable(
                    pack, [rule.criterion.when], [earlier.criterion.when], kind, budget
                )
                for kind in kinds
            )
        )
        earlier_ids = tuple(
            earlier.criterion.id
            for earlier in pack.rules[:position]
            if any(earlier.applies_to(kind) for kind in kinds)
        )
        found.append(Unreachable(rule, position, blockers or earlier_ids))
    return found


# ---------------------------------------------------------------------------------------------
# The search space: variables and their representative values.


@dataclass(frozen=True, slots=True)
class _Variable:
    key: str
    values: tuple[Any, ...]


@dataclass
class _Space:
    kinds: tuple[ProcedureKind, ...]
    variables: dict[str, _Variable]  # by key
    reads: Callable[[Leaf, Mapping[str, Any]], Status]
    leaf_keys: dict[int, tuple[str, ...]]  # id(leaf) -> the variables it reads
    trees: Mapping[str, Node] = field(default_factory=dict)

    @classmethod
    def of(cls, pack: Pack) -> _Space:
        all_leaves = [
            leaf
            for node in chain(
                pack.trees.values(),
                (rule.criterion.when for rule in pack.rules if rule.criterion.when is not None),
            )
            for leaf in leaves(node)
        ]
        by_fact: dict[str, list[Leaf]] = {}
        for leaf in all_leaves:
            by_fact.setdefault(leaf.fact.name, []).append(leaf)
        variables: dict[str, _Variable] = {}
        readers: dict[str, Callable[[Mapping[str, Any]], Any]] = {}
        leaf_keys: dict[int, tuple[str, ...]] = {}
        free: set[int] = set()
        for name, fact_leaves in by_fact.items():
            modelled = _model_fact(name, fact_leaves)
            if modelled is None:
                for leaf in fact_leaves:
                    key = f"{name}#{id(leaf)}"
                    variables[key] = _Variable(key, (MET, NOT_MET))
                    leaf_keys[id(leaf)] = (key,)
                    free.add(id(leaf))
                continue
            fact_variables, reader = modelled
            for variable in fact_variables:
                variables[variable.key] = variable
            readers[name] = reader
            for leaf in fact_leaves:
                leaf_keys[id(leaf)] = tuple(variable.key for variable in fact_variables)

        def reads(leaf: Leaf, assignment: Mapping[str, Any]) -> Status:
            if id(leaf) in free:
                status: Status = assignment.get(f"{leaf.fact.name}#{id(leaf)}", UNKNOWN)
                return status
            return leaf.test.check(readers[leaf.fact.name](assignment))

        kinds = _kinds(pack, by_fact.get("procedure_kind", []))
        variables.pop("procedure_kind", None)
        return cls(kinds, variables, reads, leaf_keys, pack.trees)

    def can_decide(self, pack: Pack, position: int, kind: ProcedureKind, budget: int) -> bool:
        rule = pack.rules[position]
        earlier = [r for r in pack.rules[:position] if r.applies_to(kind)]
        if any(r.criterion.when is None for r in earlier):
            return False
        must_hold = [rule.criterion.when] if rule.criterion.when is not None else []
        must_fail = [r.criterion.when for r in earlier if r.criterion.when is not None]
        return self.satisfiable(pack, must_hold, must_fail, kind, budget)

    def satisfiable(
        self,
        pack: Pack,
        must_hold: Sequence[Node | None],
        must_fail: Sequence[Node | None],
        kind: ProcedureKind,
        budget: int,
    ) -> bool:
        """Whether some assignment makes every `must_hold` met and every `must_fail` not met."""
        hold = [node for node in must_hold if node is not None]
        fail = [node for node in must_fail if node is not None]
        if any(node is None for node in must_fail):
            return False
        goal_nodes = [*hold, *(Not(node) for node in fail)]
        order = self._order(hold, fail)
        counter = [budget]

        def goal(assignment: dict[str, Any]) -> Status:
            counter[0] -= 1
            memo: dict[str, Status] = {}
            return all_of(self._evaluate(node, assignment, memo) for node in goal_nodes)

        def search(assignment: dict[str, Any], depth: int) -> bool | None:
            status = goal(assignment)
            if status is MET:
                return True
            if status is NOT_MET or depth == len(order):
                return False
            if counter[0] <= 0:
                return None
            variable = self.variables[order[depth]]
            for value in variable.values:
                assignment[variable.key] = value
                found = search(assignment, depth + 1)
                if found is not False:
                    del assignment[variable.key]
                    return found
            del assignment[variable.key]
            return False

        result = search({"procedure_kind": kind}, 0)
        return result is not False  # out of budget counts as satisfiable

    def _order(self, hold: Sequence[Node], fail: Sequence[Node]) -> list[str]:
        """The variables the goal reads, those of the rule that must hold first."""
        keys: dict[str, None] = {}
        for node in chain(hold, fail):
            for leaf in self._all_leaves(node):
                for key in self.leaf_keys.get(id(leaf), ()):
                    if key in self.variables:
                        keys.setdefault(key, None)
        return list(keys)

    def _all_leaves(self, node: Node, seen: set[str] | None = None) -> Iterator[Leaf]:
        seen = set() if seen is None else seen
        yield from leaves(node)
        for reference in references(node):
            if reference not in seen:
                seen.add(reference)
                yield from self._all_leaves(self.trees[reference], seen)

    def _evaluate(
        self, node: Node, assignment: Mapping[str, Any], memo: dict[str, Status]
    ) -> Status:
        if isinstance(node, Leaf):
            return self.reads(node, assignment)
        if isinstance(node, All):
            return all_of(self._evaluate(child, assignment, memo) for child in node.children)
        if isinstance(node, AnyOf):
            return any_of(self._evaluate(child, assignment, memo) for child in node.children)
        if isinstance(node, Not):
            return negate(self._evaluate(node.child, assignment, memo))
        assert isinstance(node, Ref)
        if node.criterion_id not in memo:
            memo[node.criterion_id] = self._evaluate(
                self.trees[node.criterion_id], assignment, memo
            )
        return memo[node.criterion_id]


# ---------------------------------------------------------------------------------------------
# One fact's variables, from the tests the pack writes on it.

_Model = tuple[list[_Variable], Callable[[Mapping[str, Any]], Any]]


def _model_fact(name: str, fact_leaves: Sequence[Leaf]) -> _Model | None:
    specs = [dict(leaf.test.spec) for leaf in fact_leaves]
    shapes = {frozenset(spec) for spec in specs}
    enum = _enum_of(fact_leaves[0].fact.fields[0])
    if name == "prior_treatment" and all(
        shape <= {"names", "classes", "outcomes", "min_months", "at_least"} for shape in shapes
    ):
        return _treatments(specs)
    if all(shape <= {"at_least", "at_most"} for shape in shapes):
        return _single(name, _number_points(specs))
    if all(shape == {"is"} for shape in shapes) and all(
        isinstance(spec["is"], bool) for spec in specs
    ):
        return _single(name, (True, False))
    if all(shape in ({"in"}, {"is"}) for shape in shapes):
        sets = [_as_set(spec.get("in", spec.get("is"))) for spec in specs]
        return _single(name, _representatives(sets, enum))
    if all(shape in ({"any"}, {"any_except"}) for shape in shapes):
        universe = _universe(specs, enum)
        sets = [
            _as_set(spec["any"]) if "any" in spec else universe - _as_set(spec["any_except"])
            for spec in specs
        ]
        atoms = _representatives(sets, None, universe)
        return _single(name, tuple(list(subset) for subset in _subsets(atoms)))
    if all(shape == {"prefixes"} for shape in shapes):
        prefixes = {prefix for spec in specs for prefix in _as_set(spec["prefixes"])}
        codes = {_OTHER, *prefixes, *(f"{prefix}~" for prefix in prefixes)}
        sets = [
            frozenset(code for code in codes if code.startswith(tuple(_as_set(spec["prefixes"]))))
            for spec in specs
        ]
        atoms = _representatives(sets, None, frozenset(codes))
        return _single(name, tuple(list(subset) for subset in _subsets(atoms)))
    return None


def _single(name: str, values: Iterable[Any]) -> _Model:
    return [_Variable(name, tuple(values))], lambda assignment: assignment.get(name)


def _as_set(values: Any) -> frozenset[str]:
    return frozenset(str(v) for v in (values if isinstance(values, list) else [values]))


def _universe(specs: Sequence[Mapping[str, Any]], enum: type[StrEnum] | None) -> frozenset[str]:
    if enum is not None:
        return frozenset(member.value for member in enum)
    mentioned = {value for spec in specs for key in spec for value in _as_set(spec[key])}
    return frozenset({*mentioned, _OTHER})


def _representatives(
    sets: Sequence[frozenset[str]],
    enum: type[StrEnum] | None,
    universe: frozenset[str] | None = None,
) -> tuple[str, ...]:
    """One value per pattern of membership in `sets` (values in no set included)."""
    if universe is None:
        mentioned = frozenset().union(*sets)
        if enum is not None:
            universe = frozenset(member.value for member in enum)
        else:
            universe = mentioned | {_OTHER}
    chosen: dict[tuple[bool, ...], str] = {}
    for value in sorted(universe):
        chosen.setdefault(tuple(value in s for s in sets), value)
    return tuple(chosen.values())


def _subsets(atoms: Sequence[str]) -> Iterator[tuple[str, ...]]:
    return chain.from_iterable(combinations(atoms, size) for size in range(len(atoms) + 1))


def _number_points(specs: Sequence[Mapping[str, Any]]) -> tuple[float, ...]:
    points: set[float] = {0}
    for spec in specs:
        if spec.get("at_least") is not None:
            points |= {spec["at_least"], spec["at_least"] - 0.5}
        if spec.get("at_most") is not None:
            points |= {spec["at_most"], spec["at_most"] + 0.5}
    return tuple(sorted(points))


def _treatments(specs: Sequence[Mapping[str, Any]]) -> _Model:
    """One variable per treatment that matters: not tried, or tried with an outcome for a length
    of time. The treatments are those a test names, one of each class a test names (plus one of
    a class none names), and enough unnamed ones for the tests that count any treatment."""
    named = sorted({name for spec in specs for name in _as_set(spec.get("names", []))})
    any_needed = max(
        (int(spec.get("at_least", 1)) for spec in specs if "names" not in spec), default=0
    )
    slots: list[tuple[str, Any]] = [(name, None) for name in named]
    slots += [(f"{_OTHER}-{n}", None) for n in range(1, any_needed + 1)]
    if any("classes" in spec for spec in specs):
        mentioned = {value for spec in specs for value in _as_set(spec.get("classes", []))}
        kinds = [kind for kind in TreatmentClass if kind.value in mentioned]
        kinds += [kind for kind in TreatmentClass if kind.value not in mentioned][:1]
        slots += [(f"{_OTHER}-{kind.value}", kind) for kind in kinds]
    months = sorted(
        {0.0}
        | {float(spec["min_months"]) for spec in specs if spec.get("min_months") is not None}
        | {float(spec["min_months"]) - 0.5 for spec in specs if spec.get("min_months") is not None}
    )
    tried = tuple((outcome, month) for outcome in TreatmentOutcome for month in months)
    variables = [_Variable(f"prior_treatment:{name}", (_ABSENT, *tried)) for name, _ in slots]

    def read(assignment: Mapping[str, Any]) -> list[PriorTreatment]:
        value: list[PriorTreatment] = []
        for name, kind in slots:
            chosen = assignment.get(f"prior_treatment:{name}")
            if chosen is _ABSENT:
                continue
            # Not decided yet: tried, outcome unknown.
            outcome, month = chosen if chosen is not None else (None, None)
            value.append(
                PriorTreatment.model_construct(name=name, outcome=outcome, months=month, kind=kind)
            )
        return value

    return variables, read


def _kinds(pack: Pack, kind_leaves: Sequence[Leaf]) -> tuple[ProcedureKind, ...]:
    sets: list[frozenset[str]] = [
        frozenset(kind.value for kind in rule.procedures)
        for rule in pack.rules
        if rule.procedures is not None
    ]
    sets += [_as_set(leaf.test.spec.get("in", leaf.test.spec.get("is"))) for leaf in kind_leaves]
    return tuple(ProcedureKind(value) for value in _representatives(sets, ProcedureKind))


def _enum_of(path: str) -> type[StrEnum] | None:
    """The enum a case field holds (unwrapping optional and list), found from the case model."""
    model: Any = Case
    annotation: Any = None
    for part in path.replace("[{i}]", "").split("."):
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        info = model.model_fields.get(part)
        if info is None:
            return None
        annotation = _unwrap(info.annotation)
        model = annotation
    return annotation if isinstance(annotation, type) and issubclass(annotation, StrEnum) else None


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = typing.get_origin(annotation)
        if origin in (typing.Union, types.UnionType):
            args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            annotation = args[0] if len(args) == 1 else annotation
            if len(args) != 1:
                return annotation
        elif origin in (list, typing.Annotated):
            annotation = typing.get_args(annotation)[0]
        else:
            return annotation
