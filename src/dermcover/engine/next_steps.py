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
        steps.append(
            "Correct the billing codes flagged below before anything is sent to the plan: "
            "a claim or request with an invalid code is rejected."
        )
    if Outcome.insufficient_information in outcomes:
        steps.append(
            f"Answer the {len(questions)} question{'s' if len(questions) != 1 else ''} below; "
            "each answer can change the result."
        )
    if Outcome.covered_with_prior_auth in outcomes:
        if pa_status is PriorAuthStatus.approved:
            steps.append("Prior authorization is approved: schedule within its dates and codes.")
        elif pa_status is PriorAuthStatus.pending:
            steps.append("Prior authorization is pending: do not schedule until it is approved.")
        elif pa_status is PriorAuthStatus.denied:
            steps.append(
                "Prior authorization was denied: ask the clinic for a peer-to-peer review and "
                "file an appeal before its deadline."
            )
        else:
            steps.append(
                f"Ask the clinic to request prior authorization from {pack.spec.payer} before "
                "treatment, with a letter of medical necessity."
            )
    missing = [
        check.item.value.replace("_", " ") for check in documentation if check.status == "missing"
    ]
    if missing:
        steps.append("Gather before submitting: " + ", ".join(missing) + ".")
    if Outcome.covered in outcomes:
        steps.append(
            "No prior authorization is needed under this policy; confirm your benefits and "
            "cost-sharing with the plan."
        )
    plan_type = case.payer.plan_type if case.payer else None
    if plan_type is not PlanType.self_pay and outcomes & {
        Outcome.not_covered_cosmetic,
        Outcome.not_covered_investigational,
        Outcome.not_covered_not_medically_necessary,
    }:
        steps.append(
            "For what the plan will not pay, ask the clinic for a Good Faith Estimate of the "
            "self-pay price, and compare what each way of paying would cost."
        )
    if Outcome.not_covered_not_medically_necessary in outcomes:
        steps.append(
            "If your records show the criteria above are met after all (failed treatments, "
            "documented impairment), add them and check again."
        )
    if Outcome.not_covered_investigational in outcomes:
        steps.append(
            "The plan calls this unproven for this use; ask your clinician about a covered "
            "alternative treatment."
        )
    if plan_type is PlanType.self_pay:
        steps.append("As a self-pay patient you are entitled to a Good Faith Estimate in writing.")
    return steps
