"""The appeal of a denial: deadline, rebuttal criterion by criterion, evidence, rights.

It answers the plan in its own terms. For each denied code it finds the procedure line of the
case, and argues only what the policy supports: where the denial calls the line cosmetic or
investigational, the parts of that exclusion the case does not meet; then every criterion of the
covering rule that the case meets, with the policy's citation and the facts. A line the
determination itself finds excluded or unproven gets no appeal letter: the refusal says why.

The filing deadline comes from the deadline calculators for the plan type (ERISA/ACA internal
appeal, Medicare Advantage reconsideration, Original Medicare redetermination); Medicaid windows
are set by each state and are not calculated, so the notice's own date (`appeal_by`) is needed.
An appeal past its deadline is refused, naming the date. A peer-to-peer review is requested
where a physician reviewer decided a clinical question for a plan that offers one; the
patient's external review rights close it.
"""

from __future__ import annotations

from datetime import date

from dermcover.case import Case, PlanType
from dermcover.deadlines import erisa, medicare_advantage, original_medicare
from dermcover.deadlines.due import DueDate
from dermcover.deadlines.erisa import ClaimType
from dermcover.determination import Determination, PolicyRef
from dermcover.documents import labels
from dermcover.documents.argument import (
    CriterionArgument,
    ExclusionRebuttal,
    LineReader,
    excluded_rules_weighed,
    rule_by_id,
    supporting_criteria,
    why_not_excluded,
)
from dermcover.documents.basis import basis, cited, policy_to_check
from dermcover.documents.clinical import (
    ClinicalHistory,
    CodedItem,
    ProcedureItem,
    clinical_history,
    code_errors,
    diagnosis_items,
    missing_diagnoses,
    procedure_item,
)
from dermcover.documents.denial import Denial, DenialReason
from dermcover.documents.lmn import SUPPORTED, unsupported_reasons
from dermcover.documents.parties import (
    Part,
    PatientBlock,
    PlanBlock,
    ProviderBlock,
    missing_fields,
    patient_block,
    plan_block,
    provider_block,
)
from dermcover.documents.refusal import DocumentRefused, refuse_if
from dermcover.engine.pack import Pack

DOCUMENT = "appeal letter"

NEEDED_FIELDS = (
    "patient.name",
    "patient.birth_date",
    "payer.member_id",
    "provider.name",
    "provider.credentials",
    "provider.npi",
    "provider.phone",
)

# The exclusion stages an appeal answers for each reason a plan gives.
STAGES_ANSWERED = {
    DenialReason.cosmetic: ("cosmetic",),
    DenialReason.investigational: ("investigational",),
    DenialReason.other: ("exclusion", "investigational", "cosmetic"),
}

REASON_WORDS = {
    DenialReason.cosmetic: "cosmetic",
    DenialReason.not_medically_necessary: "not medically necessary",
    DenialReason.investigational: "experimental or investigational",
    DenialReason.insufficient_documentation: "not supported by enough documentation",
    DenialReason.other: "not covered",
}

# A clinical question decided by a physician reviewer can be discussed doctor to doctor.
PEER_TO_PEER_REASONS = (
    DenialReason.cosmetic,
    DenialReason.not_medically_necessary,
    DenialReason.investigational,
    DenialReason.insufficient_documentation,
)
PEER_TO_PEER_PLANS = (PlanType.commercial, PlanType.medicare_advantage, PlanType.medicaid)


class LineRebuttal(Part):
    procedure: ProcedureItem
    exclusions: list[ExclusionRebuttal]
    covering_rule: str
    covering_citation: str
    criteria: list[CriterionArgument]


class PeerToPeer(Part):
    request_by: date | None
    note: str


class ExternalReview(Part):
    summary: str
    steps: list[str]
    deadline: DueDate | None = None


class AppealLetter(Part):
    written_on: date
    patient: PatientBlock
    provider: ProviderBlock
    plan: PlanBlock
    policy: PolicyRef
    policy_to_check: str | None = None  # see LetterOfMedicalNecessity
    basis: str | None = None
    denial: Denial
    reason_words: str
    deadline: DueDate
    later_limit: DueDate | None
    expedited: bool
    diagnoses: list[CodedItem]
    history: ClinicalHistory
    rebuttals: list[LineRebuttal]
    evidence: list[str]
    to_obtain: list[str]
    peer_to_peer: PeerToPeer | None
    external_review: ExternalReview


