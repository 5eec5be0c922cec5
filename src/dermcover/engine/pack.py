"""Policy packs: one payer policy as data, checked when it loads.

A pack's `policy.yaml` holds its sources, its named criteria (each with the policy clause it
comes from), and its rules in the decision order the policies follow: plan exclusions, then
investigational, then cosmetic versus reconstructive, then the indication criteria. The first
rule that is met decides a procedure line; `otherwise` decides it when none is. Documentation
requirements make the prior-authorization checklist.

A pack that does not load says so with the file and the line: an unknown fact, a value a fact
cannot take, a missing or dangling citation, a rule out of the decision order.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dermcover.case import DocumentationItem, Impairment, ProcedureKind
from dermcover.determination import Outcome, PriorAuthorizationNeed
from dermcover.engine.tree import Node, Path, TreeError, compile_tree, leaves, references


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Stage(StrEnum):
    """The decision order; rules must appear in this order in a pack."""

    exclusion = "exclusion"
    investigational = "investigational"
    cosmetic = "cosmetic"
    indication = "indication"


STAGE_ORDER = {stage: position for position, stage in enumerate(Stage)}

Confidence = Literal["confirmed", "summary", "unverified"]

DecidingOutcome = Literal[
    "covered",
    "not_covered_cosmetic",
    "not_covered_investigational",
    "not_covered_not_medically_necessary",
]


class SourceSpec(Spec):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    title: str
    date: dt.date | None = Field(
        description="The source's revision or publication date; null where the source is undated."
    )
    url: str | None = None
    checked: dt.date | None = Field(
        default=None,
        description="The day the pack was last compared with the source's text, when that is "
        "later than the source's own date (a policy can stay unrevised for years).",
    )
    confidence: Confidence = Field(
        description="confirmed: read in the policy text; summary: from a third-party summary; "
        "unverified: inferred, not found."
    )
    general: bool = Field(
        default=False,
        description="The payer's general cosmetic policy (such as Aetna CPB 0031): its "
        "exclusion and cosmetic rules give way to an item a bulletin lists as medically "
        "necessary.",
    )
    undated: bool = Field(
        default=False,
        description="The source's text states no date at all: `date` is null and `checked` "
        "(the day the text was last read) is required instead.",
    )

    @model_validator(mode="after")
    def _undated_means_no_date(self) -> SourceSpec:
        if self.undated and self.date is not None:
            raise ValueError(
                f"source {self.id!r} is marked undated but gives date {self.date.isoformat()}; "
                "drop `undated` or set `date: null`"
            )
        if self.undated and self.checked is None:
            raise ValueError(
                f"source {self.id!r} is marked undated, so it needs `checked: YYYY-MM-DD`, "
                "the day its text was last read"
            )
        return self


class CitationSpec(Spec):
    source: str
    section: str = Field(min_length=1)


class CriterionSpec(Spec):
    text: str = Field(min_length=1)
    citation: CitationSpec
    when: object
    ask: str | None = Field(
        default=None, description="The question to ask when this criterion is unknown."
    )
    patient_ask: str | None = Field(
        default=None,
        description="The same question in plain words, for the patient's pages, where `ask` is "
        "precise but technical (absent: `ask`, or the fact's own patient wording).",
    )


class RuleSpec(Spec):
    id: str
    stage: Stage
    procedures: list[ProcedureKind] | None = Field(
        default=None, description="The procedure kinds the rule weighs; absent = every kind."
    )
    text: str = Field(min_length=1)
    citation: CitationSpec
    when: object = Field(default=None, description="Absent: the rule always applies.")
    outcome: DecidingOutcome
    prior_authorization: Literal["required", "not_required"] | None = None
    reason: str = Field(min_length=1, description="Plain-language why, for the patient.")
    documentation: list[DocumentationItem] = Field(default_factory=list)
    listed: bool = Field(
        default=False,
        description="An item of a bulletin's explicit list of medically necessary uses: the "
        "general cosmetic exclusion does not pre-empt it (the bulletin's own cosmetic list "
        "still does).",
    )

    @model_validator(mode="after")
    def _outcome_fits_stage(self) -> RuleSpec:
        if self.listed and (self.stage is not Stage.indication or self.outcome != "covered"):
            raise ValueError("`listed` belongs only on indication rules whose outcome is covered")
        if self.outcome == "covered" and self.prior_authorization is None:
            raise ValueError("a rule with outcome covered must say prior_authorization")
        if self.outcome != "covered" and self.prior_authorization is not None:
            raise ValueError("prior_authorization belongs only on rules whose outcome is covered")
        if self.stage is Stage.investigational and self.outcome != "not_covered_investigational":
            raise ValueError(
                "an investigational-stage rule must decide not_covered_investigational"
            )
        return self


class OtherwiseSpec(Spec):
    outcome: DecidingOutcome
    text: str
    citation: CitationSpec
    reason: str
    prior_authorization: Literal["required", "not_required"] | None = None


class DocumentationSpec(Spec):
    item: DocumentationItem
    why: str
    procedures: list[ProcedureKind] | None = None


class PackSpec(Spec):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str
    payer: str
    reviewed: dt.date
    summary: str
    sources: list[SourceSpec] = Field(min_length=1)
    functional_impairments: list[Impairment] | None = Field(
        default=None,
        description="The impairments this payer's text counts as functional; the "
        "`functional_impairment` fact tests for one of them. Itching and distress are symptoms "
        "unless the policy names them.",
    )
    criteria: dict[str, CriterionSpec] = Field(default_factory=dict)
    rules: list[RuleSpec] = Field(min_length=1)
    otherwise: OtherwiseSpec
    documentation: list[DocumentationSpec] = Field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# The compiled pack the engine runs.


class Criterion(BaseModel):
    """A named criterion or a rule, compiled: its tree, its citation as text, the case fields
    its status can depend on."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    id: str
    text: str
    citation: str
    when: Node | None
    fields: frozenset[str]
    ask: str | None = None
    patient_ask: str | None = None


