"""Deciding a case: each procedure line walks the pack's rules in the decision order.

For one line, every rule that applies is weighed in order. A rule that is met decides the line;
a rule that is unknown might decide it, so its outcome stays possible and the walk goes on; a
rule that is not met is passed. When no rule is met, the pack's `otherwise` decides. If every
outcome still possible is the same, the unknowns did not matter; if they differ, the line is
`insufficient_information` and the unknown facts inside the undecided rules become questions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel

from dermcover.case import Case, DocumentationItem, PlanType
from dermcover.codes.checks import check_codes
from dermcover.determination import (
    CriterionResult,
    Determination,
    DocumentationCheck,
    FactCheck,
    Line,
    Outcome,
    PolicyRef,
    PriorAuthorizationNeed,
    ProcedureRef,
    Question,
    Status,
)
from dermcover.engine.compile.ir import (
    STATUS_OF,
    NodeIR,
    Program,
    RuleIR,
    direct_leaves,
    question_leaves,
)
from dermcover.engine.compile.python import Weights, compiled
from dermcover.engine.facts import Fact, LineView, line_views
from dermcover.engine.library import DEFAULT_POLICY, PolicyLibrary, library
from dermcover.engine.logic import MET, NOT_MET, UNKNOWN
from dermcover.engine.next_steps import next_steps
from dermcover.engine.pack import Criterion, Pack, PackSpec, Rule
from dermcover.engine.plans import Plan, PlanLibrary, PlanSpec, plan_library, with_plan
from dermcover.engine.tree import Resolver, evaluate, leaves, unknown_leaves
from dermcover.inputs import InputError

TraceLevel = Literal["none", "criteria", "full"]


def choose_policy(case: Case, policy_id: str | None = None) -> str:
    """The pack to decide under: the one asked for, else the case's, else by plan type."""
    if policy_id:
        return policy_id
    if case.payer is not None and case.payer.policy:
        return case.payer.policy
    if case.payer is not None and case.payer.plan_type in (
        PlanType.medicare,
        PlanType.medicare_advantage,
    ):
        return "medicare"
    return DEFAULT_POLICY


PLAN_NOT_CHECKED = (
    "The plan's own exclusions (its certificate of coverage or summary plan description) were "
    "not checked, because the case names no plan document; the plan can exclude what this "
    "policy covers."
)


def _plan_of(case: Case, plans: PlanLibrary | None) -> Plan | None:
    plan_id = case.payer.plan if case.payer is not None else None
    return (plans or plan_library()).get(plan_id) if plan_id else None


# A spec's id -> the spec and the reference every determination under it carries: made once a
# pack (the spec is held, so its id stays its own), as `with_plan` keeps its joined packs.
_REFS: dict[int, tuple[PackSpec | PlanSpec, PolicyRef]] = {}


def _ref(spec: PackSpec | PlanSpec) -> PolicyRef:
    known = _REFS.get(id(spec))
    if known is not None and known[0] is spec:
        return known[1]
    ref = PolicyRef(
        id=spec.id,
        title=spec.title,
        reviewed=spec.reviewed,
        sources=[
            f"{s.title} ({s.date.isoformat() if s.date else 'undated'})" for s in spec.sources
        ],
    )
    _REFS[id(spec)] = (spec, ref)
    return ref


def pack_for(
    case: Case,
    policy_id: str | None = None,
    packs: PolicyLibrary | None = None,
    plans: PlanLibrary | None = None,
) -> tuple[Pack, Plan | None]:
    """The pack a case is decided under (with its plan document's exclusions first, if it
    names one), and that plan document."""
    plan = _plan_of(case, plans)
    explicit = policy_id or (case.payer.policy if case.payer is not None else None)
    chosen = choose_policy(case, policy_id) if explicit or plan is None else plan.spec.policy
    policy_pack = (packs or library()).get(chosen)
    if plan is not None and plan.spec.policy != policy_pack.id:
        raise InputError(
            f"payer.plan: plan {plan.id!r} sits over policy {plan.spec.policy!r}, but the case "
            f"is decided under {policy_pack.id!r}; name that policy or leave the policy out"
        )
    return (with_plan(policy_pack, plan) if plan is not None else policy_pack), plan


