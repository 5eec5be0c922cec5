"""The clinical part every document shares: codes with their descriptions, and the history.

Diagnosis descriptions are the official ICD-10-CM text (public domain). Procedure descriptions are
dermcover's own words from `codes.procedures`, never the AMA's CPT descriptors.
"""

from __future__ import annotations

from dermcover.case import Case, ConditionKind, Procedure
from dermcover.codes import icd10
from dermcover.codes.conditions import infer_condition_kind
from dermcover.codes.procedures import lookup
from dermcover.determination import CodeIssue, Severity
from dermcover.documents import labels
from dermcover.documents.parties import Part


class CodedItem(Part):
    code: str
    description: str


class ProcedureItem(Part):
    code: str | None
    description: str
    kind: str
    sessions: int
    site: str | None = None
    depth: str | None = None
    area_cm2: float | None = None


class ClinicalHistory(Part):
    """What the clinician has recorded. None is "not recorded"; an empty list is "none"."""

    condition: str | None
    cause: str | None
    duration: str | None
    severity: str | None
    lesion_count: int | None
    purpose: str | None
    impairments: list[str] | None
    treatments: list[str] | None
    failed_treatments: int = 0


def diagnosis_items(case: Case) -> list[CodedItem]:
    codes = case.condition.diagnoses if case.condition and case.condition.diagnoses else []
    return [
        CodedItem(
            code=icd10.normalise(code), description=icd10.describe(code) or "not an ICD-10-CM code"
        )
        for code in codes
    ]


def procedure_item(procedure: Procedure) -> ProcedureItem:
    kind = procedure.resolved_kind
    kind_text = labels.kind(kind) if kind is not None else "Procedure"
    entry = lookup(procedure.code) if procedure.code else None
    return ProcedureItem(
        code=procedure.code,
        description=entry.summary if entry is not None else kind_text,
        kind=kind_text,
        sessions=procedure.sessions,
        site=labels.words(procedure.site) if procedure.site else None,
        depth=labels.words(procedure.depth) if procedure.depth else None,
        area_cm2=procedure.area_cm2,
    )


def condition_kind(case: Case) -> ConditionKind | None:
    """The condition kind given, else the one the diagnoses imply (as the engine reads it)."""
    condition = case.condition
    if condition is None:
        return None
    if condition.kind is None and condition.diagnoses:
        return infer_condition_kind(condition.diagnoses, cause=condition.cause)
    return condition.kind


def clinical_history(case: Case) -> ClinicalHistory:
    condition = case.condition
    kind = condition_kind(case)
    treatments = case.prior_treatments
    return ClinicalHistory(
        condition=labels.kind(kind) if kind else None,
        cause=labels.words(condition.cause) if condition and condition.cause else None,
        duration=labels.months(condition.months_since_onset)
        if condition and condition.months_since_onset is not None
        else None,
        severity=labels.words(condition.severity) if condition and condition.severity else None,
        lesion_count=condition.lesion_count if condition else None,
        purpose=labels.words(case.purpose) if case.purpose else None,
        impairments=[labels.impairment(item) for item in case.impairment]
        if case.impairment is not None
        else None,
        treatments=[labels.treatment(item) for item in treatments]
        if treatments is not None
        else None,
        failed_treatments=sum(
            1
            for item in treatments or []
            if item.outcome is not None and item.outcome.value != "success"
        ),
    )


# Refusal reasons, as templates a page can translate (web.refusal_words).
CODE_ERROR = "code %(code)s must be corrected first (%(message)s)"
NO_DIAGNOSES = "condition.diagnoses is missing (the ICD-10-CM codes the clinician recorded)"
NO_CODE = "procedures[%(index)s].code is missing (the CPT or HCPCS code to be billed)"
REFUSALS = (CODE_ERROR, NO_DIAGNOSES, NO_CODE)


def code_errors(code_issues: list[CodeIssue]) -> list[str]:
    """Code errors as refusal reasons: a plan rejects a request with an invalid code."""
    return [
        CODE_ERROR % {"code": issue.code, "message": issue.message}
        for issue in code_issues
        if issue.severity is Severity.error
    ]


def missing_diagnoses(case: Case) -> list[str]:
    if case.condition is None or not case.condition.diagnoses:
        return [NO_DIAGNOSES]
    return []


def missing_codes(case: Case, indexes: list[int]) -> list[str]:
    return [NO_CODE % {"index": index} for index in indexes if case.procedures[index].code is None]