def _deadlines(denial: Denial) -> tuple[DueDate | None, DueDate | None]:
    """The date to file by, and a later outer limit where the rule is unsettled."""
    if denial.plan_type is PlanType.commercial:
        computed = erisa.appeal_filing(denial.received, aca=True)
        outer = None
    elif denial.plan_type is PlanType.medicare_advantage:
        computed, outer = medicare_advantage.reconsideration_filing(denial.date)
    elif denial.plan_type is PlanType.medicare:
        computed, outer = original_medicare.redetermination_filing(denial.date), None
    else:
        computed, outer = None, None
    if denial.appeal_by is not None and (computed is None or denial.appeal_by < computed.due_date):
        stated = DueDate(
            rule="File the appeal (date on the denial notice)",
            citation="the plan's denial notice",
            due=denial.appeal_by,
            counted_from=denial.date,
        )
        return stated, computed
    return computed, outer


def _deadline_reasons(denial: Denial, deadline: DueDate | None, today: date) -> list[str]:
    if deadline is None:
        return [
            f"denial.appeal_by is missing: the {denial.plan_type.value.replace('_', ' ')} appeal "
            "window is not calculated here; copy the deadline from the denial notice"
        ]
    if deadline.due_date < today:
        return [
            f"the deadline to appeal was {deadline.due_date.isoformat()} ({deadline.rule}, "
            f"{deadline.citation}); ask the plan whether it accepts a late appeal for good cause"
        ]
    return []


def _denied_lines(case: Case, denial: Denial) -> tuple[list[int], list[str]]:
    codes = [procedure.code for procedure in case.procedures]
    indexes, reasons = [], []
    for code in denial.codes:
        if code in codes:
            indexes.append(codes.index(code))
        else:
            known = ", ".join(c for c in codes if c) or "none"
            reasons.append(
                f"denied code {code} is not a procedure code in the case (the case has: {known})"
            )
    return sorted(set(indexes)), reasons


def _peer_to_peer(denial: Denial, today: date) -> PeerToPeer | None:
    if denial.plan_type not in PEER_TO_PEER_PLANS or denial.reason not in PEER_TO_PEER_REASONS:
        return None
    if denial.peer_to_peer_by is not None and denial.peer_to_peer_by < today:
        return None
    if denial.peer_to_peer_by is not None:
        note = f"The notice allows a peer-to-peer request until {denial.peer_to_peer_by:%B} "
        note += f"{denial.peer_to_peer_by.day}, {denial.peer_to_peer_by.year}."
    else:
        note = (
            "Request it at once: many plans take peer-to-peer requests only for 5 to 14 business "
            "days after a denial."
        )
    return PeerToPeer(request_by=denial.peer_to_peer_by, note=note)


def _external_review(denial: Denial) -> ExternalReview:
    if denial.plan_type is PlanType.commercial:
        if denial.external_review_days is not None:
            window = (
                f"within {denial.external_review_days} days of the final denial notice, the "
                "window your plan's notice gives under your state's external-review law"
            )
        else:
            window = (
                "within 4 months of receiving the final denial (45 CFR 147.136(d)(2)(i)); a "
                "deadline on a weekend or federal holiday moves to the next business day"
            )
        return ExternalReview(
            summary=(
                "If the plan upholds its denial after this appeal, the patient may ask for an "
                "independent external review. A reviewer outside the plan decides, and the plan "
                "must follow the decision."
            ),
            steps=[
                f"Ask for external review {window}.",
                "A standard review is decided within 45 days; an expedited review, when waiting "
                "could seriously harm the patient's health, within 72 hours.",
                "If the plan does not follow the appeal rules, the patient may go to external "
                "review without waiting for the internal appeal to finish.",
            ],
        )
    if denial.plan_type is PlanType.medicare_advantage:
        return ExternalReview(
            summary=(
                "If the plan upholds its denial of this reconsideration in whole or in part, it "
                "must send the case to Medicare's Independent Review Entity on its own: the "
                "patient does not have to ask."
            ),
            steps=[
                "The plan decides a standard pre-service reconsideration within 30 days (a "
                "payment reconsideration within 60 days; an expedited one within 72 hours) "
                "(42 CFR 422.590).",
                "An adverse decision goes to the Independent Review Entity automatically; "
                "further levels (an administrative law judge, the Medicare Appeals Council, "
                "federal court) follow if it also says no.",
            ],
        )
    if denial.plan_type is PlanType.medicare:
        return ExternalReview(
            summary=(
                "If the Medicare contractor upholds the denial on redetermination, the patient "
                "may ask a Qualified Independent Contractor for reconsideration."
            ),
            steps=[
                "Ask for reconsideration within 180 days of receiving the redetermination "
                "decision (42 CFR 405.962).",
                "Further levels (an administrative law judge, the Medicare Appeals Council, "
                "federal court) follow if it also says no.",
            ],
        )
    return ExternalReview(
        summary=(
            "If the plan upholds its denial after this appeal, the patient may ask for a State "
            "fair hearing, and in some states an external medical review."
        ),
        steps=[
            "The plan's decision on this appeal states how and by when to ask for a State fair "
            "hearing; keep it.",
        ],
    )