def determine(
    case: Case,
    policy_id: str | None = None,
    *,
    today: date | None = None,
    trace: TraceLevel = "criteria",
    packs: PolicyLibrary | None = None,
    plans: PlanLibrary | None = None,
) -> Determination:
    """Decide every procedure line of `case` under one policy pack, after the exclusions of the
    plan document the case names (if it names one)."""
    pack, plan = pack_for(case, policy_id, packs, plans)
    views = line_views(case, today or date.today())
    decisions = [_decide_line(pack, view, trace) for view in views]
    lines = [decision.line for decision in decisions]
    outcomes = {line.outcome for line in lines}
    overall = outcomes.pop() if len(outcomes) == 1 else Outcome.mixed
    questions = _merge_questions(decisions)
    documentation = _checklist(pack, case, decisions)
    code_issues = check_codes(case)
    return Determination(
        case_id=case.id,
        policy=_ref(pack.spec),
        plan=_ref(plan.spec) if plan is not None else None,
        outcome=overall,
        lines=lines,
        questions=questions,
        documentation=documentation,
        code_issues=code_issues,
        next_steps=next_steps(case, pack, lines, questions, documentation, code_issues),
        notes=[] if plan is not None or not _has_plan_document(case) else [PLAN_NOT_CHECKED],
    )


def _has_plan_document(case: Case) -> bool:
    """Original Medicare and self-pay have no plan document of their own to check."""
    plan_type = case.payer.plan_type if case.payer is not None else None
    return plan_type not in (PlanType.medicare, PlanType.self_pay)


@dataclass
class _LineDecision:
    line: Line
    questions: list[Question] = field(default_factory=list)
    possible: list[Rule] = field(default_factory=list)


def walk_line(pack: Pack, view: LineView, trace: TraceLevel) -> _LineDecision:
    """The reference: one line decided by walking the criteria trees. The compiled back ends are
    tested against it; `determine` runs the compiled pack."""
    resolver = Resolver(pack.trees, exhaustive=trace != "none")
    weighed: list[tuple[Rule, Status, int]] = []  # the rule, its status, criteria weighed so far
    possible: list[Rule] = []
    for rule in pack.rules:
        if not rule.applies_to(view.kind):
            continue
        when = rule.criterion.when
        status = MET if when is None else evaluate(when, view, resolver)
        weighed.append((rule, status, len(resolver.order)))
        if status is MET:
            possible.append(rule)
            break
        if status is UNKNOWN:
            possible.append(rule)
    else:
        weighed.append((pack.otherwise, MET, len(resolver.order)))
        possible.append(pack.otherwise)
    return _line(
        view,
        [(rule, status) for rule, status, _ in weighed],
        possible,
        lambda: _questions(pack, view, resolver, possible),
        lambda: _trace(pack, view, resolver, weighed, trace),
    )


def _decide_line(pack: Pack, view: LineView, trace: TraceLevel) -> _LineDecision:
    """One line decided by the pack's generated functions (engine/compile/python.py)."""
    machine = compiled(pack)
    rules = machine.program.rules
    weighed = [(rules[index], STATUS_OF[code]) for index, code in machine.walk(view)]
    possible = [rule.rule for rule, status in weighed if status is not NOT_MET]
    slow: list[Weights] = []

    def weights() -> Weights:
        if not slow:
            slow.append(machine.weigh_all(view))
        return slow[0]

    return _line(
        view,
        [(rule.rule, status) for rule, status in weighed],
        possible,
        lambda: compiled_questions(pack, machine.program, view, weights(), weighed),
        lambda: compiled_trace(machine.program, view, weights(), weighed, trace),
    )


def _line(
    view: LineView,
    weighed: list[tuple[Rule, Status]],
    possible: list[Rule],
    questions_for: Callable[[], list[Question]],
    trace_for: Callable[[], list[CriterionResult]],
) -> _LineDecision:
    """A line from the rules it weighed: one outcome if every possible rule agrees, else
    insufficient information and the questions that would settle it."""
    deciding = possible[-1]
    outcomes = {rule.outcome for rule in possible}
    questions: list[Question] = []
    if len(outcomes) == 1:
        outcome = deciding.outcome
        prior_auth = deciding.prior_authorization
        reasons = [deciding.reason, *_unmet_reasons(deciding, weighed)]
    else:
        outcome = Outcome.insufficient_information
        prior_auth = PriorAuthorizationNeed.unknown
        questions = questions_for()
        could_be = sorted({_plain(rule.outcome) for rule in possible})
        reasons = [DEPENDS % {"outcomes": " or ".join(could_be)}]
    procedure = view.procedure
    line = Line(
        procedure=ProcedureRef(kind=view.kind, code=procedure.code, sessions=procedure.sessions),
        outcome=outcome,
        prior_authorization=prior_auth,
        criteria=trace_for(),
        reasons=reasons,
        decided_by=deciding.criterion.id
        if outcome is not Outcome.insufficient_information
        else None,
    )
    return _LineDecision(line, questions, possible)


# The engine's own sentences, whole, so that the patient pages can find and translate them.
DEPENDS = "The answer depends on facts the case does not give yet: it could be %(outcomes)s."
ONLY_WHEN = "The policy covers it only when: %(criterion)s. That is not the case here."
ASKED_BY = "asked for by %(id)s"
REASONS = (DEPENDS, ONLY_WHEN, ASKED_BY)

