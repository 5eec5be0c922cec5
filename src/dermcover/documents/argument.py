"""The policy's own criteria, argued for one procedure line from the case's facts.

Two arguments a letter makes:

- `supporting_criteria`: every named criterion the covering rule rests on that the case meets,
  children before the criteria built from them, each with its citation and the facts that meet
  it. Only criteria reached without a negation count: a criterion the rule requires to be *absent*
  (say, "the aim is appearance only") is never listed as met in a letter asking for coverage.
- `why_not_excluded`: for an exclusion rule the case does not meet (cosmetic, investigational),
  the parts of it that fail, so an appeal can answer a denial in the policy's own terms.

Both re-read the case through the engine's tree evaluation, so they say exactly what the
determination decided.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from enum import Enum
from typing import Any

from pydantic import BaseModel

from dermcover.case import Case, Impairment, PriorTreatment, ProviderType, Setting
from dermcover.determination import Line, Status
from dermcover.documents import labels
from dermcover.documents.basis import cited
from dermcover.documents.parties import Part
from dermcover.engine.facts import LineView, line_views
from dermcover.engine.logic import MET, NOT_MET, negate
from dermcover.engine.pack import Criterion, Pack, Rule
from dermcover.engine.tree import All, AnyOf, Leaf, Node, Not, Ref, Resolver, evaluate, leaves

FACT_LABELS = {
    "procedure_kind": "Procedure",
    "procedure_code": "Procedure code",
    "depth": "Depth",
    "site": "Site",
    "sessions": "Sessions",
    "area_cm2": "Area (cm²)",
    "device_fda_cleared": "Device FDA-cleared for this use",
    "condition_kind": "Condition",
    "diagnosis": "Diagnosis codes",
    "cause": "Cause",
    "severity": "Severity",
    "lesion_count": "Number of lesions",
    "months_since_onset": "Months since onset",
    "purpose": "Purpose of treatment",
    "impairment": "Documented impairment",
    "prior_treatment": "Treatments tried",
    "documentation": "Records on file",
    "age": "Age",
    "provider_type": "Treating clinician",
    "setting": "Setting",
    "plan_type": "Plan type",
    "network": "Network",
}


class CriterionArgument(Part):
    id: str
    text: str
    citation: str
    evidence: list[str]


class FailedPart(Part):
    """One part of an exclusion that the case does not meet."""

    text: str
    holds: bool  # False: the part is not the case; True: a part the exclusion requires absent
    evidence: list[str]


class ExclusionRebuttal(Part):
    id: str
    stage: str
    text: str
    citation: str
    parts: list[FailedPart]


class LineReader:
    """One procedure line of a case, read through a pack's trees."""

    def __init__(self, pack: Pack, case: Case, index: int, today: date) -> None:
        self.pack = pack
        self.view: LineView = line_views(case, today)[index]
        self.resolver = Resolver(pack.trees)

    def status(self, node: Node) -> Status:
        return evaluate(node, self.view, self.resolver)

    def evidence(self, node: Node | None) -> list[str]:
        """`Cause: burn`, one line per fact written directly in `node`, as the case gives it."""
        found: list[str] = []
        for leaf in leaves(node) if node is not None else ():
            value = shown(leaf.fact.read(self.view))
            line = f"{FACT_LABELS.get(leaf.fact.name, labels.words(leaf.fact.name))}: {value}"
            if value is not None and line not in found:
                found.append(line)
        return found

    def argument(self, criterion: Criterion) -> CriterionArgument:
        return CriterionArgument(
            id=criterion.id,
            text=criterion.text,
            citation=cited(self.pack, criterion.citation),
            evidence=self.evidence(criterion.when),
        )


def rule_by_id(pack: Pack, rule_id: str | None) -> Rule | None:
    if rule_id == pack.otherwise.criterion.id:
        return pack.otherwise
    return next((rule for rule in pack.rules if rule.criterion.id == rule_id), None)