def _rebuttal(
    pack: Pack, case: Case, determination: Determination, index: int, denial: Denial, today: date
) -> LineRebuttal:
    line = determination.lines[index]
    rule = rule_by_id(pack, line.decided_by)
    if rule is None:  # a covered line is always decided by a rule of its pack
        raise ValueError(f"rule {line.decided_by} is not in pack {pack.id}")
    reader = LineReader(pack, case, index, today)
    exclusions = [
        why_not_excluded(reader, excluded)
        for stage in STAGES_ANSWERED.get(denial.reason, ())
        for excluded in excluded_rules_weighed(pack, line, stage)
    ]
    return LineRebuttal(
        procedure=procedure_item(case.procedures[index]),
        exclusions=exclusions,
        covering_rule=rule.criterion.text,
        covering_citation=cited(pack, rule.criterion.citation),
        criteria=supporting_criteria(reader, rule)[:-1],
    )


def _evidence(
    case: Case, determination: Determination, denial: Denial
) -> tuple[list[str], list[str]]:
    dated = f"{denial.date:%B} {denial.date.day}, {denial.date.year}"
    notice = f"A copy of the denial notice dated {dated}"
    if denial.reference:
        notice += f" (reference {denial.reference})"
    evidence = [notice]
    to_obtain = []
    for check in determination.documentation:
        label = labels.capitalised(labels.words(check.item))
        evidence.append(label)
        if check.status != "present":
            to_obtain.append(label)
    listed = {check.item for check in determination.documentation}
    evidence += [
        labels.capitalised(labels.words(item))
        for item in case.documentation or []
        if item not in listed
    ]
    return evidence, to_obtain


def appeal_letter(
    case: Case,
    determination: Determination,
    pack: Pack,
    denial: Denial,
    *,
    today: date,
) -> AppealLetter:
    """The appeal of `denial` for `case`, or `DocumentRefused` naming every reason not to."""
    indexes, code_reasons = _denied_lines(case, denial)
    refuse_if(DOCUMENT, code_reasons)
    unsupported = [i for i in indexes if determination.lines[i].outcome not in SUPPORTED]
    if unsupported:
        raise DocumentRefused(
            DOCUMENT,
            [
                "an appeal must not argue what the policy does not support",
                *unsupported_reasons(determination, unsupported),
            ],
        )
    deadline, later_limit = _deadlines(denial)
    refuse_if(
        DOCUMENT,
        [
            *_deadline_reasons(denial, deadline, today),
            *missing_fields(case, NEEDED_FIELDS),
            *missing_diagnoses(case),
            *code_errors(determination.code_issues),
        ],
    )
    if deadline is None:  # ruled out by _deadline_reasons
        raise ValueError("no deadline")
    provider = provider_block(case)
    evidence, to_obtain = _evidence(case, determination, denial)
    plan = plan_block(case, pack.spec.payer)
    return AppealLetter(
        written_on=today,
        patient=patient_block(case),
        provider=provider,
        plan=plan,
        policy=determination.policy,
        policy_to_check=policy_to_check(pack, plan.name),
        basis=basis(pack),
        denial=denial,
        reason_words=REASON_WORDS[denial.reason],
        deadline=deadline,
        later_limit=later_limit,
        expedited=denial.claim_type is ClaimType.urgent,
        diagnoses=diagnosis_items(case),
        history=clinical_history(case),
        rebuttals=[_rebuttal(pack, case, determination, i, denial, today) for i in indexes],
        evidence=evidence,
        to_obtain=to_obtain,
        peer_to_peer=_peer_to_peer(denial, today),
        external_review=_external_review(denial),
    )
