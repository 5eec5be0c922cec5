"""The honest answer when the plan is unknown: the case decided under every payer's pack.

The common framework (`generic`) is a baseline for a plan dermcover does not know, and it is
kinder than most real payers. So when a person does not know their plan, or it is not listed,
the case is decided under each payer pack instead and the answers are put side by side: grouped
by outcome, the payers named, the likeliest answer (the one most payers give) first. Where two
answers are given by as many payers, the less favourable one comes first: a spread never
overpromises.

Which packs: every pack but the framework. A plan type the case gives narrows them: Medicare and
Medicare Advantage keep the Medicare packs only, any other plan type leaves them out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from pydantic import Field

from dermcover.case import Case, PlanType, ProcedureKind
from dermcover.determination import Determination, Outcome, Result
from dermcover.engine.decide import determine
from dermcover.engine.library import DEFAULT_POLICY, PolicyLibrary, library
from dermcover.engine.pack import Pack

ALL_POLICIES = "all"
MEDICARE_PLANS = (PlanType.medicare, PlanType.medicare_advantage)

# How good an outcome is for the patient, worst first: ties in the spread go to the worse.
FAVOUR = {
    Outcome.not_covered_cosmetic: 0,
    Outcome.not_covered_investigational: 0,
    Outcome.not_covered_not_medically_necessary: 0,
    Outcome.insufficient_information: 1,
    Outcome.mixed: 2,
    Outcome.covered_with_prior_auth: 3,
    Outcome.covered: 4,
}

# What a group of plans does, for one plan and for several.
VERBS = {
    Outcome.covered: ("covers it", "cover it"),
    Outcome.covered_with_prior_auth: (
        "covers it with prior authorization",
        "cover it with prior authorization",
    ),
    Outcome.not_covered_cosmetic: ("calls this cosmetic", "call this cosmetic"),
    Outcome.not_covered_investigational: (
        "calls this investigational",
        "call this investigational",
    ),
    Outcome.not_covered_not_medically_necessary: (
        "does not find it medically necessary on these facts",
        "do not find it medically necessary on these facts",
    ),
    Outcome.insufficient_information: (
        "needs more answers before it can say",
        "need more answers before they can say",
    ),
    Outcome.mixed: ("covers part of it", "cover part of it"),
}


class PlanAnswer(Result):
    """One payer's answer, in short."""

    policy: str = Field(description="The pack id.")
    payer: str
    outcome: Outcome
    line_outcomes: list[Outcome] = Field(description="The outcome of each procedure line.")
    reasons: list[str] = Field(description="Why, per procedure line, in plain words.")
    questions: list[str] = Field(description="What this payer's policy still needs to know.")


class SpreadGroup(Result):
    outcome: Outcome
    covers_any: bool = Field(description="Whether these plans cover at least one procedure.")
    says: str = Field(description="What these plans do, in plain words.")
    payers: list[str]
    answers: list[PlanAnswer]


class Spread(Result):
    """The case under every payer pack that could be the plan, likeliest answer first."""

    case_id: str | None = None
    summary: str = Field(description="The spread in one plain sentence.")
    plans: int = Field(description="How many payer packs were weighed.")
    groups: list[SpreadGroup]


def candidate_policies(case: Case, packs: PolicyLibrary) -> list[str]:
    """The payer packs the unknown plan could be, one per payer, by the plan type when the case
    gives one. A payer with several packs (a general one and single-bulletin ones) is asked
    through the narrowest pack whose rules name a procedure of the case, else its general one."""
    plan_type = case.payer.plan_type if case.payer else None
    by_payer: dict[str, list[Pack]] = {}
    for policy_id in sorted(packs.packs):
        if policy_id == DEFAULT_POLICY:
            continue
        medicare = policy_id.startswith("medicare")
        if plan_type is None or medicare == (plan_type in MEDICARE_PLANS):
            pack = packs.packs[policy_id]
            by_payer.setdefault(pack.spec.payer, []).append(pack)
    kinds = {procedure.kind for procedure in case.procedures if procedure.kind is not None}
    return sorted(_pack_for(payer_packs, kinds).id for payer_packs in by_payer.values())


def _pack_for(payer_packs: list[Pack], kinds: set[ProcedureKind]) -> Pack:
    if len(payer_packs) == 1:
        return payer_packs[0]

    def named(pack: Pack) -> frozenset[ProcedureKind]:
        return frozenset().union(*(rule.procedures or frozenset() for rule in pack.rules))

    about = [pack for pack in payer_packs if named(pack) & kinds]
    if about:
        return min(about, key=lambda pack: (len(named(pack)), pack.id))
    return min(payer_packs, key=lambda pack: (len(pack.id), pack.id))


