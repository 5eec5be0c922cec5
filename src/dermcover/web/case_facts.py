"""A case's facts as the clinic's case page lists them: label and plain text, unknowns shown as
unknown rather than left out (an unknown is a question still to answer)."""

from __future__ import annotations

from dermcover.case import Case
from dermcover.web.labels import answer_text, label


def _join(items: list[str]) -> str:
    return ", ".join(items) if items else "None"


def case_facts(case: Case) -> list[tuple[str, str]]:
    patient, payer, condition, provider = case.patient, case.payer, case.condition, case.provider
    facts: list[tuple[str, str]] = []
    if patient is not None and patient.name:
        facts.append(("Patient", patient.name))
    if patient is not None and patient.birth_date is not None:
        facts.append(("Born", patient.birth_date.isoformat()))
    elif patient is not None and patient.age is not None:
        facts.append(("Age", str(patient.age)))
    if payer is not None:
        plan = [
            text
            for text in (
                payer.plan_name,
                label(payer.plan_type) if payer.plan_type else None,
                label(payer.network) if payer.network else None,
            )
            if text
        ]
        facts.append(("Plan", _join(plan) if plan else "Unknown"))
        if payer.member_id:
            facts.append(("Member ID", payer.member_id))
    for number, procedure in enumerate(case.procedures, start=1):
        kind = procedure.resolved_kind
        parts = [label(kind) if kind else "Procedure"]
        if procedure.code:
            parts.append(procedure.code)
        parts.append(f"{procedure.sessions} session{'s' if procedure.sessions != 1 else ''}")
        if procedure.site:
            parts.append(label(procedure.site).lower())
        facts.append((f"Procedure {number}", ", ".join(parts)))
    if condition is not None:
        if condition.diagnoses is not None:
            facts.append(("Diagnoses", _join(condition.diagnoses)))
        if condition.kind is not None:
            facts.append(("Condition", label(condition.kind)))
        facts.append(("Cause", label(condition.cause) if condition.cause else "Unknown"))
        facts.append(("Severity", label(condition.severity) if condition.severity else "Unknown"))
    facts.append(("Purpose", label(case.purpose) if case.purpose else "Unknown"))
    facts.append(
        ("Impairment", answer_text(case.impairment) if case.impairment is not None else "Unknown")
    )
    if case.prior_treatments is not None:
        facts.append(
            (
                "Tried before",
                answer_text([t.model_dump(mode="json") for t in case.prior_treatments]),
            )
        )
    else:
        facts.append(("Tried before", "Unknown"))
    if provider is not None:
        who = [text for text in (provider.name, provider.credentials) if text]
        if provider.type:
            who.append(label(provider.type).lower())
        if provider.npi:
            who.append(f"NPI {provider.npi}")
        facts.append(("Provider", ", ".join(who) if who else "Unknown"))
    return facts
