"""The code checks: bad, doubtful or mismatched codes in a case, each as a `CodeIssue`.

An **error** is a code a claim cannot carry as it stands: a code that does not exist, a diagnosis
that is not ICD-10-CM or is a header, a procedure code that names a different procedure, or a code
whose depth or site contradicts the procedure line. A **warning** is a code that may be right but
invites a denial or a question: a procedure code dermcover does not know, an unlisted code, a
cosmetic-encounter diagnosis, the PRP wound codes G0460/G0465 against the diabetes diagnoses, a
diagnosis that does not fit the condition kind given, or a procedure that is not a usual
treatment for the condition.

Unknown procedure codes. The CPT/HCPCS table (`procedures.py`) holds the codes this domain uses,
not the whole of CPT, which is not public. So a code that has the shape of a CPT or HCPCS code
(five digits; four digits and F, T or U; a letter A-V and four digits) but is not in the table
gets a warning ("not a code dermcover knows"), not an error; a code of any other shape is an error,
as are the few codes the research shows do not exist (`NOT_CODES`).

Every issue's `field` is the path of the code in the case (`procedures[0].code`,
`condition.diagnoses[1]`), so a form can put the message beside the field.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache, lru_cache

from dermcover.case import Case, ConditionKind, PlanType, Procedure, ProcedureKind, Site
from dermcover.codes import icd10
from dermcover.codes.conditions import (
    SCAR_KINDS,
    DiagnosisRule,
    infer_condition_kind,
    is_burn_code,
    is_diabetes_code,
    rule_for,
)
from dermcover.codes.indications import plausibly_treats
from dermcover.codes.procedures import PROCEDURE_CODES, ProcedureCode, lookup
from dermcover.determination import CodeIssue, Severity

_CPT_OR_HCPCS_SHAPE = re.compile(r"^(\d{5}|\d{4}[FTU]|[A-V]\d{4})$")

# Codes that look real and are not (payer research, 2.1 "Is 17320 real?").
NOT_CODES: dict[str, str] = {
    "17320": (
        "17320 is not a CPT code: there is no such code. Abrasion of a lesion is 15786 (and "
        "15787 for each further group); microdermabrasion has no code of its own and is billed "
        "as unlisted 17999"
    ),
    **{
        retired: (
            f"{retired} is a Mohs surgery code that was deleted years ago; Mohs surgery is "
            "billed with 17311-17315"
        )
        for retired in ("17306", "17307", "17310")
    },
}

# WHO ICD-10 sequelae categories that US ICD-10-CM does not have (research 1.12).
_WHO_SEQUELAE = tuple(f"T9{n}" for n in range(9))

_COSMETIC_ENCOUNTER = "Z41.1"
_PRP_DIABETIC, _PRP_NON_DIABETIC = "G0465", "G0460"
_UNLISTED_FALLBACK = "17999"
_HEADER_EXAMPLES = 3


def check_codes(case: Case) -> list[CodeIssue]:
    """Every code issue in `case`: procedure lines first, then the diagnoses."""
    diagnoses = case.condition.diagnoses if case.condition is not None else None
    stated_kind = case.condition.kind if case.condition is not None else None
    condition_kind = stated_kind
    if condition_kind is None and diagnoses:
        cause = case.condition.cause if case.condition is not None else None
        condition_kind = infer_condition_kind(diagnoses, cause=cause)
    # A self-pay case sends no claim, so what a claim would need (a narrative) is not said.
    claim = case.payer is None or case.payer.plan_type is not PlanType.self_pay
    issues: list[CodeIssue] = []
    for index, procedure in enumerate(case.procedures):
        issues += _procedure_issues(index, procedure, diagnoses, claim=claim)
        issues += _treatment_issues(index, procedure, condition_kind, inferred=stated_kind is None)
    if diagnoses:
        issues += _diagnosis_issues(diagnoses, stated_kind)
    for index, procedure in enumerate(case.procedures):
        for position, code in enumerate(procedure.claim_diagnoses or ()):
            message = diagnosis_code_problem(code)
            if message is not None:
                field = f"procedures[{index}].claim_diagnoses[{position}]"
                issues.append(
                    CodeIssue(code=code, severity=Severity.error, message=message, field=field)
                )
    return issues


# ---------------------------------------------------------------------------------------------
# Procedure codes


def _procedure_issues(
    index: int, procedure: Procedure, diagnoses: Sequence[str] | None, *, claim: bool = True
) -> list[CodeIssue]:
    code = procedure.code
    if code is None:
        return []
    field = f"procedures[{index}].code"

    def issue(severity: Severity, message: str) -> CodeIssue:
        return CodeIssue(code=code, severity=severity, message=message, field=field)

    if code in NOT_CODES:
        return [issue(Severity.error, NOT_CODES[code])]
    entry = lookup(code)
    if entry is None:
        if _CPT_OR_HCPCS_SHAPE.match(code):
            return [
                issue(
                    Severity.warning,
                    f"{code} is not a code dermcover knows, so it was not checked; "
                    "confirm it in the current CPT or HCPCS code set",
                )
            ]
        return [
            issue(
                Severity.error,
                f"{code} is not a CPT or HCPCS code: expected five digits (15789), four digits "
                "and a letter (0479T) or a letter and four digits (G0465)",
            )
        ]

    issues: list[CodeIssue] = []
    kind = procedure.kind
    if kind is not None and entry.kinds is not None and kind.value not in entry.kinds:
        issues.append(issue(Severity.error, _wrong_kind_message(entry, kind)))
    if entry.unlisted and claim:
        issues.append(issue(Severity.warning, _unlisted_message(entry, kind)))
    depth = procedure.depth.value if procedure.depth is not None else None
    if entry.depth is not None and depth is not None and depth != entry.depth:
        issues.append(issue(Severity.error, _depth_message(entry, depth)))
    site = procedure.site
    if entry.facial is not None and site is not None and entry.facial != (site is Site.face):
        issues.append(issue(Severity.error, _site_message(entry, site)))
    if diagnoses is not None:
        issues += [issue(Severity.warning, text) for text in _prp_wound_messages(code, diagnoses)]
    return issues


@cache  # the code table is fixed, and the kinds are few
def _codes_for_kind(kind: ProcedureKind) -> tuple[str, ...]:
    return tuple(
        entry.code
        for entry in PROCEDURE_CODES.values()
        if entry.kinds is not None and kind.value in entry.kinds
    )


def _wrong_kind_message(entry: ProcedureCode, kind: ProcedureKind) -> str:
    text = f"{entry.code} ({entry.summary.lower()}) does not describe {kind.value}"
    codes = _codes_for_kind(kind)
    if codes:
        return f"{text}; codes for {kind.value}: {', '.join(codes)}"
    return (
        f"{text}; {kind.value} has no code of its own and is billed as unlisted "
        f"{_UNLISTED_FALLBACK} with a description of what was done"
    )


def _unlisted_message(entry: ProcedureCode, kind: ProcedureKind | None) -> str:
    text = (
        f"{entry.code} is an unlisted-procedure code: the claim needs a narrative of what was "
        "done and the records to back it, and the plan prices it case by case"
    )
    codes = _codes_for_kind(kind) if kind is not None else ()
    if kind is not None and codes:
        text += f"; {kind.value} has its own codes ({', '.join(codes)})"
    return text


def _counterpart(entry: ProcedureCode, *, depth: str | None, facial: bool | None) -> str | None:
    """The code in the table that is `entry` with a different depth or site, if there is one."""
    for other in PROCEDURE_CODES.values():
        if other.kinds == entry.kinds and other.depth == depth and other.facial == facial:
            return other.code
    return None


def _depth_message(entry: ProcedureCode, depth: str) -> str:
    text = f"{entry.code} is for {entry.depth} depth but the line says depth {depth}"
    other = _counterpart(entry, depth=depth, facial=entry.facial)
    return f"{text}; the {depth} code is {other}" if other else text


def _site_message(entry: ProcedureCode, site: Site) -> str:
    where = "on the face" if entry.facial else "off the face"
    text = f"{entry.code} is for a procedure {where} but the line says site {site.value}"
    other = _counterpart(entry, depth=entry.depth, facial=not entry.facial)
    return f"{text}; use {other}" if other else text


def _prp_wound_messages(code: str, diagnoses: Sequence[str]) -> list[str]:
    # Research 1.8, "code conflict": G0465 is for diabetic wounds and G0460 was relabelled for
    # non-diabetic ones (AABB 2022; UHC MA), though one MAC notice still names G0460.
    diabetic = any(is_diabetes_code(code) for code in diagnoses)
    if code == _PRP_DIABETIC and not diabetic:
        return [
            f"{_PRP_DIABETIC} is PRP for a diabetic chronic wound, but no diabetes diagnosis "
            f"(E08-E13) is on the case; a non-diabetic wound is {_PRP_NON_DIABETIC}"
        ]
    if code == _PRP_NON_DIABETIC and diabetic:
        return [
            f"{_PRP_NON_DIABETIC} is PRP for a non-diabetic chronic wound, but a diabetes "
            f"diagnosis is on the case; a diabetic wound is {_PRP_DIABETIC} (confirm which "
            "code the plan expects: one contractor notice still names G0460)"
        ]
    return []


# ---------------------------------------------------------------------------------------------
# Procedure against condition


def _treatment_issues(
    index: int, procedure: Procedure, condition_kind: ConditionKind | None, *, inferred: bool
) -> list[CodeIssue]:
    kind = procedure.resolved_kind
    if kind is None or condition_kind is None or plausibly_treats(kind, condition_kind):
        return []
    source = " (inferred from the diagnoses)" if inferred else ""
    return [
        CodeIssue(
            code=procedure.code or kind.value,
            severity=Severity.warning,
            message=(
                f"{kind.value} is not a usual treatment for {condition_kind.value}{source}; "
                "check the procedure and the condition"
            ),
            field=f"procedures[{index}].kind" if procedure.kind else f"procedures[{index}].code",
        )
    ]


# ---------------------------------------------------------------------------------------------
# Diagnosis codes


def _diagnosis_issues(
    diagnoses: Sequence[str], stated_kind: ConditionKind | None
) -> list[CodeIssue]:
    issues: list[CodeIssue] = []
    scar_on_case = stated_kind in SCAR_KINDS or any(
        icd10.normalise(code) in ("L90.5", "L91.0") for code in diagnoses
    )
    for index, code in enumerate(diagnoses):
        field = f"condition.diagnoses[{index}]"
        message = diagnosis_code_problem(code)
        if message is not None:
            issues.append(
                CodeIssue(code=code, severity=Severity.error, message=message, field=field)
            )
            continue
        warning = _cosmetic_message(code) or (_acute_burn_message(code) if scar_on_case else None)
        if warning is not None:
            issues.append(
                CodeIssue(code=code, severity=Severity.warning, message=warning, field=field)
            )
    if stated_kind is not None:
        issues += _kind_mismatches(diagnoses, stated_kind)
    return issues


def who_only_message(code: str) -> str | None:
    """Why `code` is a WHO ICD-10 code that US ICD-10-CM lacks, or None when it is not one."""
    dotted = icd10.normalise(code)
    if dotted.startswith("T95"):
        return (
            f"{code} is a WHO ICD-10 code only (sequelae of burns); US ICD-10-CM has no T95 and "
            "codes a burn sequela as T20-T25 by site and depth with 7th character S "
            "(e.g. T23.302S)"
        )
    if dotted.startswith(_WHO_SEQUELAE):
        return (
            f"{code} is a WHO ICD-10 sequelae code only; US ICD-10-CM codes a sequela as the "
            "injury code with 7th character S"
        )
    return None


@lru_cache(maxsize=4096)  # the code tables are fixed; a case repeats the codes others give
def diagnosis_code_problem(code: str) -> str | None:
    """Why `code` cannot go on a claim as a diagnosis, or None when it can."""
    if not code:
        return "a diagnosis code is empty; remove it or give the ICD-10-CM code"
    who_only = who_only_message(code)
    if who_only is not None:
        return who_only
    dotted = icd10.normalise(code)
    if not icd10.is_valid(dotted):
        return f"{code} is not an ICD-10-CM code"
    if not icd10.is_billable(dotted):
        examples = ", ".join(
            f"{child} ({icd10.describe(child)})"
            for child in icd10.children(dotted)[:_HEADER_EXAMPLES]
        )
        return (
            f"{code} ({icd10.describe(dotted)}) is a header and cannot be billed; choose a more "
            f"specific code, e.g. {examples}"
        )
    return None


def _cosmetic_message(code: str) -> str | None:
    if icd10.normalise(code) != _COSMETIC_ENCOUNTER:
        return None
    return (
        f"{code} (encounter for cosmetic surgery) tells the plan the purpose is cosmetic, "
        "which most plans exclude; use it only if that is the purpose"
    )


def _acute_burn_message(code: str) -> str | None:
    dotted = icd10.normalise(code)
    if not (is_burn_code(dotted) and len(dotted) == 8 and dotted[-1] in "AD"):
        return None
    return (
        f"{code} codes the burn itself, not its scar; a burn scar is coded as a sequela, with "
        f"7th character S ({dotted[:-1]}S)"
    )


def _kind_mismatches(diagnoses: Sequence[str], stated_kind: ConditionKind) -> list[CodeIssue]:
    """Warnings when no diagnosis the table knows fits the condition kind the case gives."""
    known = [
        (index, code, rule)
        for index, code in enumerate(diagnoses)
        if code and icd10.is_valid(code) and (rule := rule_for(code)) is not None
    ]
    if any(stated_kind in rule.fits for _, _, rule in known):
        return []
    return [
        CodeIssue(
            code=code,
            severity=Severity.warning,
            message=(
                f"{code} ({icd10.describe(code)}) {_what_it_fits(rule)}, not {stated_kind.value}; "
                "check the diagnosis or the condition kind"
            ),
            field=f"condition.diagnoses[{index}]",
        )
        for index, code, rule in known
    ]


def _what_it_fits(rule: DiagnosisRule) -> str:
    if rule.implies is not None:
        return f"points to {rule.implies.value}"
    return "fits " + " or ".join(sorted(kind.value for kind in rule.fits))