PLAIN = {
    Outcome.covered: "covered",
    Outcome.covered_with_prior_auth: "covered with prior authorization",
    Outcome.not_covered_cosmetic: "excluded as cosmetic",
    Outcome.not_covered_investigational: "excluded as investigational",
    Outcome.not_covered_not_medically_necessary: "not covered as not medically necessary",
}


def _plain(outcome: Outcome) -> str:
    return PLAIN.get(outcome, outcome.value)


def _unmet_reasons(deciding: Rule, weighed: list[tuple[Rule, Status]]) -> list[str]:
    """For a line the policy turns down, the covered uses it looked at and found not met."""
    if deciding.outcome.is_covered:
        return []
    return [
        ONLY_WHEN % {"criterion": rule.criterion.text.rstrip(".")}
        for rule, status in weighed
        if status is NOT_MET and rule.outcome.is_covered and rule.procedures is not None
    ]


def _questions(
    pack: Pack, view: LineView, resolver: Resolver, possible: list[Rule]
) -> list[Question]:
    """The unknown facts inside the undecided rules, one question per case field."""
    return _asked(
        pack,
        view,
        (
            (leaf.fact, owner)
            for rule in possible
            if rule.criterion.when is not None
            and evaluate(rule.criterion.when, view, resolver) is UNKNOWN
            for leaf, owner in unknown_leaves(
                rule.criterion.when, view, resolver, rule.criterion.id
            )
        ),
    )


def compiled_questions(
    pack: Pack,
    program: Program,
    view: LineView,
    weights: Weights,
    weighed: list[tuple[RuleIR, Status]],
) -> list[Question]:
    """The same questions as `_questions`, from the generated pass's statuses."""

    def status(node: NodeIR) -> int:
        return weights.statuses[node.id]

    walked: set[str] = set()  # the named criteria already walked for this line
    return _asked(
        pack,
        view,
        (
            (leaf.fact, owner)
            for rule, rule_status in weighed
            if rule.root is not None and rule_status is UNKNOWN
            for leaf, owner in question_leaves(rule.root, status, rule.id, program, walked)
        ),
    )


def _asked(pack: Pack, view: LineView, unknown: Iterable[tuple[Fact, str]]) -> list[Question]:
    """One question per case field, from the unknown facts and the criteria they sit in."""
    # field -> its first wording and the criteria asking, in the order first seen; each
    # question is built once, at the end, rather than merged copy by copy
    asked: dict[str, tuple[tuple[str, str | None], dict[str, None]]] = {}
    for fact, owner in unknown:
        path = fact.fields_for(view.index)[0]
        named = pack.criteria.get(owner)
        # A criterion's own question carries its own plain version; the fact's, the fact's.
        if named is not None and named.ask:
            wording = (named.ask, named.patient_ask)
        else:
            wording = (fact.ask, (named.patient_ask if named else None) or fact.patient_ask)
        asked.setdefault(path, (wording, {}))[1][owner] = None
    return [
        Question(
            field=path, ask=ask, patient_ask=patient_ask, fields=[path], criteria=list(criteria)
        )
        for path, ((ask, patient_ask), criteria) in asked.items()
    ]


def _merged(known: Question | None, new: Question) -> Question:
    """One question from two: the first wording stays, fields and criteria are joined."""
    if known is None:
        return new
    return known.model_copy(
        update={
            "fields": list(dict.fromkeys([*known.fields, *new.fields])),
            "criteria": list(dict.fromkeys([*known.criteria, *new.criteria])),
        }
    )


def _merge_questions(decisions: list[_LineDecision]) -> list[Question]:
    """Each case field is asked once across lines; fields of the whole case that a pack asks
    about in the same words (a criterion's own `ask`) become one question. A procedure line's
    fields stay separate questions, since each line has its own answer."""
    by_field: dict[str, Question] = {}
    for decision in decisions:
        for question in decision.questions:
            by_field[question.field] = _merged(by_field.get(question.field), question)
    by_wording: dict[str, Question] = {}
    for field_path, question in by_field.items():
        key = field_path if field_path.startswith("procedures[") else question.ask
        by_wording[key] = _merged(by_wording.get(key), question)
    return list(by_wording.values())


def _trace(
    pack: Pack,
    view: LineView,
    resolver: Resolver,
    weighed: list[tuple[Rule, Status, int]],
    level: TraceLevel,
) -> list[CriterionResult]:
    """Rule by rule, in the order weighed: the named criteria a rule weighed first (each once,
    where it was first needed), then the rule itself with its stage and outcome."""
    if level == "none":
        return []
    results: list[CriterionResult] = []
    shown = 0
    for rule, status, weighed_so_far in weighed:
        for criterion_id in resolver.order[shown:weighed_so_far]:
            criterion = pack.criteria[criterion_id]
            results.append(_result(criterion, resolver.memo[criterion_id], view, level))
        shown = weighed_so_far
        results.append(
            _result(rule.criterion, status, view, level).model_copy(
                update={"stage": rule.stage.value, "outcome": rule.outcome}
            )
        )
    return results