def supporting_criteria(reader: LineReader, rule: Rule) -> list[CriterionArgument]:
    """The met criteria `rule` rests on (children first), then the rule itself."""
    met: list[str] = []
    for criterion_id in _positive_references(reader.pack, rule.criterion.when):
        if criterion_id not in met and reader.resolver.status_of(criterion_id, reader.view) is MET:
            met.append(criterion_id)
    return [
        *(reader.argument(reader.pack.criteria[criterion_id]) for criterion_id in met),
        reader.argument(rule.criterion),
    ]


def _positive_references(pack: Pack, node: Node | None) -> Iterator[str]:
    """Named criteria reached through no negation, each after the ones it is built from."""
    if node is None:
        return
    if isinstance(node, Ref):
        yield from _positive_references(pack, pack.trees[node.criterion_id])
        yield node.criterion_id
    elif isinstance(node, All | AnyOf):
        for child in node.children:
            yield from _positive_references(pack, child)


def why_not_excluded(reader: LineReader, rule: Rule) -> ExclusionRebuttal:
    """The parts of exclusion `rule` that fail for this line (the rule must not be met)."""
    when = rule.criterion.when
    parts = list(_failing_parts(reader, when, positive=True)) if when is not None else []
    return ExclusionRebuttal(
        id=rule.criterion.id,
        stage=rule.stage.value,
        text=rule.criterion.text,
        citation=cited(reader.pack, rule.criterion.citation),
        parts=parts,
    )


def _effective(status: Status, positive: bool) -> Status:
    return status if positive else negate(status)


def _failing_parts(reader: LineReader, node: Node, *, positive: bool) -> Iterator[FailedPart]:
    """Why `node`, read with polarity `positive`, is not met: named criteria and facts."""
    if _effective(reader.status(node), positive) is not NOT_MET:
        return
    if isinstance(node, Not):
        yield from _failing_parts(reader, node.child, positive=not positive)
    elif isinstance(node, All | AnyOf):
        # Read with its polarity, an `all` fails through any failing child, an `any` through all.
        for child in node.children:
            yield from _failing_parts(reader, child, positive=positive)
    elif isinstance(node, Ref):
        criterion = reader.pack.criteria[node.criterion_id]
        yield FailedPart(
            text=criterion.text, holds=not positive, evidence=reader.evidence(criterion.when)
        )
    elif isinstance(node, Leaf):
        label = FACT_LABELS.get(node.fact.name, labels.words(node.fact.name))
        value = shown(node.fact.read(reader.view))
        yield FailedPart(
            text=f"{label}: {_test_text(node)}",
            holds=not positive,
            evidence=[f"{label}: {value if value is not None else 'not recorded'}"],
        )


def _test_text(leaf: Leaf) -> str:
    spec = dict(leaf.test.spec)
    parts = []
    for key, value in spec.items():
        shown_value = (
            ", ".join(labels.words(str(item)) for item in value)
            if isinstance(value, list)
            else labels.words(str(value))
        )
        parts.append(f"{labels.words(key)} {shown_value}")
    return "; ".join(parts)


def excluded_rules_weighed(pack: Pack, line: Line, stage: str) -> list[Rule]:
    """The rules of `stage` the line was weighed against and did not meet."""
    rules = []
    for criterion in line.criteria:
        if criterion.stage == stage and criterion.status is Status.not_met:
            rule = rule_by_id(pack, criterion.id)
            if rule is not None:
                rules.append(rule)
    return rules


def shown(value: Any) -> str | None:
    """A fact's value in plain words, or None when the case does not give it."""
    if value is None:
        return None
    if isinstance(value, list):
        return "none" if not value else "; ".join(str(shown(item)) for item in value)
    if isinstance(value, PriorTreatment):
        return labels.treatment(value)
    if isinstance(value, Impairment):
        return labels.impairment(value)
    if isinstance(value, ProviderType):
        return labels.provider_type(value)
    if isinstance(value, Setting):
        return labels.setting(value)
    if isinstance(value, Enum):
        return labels.words(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, BaseModel):
        return str(value.model_dump(mode="json", exclude_none=True))
    return str(value)