def decide_spread(
    case: Case, *, today: date | None = None, packs: PolicyLibrary | None = None
) -> Spread:
    """Decide `case` under every candidate payer pack and group the answers."""
    packs = packs or library()
    answers = [
        _answer(determine(case, policy_id, today=today, trace="none", packs=packs), packs)
        for policy_id in candidate_policies(case, packs)
    ]
    groups = _groups(answers)
    return Spread(
        case_id=case.id, summary=summary(groups, len(answers)), plans=len(answers), groups=groups
    )


def _answer(determination: Determination, packs: PolicyLibrary) -> PlanAnswer:
    reasons = list(dict.fromkeys(r for line in determination.lines for r in line.reasons[:1]))
    return PlanAnswer(
        policy=determination.policy.id,
        payer=packs.get(determination.policy.id).spec.payer,
        outcome=determination.outcome,
        line_outcomes=[line.outcome for line in determination.lines],
        reasons=reasons,
        questions=[q.ask for q in determination.questions],
    )


def _covers_any(answer: PlanAnswer) -> bool:
    return any(outcome.is_covered for outcome in answer.line_outcomes)


def _favour(answer: PlanAnswer) -> int:
    if answer.outcome is Outcome.mixed and not _covers_any(answer):
        return 0  # every line refused, for different reasons: no better than one refusal
    return FAVOUR[answer.outcome]


def _groups(answers: Iterable[PlanAnswer]) -> list[SpreadGroup]:
    grouped: dict[tuple[Outcome, bool], list[PlanAnswer]] = {}
    for answer in answers:
        grouped.setdefault((answer.outcome, _covers_any(answer)), []).append(answer)
    ordered = sorted(grouped.values(), key=lambda group: (-len(group), _favour(group[0])))
    return [
        SpreadGroup(
            outcome=group[0].outcome,
            covers_any=_covers_any(group[0]),
            says=_verb(group[0], len(group)),
            payers=sorted(a.payer for a in group),
            answers=sorted(group, key=lambda a: a.payer),
        )
        for group in ordered
    ]


def _verb(answer: PlanAnswer, count: int) -> str:
    if answer.outcome is Outcome.mixed and not _covers_any(answer):
        one, many = NONE_OF_IT
    else:
        one, many = VERBS[answer.outcome]
    return one if count == 1 else many


# The summary's wording, whole, so that the patient pages can say it in another language.
NO_PACK = "No payer policy we know applies to this plan type."
ONE_PLAN = "The one plan we know %(verb)s (%(named)s)"
ALL_PLANS = "All %(plans)s plans we know %(verb)s (%(named)s)"
SOME_PLANS = "%(count)s of %(plans)s plans we know %(verb)s (%(named)s)"
MORE_PLANS = "%(count)s %(verb)s (%(named)s)"
LAST_TWO = "%(first)s and %(last)s"
NONE_OF_IT = ("pays for none of it", "pay for none of it")
SUMMARY_WORDS: tuple[str, ...] = (NO_PACK, ONE_PLAN, ALL_PLANS, SOME_PLANS, MORE_PLANS, LAST_TWO)
SUMMARY_WORDS += (*(verb for pair in VERBS.values() for verb in pair), *NONE_OF_IT)


def _same(text: str) -> str:
    return text


def summary(groups: list[SpreadGroup], plans: int, words: Callable[[str], str] = _same) -> str:
    """`4 of 5 plans we know call this cosmetic (...); 1 covers it with prior authorization
    (...).` The first group carries the total; a single plan answering alone says so. `words`
    translates each piece (the templates above); English by default."""
    if not groups:
        return words(NO_PACK)
    parts = []
    for number, group in enumerate(groups):
        count = len(group.payers)
        values: dict[str, object] = {"verb": words(group.says), "count": count, "plans": plans}
        values["named"] = _names(group.payers, words)
        if number == 0 and plans == 1:
            parts.append(words(ONE_PLAN) % values)
        elif number == 0:
            parts.append(words(ALL_PLANS if count == plans else SOME_PLANS) % values)
        else:
            parts.append(words(MORE_PLANS) % values)
    return "; ".join(parts) + "."


def _names(payers: list[str], words: Callable[[str], str]) -> str:
    if len(payers) == 1:
        return payers[0]
    return words(LAST_TWO) % {"first": ", ".join(payers[:-1]), "last": payers[-1]}
