"""The letter of medical necessity: the clinician's case for coverage, in the policy's own terms.

A letter is written only for procedure lines the determination finds covered (with or without
prior authorization). For a line the policy excludes as cosmetic or investigational, or one whose
criteria are not met or not yet known, there is no honest letter to write: with no such line left,
the letter is refused and the refusal says why, line by line.

The letter needs what a plan needs to act on it: the patient (name, date of birth), the treating
clinician (name, credentials, NPI), the diagnosis codes and a code for each requested procedure,
and for a series of sessions the interval between them.
"""

from __future__ import annotations

from datetime import date

from dermcover.case import Case
from dermcover.determination import Determination, Line, Outcome, PolicyRef
from dermcover.documents import labels
from dermcover.documents.argument import (
    CriterionArgument,
    LineReader,
    rule_by_id,
    supporting_criteria,
)
from dermcover.documents.basis import basis, cited, policy_to_check
from dermcover.documents.clinical import (
    ClinicalHistory,
    CodedItem,
    ProcedureItem,
    clinical_history,
    code_errors,
    diagnosis_items,
    missing_codes,
    missing_diagnoses,
    procedure_item,
)
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
from dermcover.documents.schedule import Schedule
from dermcover.engine.pack import Pack

DOCUMENT = "letter of medical necessity"

NEEDED_FIELDS = (
    "patient.name",
    "patient.birth_date",
    "provider.name",
    "provider.credentials",
    "provider.npi",
)

SUPPORTED = (Outcome.covered, Outcome.covered_with_prior_auth)

_WHY_NOT = {
    Outcome.not_covered_cosmetic: "the policy excludes it as cosmetic",
    Outcome.not_covered_investigational: (
        "the policy calls it experimental or investigational for this use"
    ),
    Outcome.not_covered_not_medically_necessary: "the case does not meet the policy's criteria",
    Outcome.insufficient_information: "the policy's answer still depends on open questions",
}


class TreatmentPlan(Part):
    sessions: int
    interval: str | None
    first_session: date | None
    last_session: date | None
    site: str | None


class RequestedProcedure(Part):
    procedure: ProcedureItem
    covering_rule: str
    covering_citation: str
    criteria: list[CriterionArgument]
    prior_authorization_required: bool
    plan: TreatmentPlan


class LetterOfMedicalNecessity(Part):
    written_on: date
    patient: PatientBlock
    provider: ProviderBlock
    plan: PlanBlock
    policy: PolicyRef
    # Set when the plan has no pack of its own: the letter argues from the general definitions
    # of medical necessity and names this, the plan's own policy, as the one to check.
    policy_to_check: str | None = None
    basis: str | None = None  # the general definitions of medical necessity argued under
    diagnoses: list[CodedItem]
    condition: str
    history: ClinicalHistory
    requested: list[RequestedProcedure]
    left_out: list[str]


def line_label(line: Line) -> str:
    kind = labels.kind(line.procedure.kind) if line.procedure.kind else "Procedure"
    return f"{kind} ({line.procedure.code})" if line.procedure.code else kind


def unsupported_reasons(determination: Determination, indexes: list[int]) -> list[str]:
    """Why each of the given lines cannot be argued as medically necessary."""
    reasons = []
    for index in indexes:
        line = determination.lines[index]
        why = _WHY_NOT.get(line.outcome, line.outcome.value)
        detail = line.reasons[0] if line.reasons else ""
        if line.outcome is Outcome.insufficient_information and determination.questions:
            detail = "open: " + " ".join(q.ask for q in determination.questions)
        text = f"{line_label(line)}: {why} under {determination.policy.title}"
        reasons.append(f"{text} ({detail.rstrip('.')})" if detail else text)
    return reasons


def supported_lines(determination: Determination) -> list[int]:
    return [i for i, line in enumerate(determination.lines) if line.outcome in SUPPORTED]


def refuse_unsupported(document: str, determination: Determination) -> list[int]:
    """The supported lines; a refusal naming every line's reason when there is none."""
    supported = supported_lines(determination)
    if not supported:
        everything = list(range(len(determination.lines)))
        raise DocumentRefused(
            document,
            [
                "no procedure is supported as medically necessary, and a letter must not claim "
                "otherwise",
                *unsupported_reasons(determination, everything),
            ],
        )
    return supported


def treatment_plan(case: Case, index: int, schedule: Schedule | None) -> TreatmentPlan:
    procedure = case.procedures[index]
    dates = schedule.session_dates(procedure.sessions) if schedule is not None else None
    interval = schedule.interval if schedule is not None else None
    return TreatmentPlan(
        sessions=procedure.sessions,
        interval=interval.text if interval is not None and procedure.sessions > 1 else None,
        first_session=dates[0] if dates else None,
        last_session=dates[-1] if dates else None,
        site=labels.words(procedure.site) if procedure.site else None,
    )


NO_INTERVAL = (
    "schedule.interval is missing (how far apart the sessions are, for the treatment plan)"
)


def missing_intervals(case: Case, indexes: list[int], schedule: Schedule | None) -> list[str]:
    if any(case.procedures[i].sessions > 1 for i in indexes) and (
        schedule is None or schedule.interval is None
    ):
        return [NO_INTERVAL]
    return []


def letter_of_medical_necessity(
    case: Case,
    determination: Determination,
    pack: Pack,
    *,
    today: date,
    schedule: Schedule | None = None,
) -> LetterOfMedicalNecessity:
    """The letter for the supported lines of `case`, or `DocumentRefused` saying why not.

    `determination` must be `determine(case, pack.id, today=today)`.
    """
    supported = refuse_unsupported(DOCUMENT, determination)
    refuse_if(
        DOCUMENT,
        [
            *missing_fields(case, NEEDED_FIELDS),
            *missing_diagnoses(case),
            *missing_codes(case, supported),
            *missing_intervals(case, supported, schedule),
            *code_errors(determination.code_issues),
        ],
    )
    requested = []
    for index in supported:
        line = determination.lines[index]
        rule = rule_by_id(pack, line.decided_by)
        if rule is None:  # a covered line is always decided by a rule of its pack
            raise ValueError(f"rule {line.decided_by} is not in pack {pack.id}")
        reader = LineReader(pack, case, index, today)
        requested.append(
            RequestedProcedure(
                procedure=procedure_item(case.procedures[index]),
                covering_rule=rule.criterion.text,
                covering_citation=cited(pack, rule.criterion.citation),
                criteria=supporting_criteria(reader, rule)[:-1],
                prior_authorization_required=line.outcome is Outcome.covered_with_prior_auth,
                plan=treatment_plan(case, index, schedule),
            )
        )
    history = clinical_history(case)
    left_out = [i for i in range(len(determination.lines)) if i not in supported]
    plan = plan_block(case, pack.spec.payer)
    return LetterOfMedicalNecessity(
        written_on=today,
        patient=patient_block(case),
        provider=provider_block(case),
        plan=plan,
        policy=determination.policy,
        policy_to_check=policy_to_check(pack, plan.name),
        basis=basis(pack),
        diagnoses=diagnosis_items(case),
        condition=(history.condition or "the condition diagnosed").lower(),
        history=history,
        requested=requested,
        left_out=unsupported_reasons(determination, left_out),
    )
