"""What to do next, in plain language, for the outcome a case got."""

from __future__ import annotations

from dermcover.case import Case, PlanType, PriorAuthStatus
from dermcover.determination import (
    CodeIssue,
    DocumentationCheck,
    Line,
    Outcome,
    Question,
    Severity,
)
from dermcover.engine.pack import Pack

# Every step's wording, whole: the patient pages find a step's template here to translate it.
FIX_CODES = (
    "Correct the billing codes flagged below before anything is sent to the plan: "
    "a claim or request with an invalid code is rejected."
)
ANSWER_ONE = "Answer the %(count)s question below; each answer can change the result."
ANSWER_MANY = "Answer the %(count)s questions below; each answer can change the result."
PA_APPROVED = "Prior authorization is approved: schedule within its dates and codes."
PA_PENDING = "Prior authorization is pending: do not schedule until it is approved."
PA_DENIED = (
    "Prior authorization was denied: ask the clinic for a peer-to-peer review and "
    "file an appeal before its deadline."
)
ASK_FOR_PA = (
    "Ask the clinic to request prior authorization from %(payer)s before "
    "treatment, with a letter of medical necessity."
)
GATHER = "Gather before submitting: %(items)s."
NO_PA = (
    "No prior authorization is needed under this policy; confirm your benefits and "
    "cost-sharing with the plan."
)
ASK_FOR_GFE = (
    "For what the plan will not pay, ask the clinic for a Good Faith Estimate of the "
    "self-pay price, and compare what each way of paying would cost."
)
ADD_RECORDS = (
    "If your records show the criteria above are met after all (failed treatments, "
    "documented impairment), add them and check again."
)
UNPROVEN = (
    "The plan calls this unproven for this use; ask your clinician about a covered "
    "alternative treatment."
)
SELF_PAY = "As a self-pay patient you are entitled to a Good Faith Estimate in writing."
STEPS = (
    FIX_CODES,
    ANSWER_ONE,
    ANSWER_MANY,
    PA_APPROVED,
    PA_PENDING,
    PA_DENIED,
    ASK_FOR_PA,
    GATHER,
    NO_PA,
    ASK_FOR_GFE,
    ADD_RECORDS,
    UNPROVEN,
    SELF_PAY,
)


def next_steps(
    case: Case,
    pack: Pack,
    lines: list[Line],
    questions: list[Question],
    documentation: list[DocumentationCheck],
    code_issues: list[CodeIssue],
) -> list[str]:
    outcomes = {line.outcome for line in lines}
    pa_status = case.prior_authorization.status if case.prior_authorization else None
    steps: list[str] = []

    if any(issue.severity is Severity.error for issue in code_issues):
        steps.append(FIX_CODES)
    if Outcome.insufficient_information in outcomes:
        asked = ANSWER_ONE if len(questions) == 1 else ANSWER_MANY
        steps.append(asked % {"count": len(questions)})
    if Outcome.covered_with_prior_auth in outcomes:
        if pa_status is PriorAuthStatus.approved:
            steps.append(PA_APPROVED)
        elif pa_status is PriorAuthStatus.pending:
            steps.append(PA_PENDING)
        elif pa_status is PriorAuthStatus.denied:
            steps.append(PA_DENIED)
        else:
            steps.append(ASK_FOR_PA % {"payer": pack.spec.payer})
    missing = [
        check.item.value.replace("_", " ") for check in documentation if check.status == "missing"
    ]
    if missing:
        steps.append(GATHER % {"items": ", ".join(missing)})
    if Outcome.covered in outcomes:
        steps.append(NO_PA)
    plan_type = case.payer.plan_type if case.payer else None
    if plan_type is not PlanType.self_pay and outcomes & {
        Outcome.not_covered_cosmetic,
        Outcome.not_covered_investigational,
        Outcome.not_covered_not_medically_necessary,
    }:
        steps.append(ASK_FOR_GFE)
    if Outcome.not_covered_not_medically_necessary in outcomes:
        steps.append(ADD_RECORDS)
    if Outcome.not_covered_investigational in outcomes:
        steps.append(UNPROVEN)
    if plan_type is PlanType.self_pay:
        steps.append(SELF_PAY)
    return steps