class Rule(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    criterion: Criterion
    stage: Stage
    procedures: frozenset[ProcedureKind] | None
    outcome: Outcome
    prior_authorization: PriorAuthorizationNeed
    reason: str
    documentation: tuple[DocumentationItem, ...]
    listed: bool = False
    general: bool = False

    def applies_to(self, kind: ProcedureKind | None) -> bool:
        return self.procedures is None or kind in self.procedures


class Pack(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    spec: PackSpec
    criteria: dict[str, Criterion]
    trees: dict[str, Node] = Field(description="Each named criterion's tree, for the resolver.")
    rules: tuple[Rule, ...]
    otherwise: Rule

    @property
    def id(self) -> str:
        return self.spec.id

    def citation_of(self, citation: CitationSpec) -> str:
        return render_citation(self.spec, citation)


def render_citation(spec: PackSpec, citation: CitationSpec) -> str:
    source = next(source for source in spec.sources if source.id == citation.source)
    return f"{source.title}, {citation.section}"


def deciding_outcome(outcome: str, prior_authorization: str | None) -> Outcome:
    if outcome == "covered" and prior_authorization == "required":
        return Outcome.covered_with_prior_auth
    return Outcome(outcome)


def _pa_need(outcome: Outcome) -> PriorAuthorizationNeed:
    if outcome is Outcome.covered_with_prior_auth:
        return PriorAuthorizationNeed.required
    if outcome is Outcome.covered:
        return PriorAuthorizationNeed.not_required
    return PriorAuthorizationNeed.not_applicable


class PackError(ValueError):
    """A pack that does not load; `path` says where in policy.yaml."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(message)
        self.path = path


def _check_one_question(criterion: CriterionSpec, node: Node, path: Path) -> None:
    """A criterion's `ask` is asked for each unknown fact its own test reads, so it must be
    about one fact: otherwise a number box would carry a question about creams, or one
    question would ask two things."""
    if criterion.ask is None and criterion.patient_ask is None:
        return
    facts = sorted({leaf.fact.name for leaf in leaves(node)})
    if len(facts) != 1:
        key = "ask" if criterion.ask is not None else "patient_ask"
        tested = ", ".join(facts) if facts else "none of its own"
        raise PackError(
            (*path, key),
            f"`{key}` is one question, so the criterion's own test must read one fact; it reads "
            f"{tested}: put the question on a criterion that tests that fact alone",
        )


def compile_pack(spec: PackSpec) -> Pack:
    """Compile and cross-check a validated pack: citations resolve, trees compile, references
    resolve without cycles, rules follow the decision order."""
    source_ids = {source.id for source in spec.sources}

    def check_citation(citation: CitationSpec, path: Path) -> None:
        if citation.source not in source_ids:
            raise PackError(
                (*path, "citation", "source"),
                f"citation names source {citation.source!r}, which is not in `sources` "
                f"(known: {', '.join(sorted(source_ids))})",
            )

    def tree(raw: object, path: Path) -> Node | None:
        if raw is None:
            return None
        try:
            return compile_tree(_with_functional_list(raw, spec, path), path)
        except TreeError as exc:
            raise PackError(exc.path, str(exc)) from None

    trees: dict[str, Node] = {}
    for criterion_id, criterion in spec.criteria.items():
        path: Path = ("criteria", criterion_id)
        _check_id(spec.id, criterion_id, path)
        check_citation(criterion.citation, path)
        node = tree(criterion.when, (*path, "when"))
        if node is None:
            raise PackError((*path, "when"), "a named criterion needs `when`")
        _check_one_question(criterion, node, path)
        trees[criterion_id] = node

    rule_trees: list[Node | None] = []
    seen_ids: set[str] = set(spec.criteria)
    last_stage = Stage.exclusion
    for position, rule in enumerate(spec.rules):
        path = ("rules", position)
        _check_id(spec.id, rule.id, (*path, "id"))
        if rule.id in seen_ids:
            raise PackError((*path, "id"), f"id {rule.id!r} is used twice")
        seen_ids.add(rule.id)
        check_citation(rule.citation, path)
        if STAGE_ORDER[rule.stage] < STAGE_ORDER[last_stage]:
            raise PackError(
                (*path, "stage"),
                f"rule {rule.id} (stage {rule.stage}) comes after a rule of stage "
                f"{last_stage}; rules follow the decision order "
                + " -> ".join(stage.value for stage in Stage),
            )
        last_stage = rule.stage
        rule_trees.append(tree(rule.when, (*path, "when")))
    check_citation(spec.otherwise.citation, ("otherwise",))

    located: dict[str, Path] = {cid: ("criteria", cid, "when") for cid in trees}
    for position, rule in enumerate(spec.rules):
        located[rule.id] = ("rules", position, "when")
    rule_nodes = [(rule.id, node) for rule, node in zip(spec.rules, rule_trees, strict=True)]
    for owner, node in [*trees.items(), *rule_nodes]:
        for reference in references(node) if node is not None else ():
            if reference not in trees:
                raise PackError(
                    located[owner],
                    f"{owner} refers to criterion {reference!r}, which the pack does not define",
                )

    fields = _fields(trees, located)
    criteria = {
        cid: Criterion(
            id=cid,
            text=c.text,
            citation=render_citation(spec, c.citation),
            when=trees[cid],
            fields=fields[cid],
            ask=c.ask,
            patient_ask=c.patient_ask,
        )
        for cid, c in spec.criteria.items()
    }
    rules = decision_order(
        [
            _rule(spec, rule, node, _node_fields(node, fields))
            for rule, node in zip(spec.rules, rule_trees, strict=True)
        ]
    )
    otherwise_outcome = deciding_outcome(spec.otherwise.outcome, spec.otherwise.prior_authorization)
    otherwise = Rule(
        criterion=Criterion(
            id=f"{spec.id}.otherwise",
            text=spec.otherwise.text,
            citation=render_citation(spec, spec.otherwise.citation),
            when=None,
            fields=frozenset(),
        ),
        stage=Stage.indication,
        procedures=None,
        outcome=otherwise_outcome,
        prior_authorization=_pa_need(otherwise_outcome),
        reason=spec.otherwise.reason,
        documentation=(),
    )
    return Pack(spec=spec, criteria=criteria, trees=trees, rules=rules, otherwise=otherwise)


def _rule(spec: PackSpec, rule: RuleSpec, node: Node | None, fields: frozenset[str]) -> Rule:
    outcome = deciding_outcome(rule.outcome, rule.prior_authorization)
    return Rule(
        criterion=Criterion(
            id=rule.id,
            text=rule.text,
            citation=render_citation(spec, rule.citation),
            when=node,
            fields=fields,
        ),
        stage=rule.stage,
        procedures=frozenset(rule.procedures) if rule.procedures is not None else None,
        outcome=outcome,
        prior_authorization=_pa_need(outcome),
        reason=rule.reason,
        documentation=tuple(rule.documentation),
        listed=rule.listed,
        general=rule.stage in (Stage.exclusion, Stage.cosmetic)
        and any(s.general for s in spec.sources if s.id == rule.citation.source),
    )


def decision_order(rules: list[Rule]) -> tuple[Rule, ...]:
    """The order the engine weighs rules in. The pack writes them in stage order (exclusion,
    investigational, cosmetic, indication); on top of that, one rule for every pack: an item a
    bulletin lists as medically necessary (`listed`) is weighed before the payer's general
    cosmetic exclusion (rules citing a `general` source), so the general exclusion cannot
    pre-empt it, while the bulletins' own exclusion and cosmetic lists still come first."""
    specific = [rule for rule in rules if rule.stage is not Stage.indication and not rule.general]
    listed = [rule for rule in rules if rule.listed]
    general = [rule for rule in rules if rule.general]
    other = [rule for rule in rules if rule.stage is Stage.indication and not rule.listed]
    return (*specific, *listed, *general, *other)


FUNCTIONAL_FACT = "functional_impairment"


def _with_functional_list(raw: object, spec: PackSpec, path: Path) -> object:
    """`{fact: functional_impairment, is: true}` reads as `{fact: impairment, any: [...]}` over
    the pack's own `functional_impairments`, so each payer says once which impairments count."""
    if isinstance(raw, list):
        return [_with_functional_list(item, spec, (*path, n)) for n, item in enumerate(raw)]
    if not isinstance(raw, dict):
        return raw
    if raw.get("fact") != FUNCTIONAL_FACT:
        return {key: _with_functional_list(value, spec, (*path, key)) for key, value in raw.items()}
    if spec.functional_impairments is None:
        raise PackError(
            path,
            f"fact {FUNCTIONAL_FACT} needs the pack's `functional_impairments` list "
            "(the impairments this payer counts as functional)",
        )
    if set(raw) != {"fact", "is"} or raw["is"] is not True:
        raise PackError(path, f"fact {FUNCTIONAL_FACT} takes exactly `is: true`")
    return {"fact": "impairment", "any": [item.value for item in spec.functional_impairments]}


def _check_id(pack_id: str, item_id: str, path: Path) -> None:
    if not item_id.startswith(f"{pack_id}."):
        raise PackError(path, f"id {item_id!r} must start with the pack id: {pack_id}.")


def _node_fields(node: Node | None, named: dict[str, frozenset[str]]) -> frozenset[str]:
    if node is None:
        return frozenset()
    own = {path for leaf in leaves(node) for path in leaf.fact.fields}
    for reference in references(node):
        own |= named[reference]
    return frozenset(own)


def _fields(trees: dict[str, Node], located: dict[str, Path]) -> dict[str, frozenset[str]]:
    """Each named criterion's case fields, following references; a cycle is an error."""
    done: dict[str, frozenset[str]] = {}
    visiting: list[str] = []

    def visit(cid: str) -> frozenset[str]:
        if cid in done:
            return done[cid]
        if cid in visiting:
            cycle = " -> ".join([*visiting[visiting.index(cid) :], cid])
            raise PackError(located[cid], f"criteria refer to each other in a cycle: {cycle}")
        visiting.append(cid)
        own = {path for leaf in leaves(trees[cid]) for path in leaf.fact.fields}
        for reference in references(trees[cid]):
            own |= visit(reference)
        visiting.pop()
        done[cid] = frozenset(own)
        return done[cid]

    for cid in trees:
        visit(cid)
    return done