def compiled_trace(
    program: Program,
    view: LineView,
    weights: Weights,
    weighed: list[tuple[RuleIR, Status]],
    level: TraceLevel,
) -> list[CriterionResult]:
    """The same trace as `_trace`, from the generated pass's statuses and fact values."""
    if level == "none":
        return []
    results: list[CriterionResult] = []
    shown: set[str] = set()
    for rule, status in weighed:
        for criterion_id in rule.refs_in_order:
            if criterion_id in shown:
                continue
            shown.add(criterion_id)
            root = program.criteria[criterion_id]
            results.append(
                _compiled_result(program.pack.criteria[criterion_id], root, weights, view, level)
            )
        results.append(
            _compiled_result(
                rule.rule.criterion,
                rule.root,
                weights,
                view,
                level,
                status,
                stage=rule.rule.stage.value,
                outcome=rule.outcome,
            )
        )
    return results


def _compiled_result(
    criterion: Criterion,
    root: NodeIR | None,
    weights: Weights,
    view: LineView,
    level: TraceLevel,
    status: Status | None = None,
    *,
    stage: str | None = None,
    outcome: Outcome | None = None,
) -> CriterionResult:
    if status is None:
        status = STATUS_OF[weights.statuses[root.id]] if root is not None else MET
    if level != "full" or root is None:
        return _criterion_result(
            criterion.id, criterion.text, status, criterion.citation, stage, outcome
        )
    facts = [
        FactCheck(
            fact=leaf.fact.name,
            test=dict(leaf.leaf.test.spec),
            fields=list(leaf.fact.fields_for(view.index)),
            value=_shown(weights.values[leaf.fact.name]),
            status=STATUS_OF[weights.statuses[leaf.id]],
        )
        for leaf in direct_leaves(root)
    ]
    return CriterionResult(
        id=criterion.id,
        text=criterion.text,
        status=status,
        citation=criterion.citation,
        stage=stage,
        outcome=outcome,
        facts=facts,
    )


# A trace entry without facts is the same for every case that weighs its criterion to the same
# status, and results are frozen, so one instance serves every determination that shows it:
# building and validating some twenty of them a request was much of a determination's cost.
# Keyed by value (not by the pack), so a pack reloaded or joined with a plan cannot show a stale
# entry; bounded, since packs and their criteria are few.
@lru_cache(maxsize=8192)
def _criterion_result(
    criterion_id: str,
    text: str,
    status: Status,
    citation: str,
    stage: str | None,
    outcome: Outcome | None,
) -> CriterionResult:
    return CriterionResult(
        id=criterion_id, text=text, status=status, citation=citation, stage=stage, outcome=outcome
    )


def _result(
    criterion: Criterion, status: Status, view: LineView, level: TraceLevel
) -> CriterionResult:
    facts = None
    if level == "full" and criterion.when is not None:
        facts = [
            FactCheck(
                fact=leaf.fact.name,
                test=dict(leaf.test.spec),
                fields=list(leaf.fact.fields_for(view.index)),
                value=_shown(leaf.fact.read(view)),
                status=leaf.status(view),
            )
            for leaf in leaves(criterion.when)
        ]
    return CriterionResult(
        id=criterion.id,
        text=criterion.text,
        status=status,
        citation=criterion.citation,
        facts=facts,
    )


def _shown(value: object) -> object:
    """A fact's value as the trace shows it: enums by name, treatments as small mappings."""
    if isinstance(value, list):
        return [_shown(item) for item in value]
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, Enum):
        return value.value
    return value


def _checklist(pack: Pack, case: Case, decisions: list[_LineDecision]) -> list[DocumentationCheck]:
    """What a prior-authorization request for the lines that may be covered must carry."""
    on_file = set(case.documentation or ())
    needed: dict[DocumentationItem, str] = {}
    for decision in decisions:
        if not any(rule.outcome.is_covered for rule in decision.possible):
            continue
        kind = decision.line.procedure.kind
        for requirement in pack.spec.documentation:
            if requirement.procedures is None or kind in requirement.procedures:
                needed.setdefault(requirement.item, requirement.why)
        for rule in decision.possible:
            for item in rule.documentation:
                needed.setdefault(item, ASKED_BY % {"id": rule.criterion.id})
    return [
        DocumentationCheck(item=item, status="present" if item in on_file else "missing", why=why)
        for item, why in needed.items()
    ]
