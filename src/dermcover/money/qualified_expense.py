"""Is the procedure a qualified medical expense, payable tax-free from an HSA or FSA?

IRC 213(d)(9) (research §5.1): "medical care" excludes cosmetic surgery and similar procedures,
meaning procedures directed at improving appearance that do not meaningfully promote the proper
function of the body or prevent or treat illness or disease, unless the procedure is necessary to
ameliorate a deformity arising from, or directly related to, a congenital abnormality, a personal
injury resulting from an accident or trauma, or a disfiguring disease.

The answer follows from the case's facts, not from the coverage determination: whether a plan
pays does not decide the tax question (Pub. 502; Al-Murshidi v. Commissioner). A letter of medical
necessity does not turn a cosmetic procedure into medical care either (IR-2024-65). So:

1. The treatment restores function, relieves symptoms or treats disease (the case's purpose, or a
   documented physical impairment): medical care, yes.
2. Otherwise the deformity's cause decides: congenital, accident or trauma (burns included), or a
   disease: yes; acne or a prior surgery: uncertain (acne as a disfiguring disease, and a surgical
   scar, are judged case by case); aging, sun damage or decoration: no.
3. A condition that is itself a disease, treated for an unstated purpose: yes.
4. Anything else that is done for appearance: no; with too little known: uncertain.
"""

from __future__ import annotations

from dataclasses import dataclass

from dermcover.case import Case, Cause, ConditionKind, Impairment, Purpose
from dermcover.estimate import Eligibility

CITATION = "IRC 213(d)(9); IRS Publication 502 (cosmetic surgery)"

MEDICAL_PURPOSES = {Purpose.function, Purpose.symptom_relief, Purpose.disease_treatment}

CAUSE_OF_CONDITION = {
    ConditionKind.port_wine_stain: Cause.congenital,
    ConditionKind.hemangioma: Cause.congenital,
    ConditionKind.traumatic_scar: Cause.trauma,
    ConditionKind.traumatic_tattoo: Cause.trauma,
    ConditionKind.burn_scar: Cause.burn,
    ConditionKind.acne_scars: Cause.acne,
    ConditionKind.surgical_scar: Cause.surgery,
    ConditionKind.decorative_tattoo: Cause.decorative,
}

DEFORMITY_EXCEPTIONS = {
    Cause.congenital: "it ameliorates a deformity from a congenital abnormality",
    Cause.trauma: "it ameliorates a deformity from a personal injury in an accident or trauma",
    Cause.burn: "it ameliorates a deformity from a burn injury (accident or trauma)",
    Cause.disease: "it ameliorates a deformity arising from a disfiguring disease",
}

JUDGED_CASE_BY_CASE = {
    Cause.acne: (
        "whether acne scarring is a deformity from a disfiguring disease is judged case by case; "
        "keep the clinician's description of the scarring and ask the account administrator"
    ),
    Cause.surgery: (
        "a surgical scar qualifies when the surgery treated a disease or an injury (as with "
        "reconstruction after a mastectomy for cancer); say why the surgery was done"
    ),
}

COSMETIC_CAUSES = {Cause.aging, Cause.sun_damage, Cause.decorative}

DISEASE_CONDITIONS = {
    ConditionKind.acne_active,
    ConditionKind.actinic_keratosis,
    ConditionKind.basal_cell_carcinoma_superficial,
    ConditionKind.rosacea,
    ConditionKind.rhinophyma,
    ConditionKind.perioral_dermatitis,
    ConditionKind.warts,
    ConditionKind.psoriasis,
    ConditionKind.diabetic_ulcer,
    ConditionKind.chronic_wound,
    ConditionKind.keloid,
}


@dataclass(frozen=True)
class QualifiedExpense:
    eligible: Eligibility
    reason: str
    citation: str = CITATION


def qualified_expense(case: Case | None) -> QualifiedExpense:
    """Whether HSA/FSA money may pay for the case's procedure tax-free, and why."""
    if case is None:
        return QualifiedExpense(
            Eligibility.uncertain,
            "no case was given: a procedure for appearance alone does not qualify, one that "
            "treats disease or a deformity from injury, congenital abnormality or disfiguring "
            "disease does",
        )
    physical_impairments = [
        item for item in case.impairment or [] if item is not Impairment.psychological_distress
    ]
    if case.purpose in MEDICAL_PURPOSES:
        return QualifiedExpense(
            Eligibility.yes,
            f"medical care: the treatment's purpose is {case.purpose.value.replace('_', ' ')}, "
            "not appearance",
        )
    if physical_impairments:
        named = ", ".join(item.value.replace("_", " ") for item in physical_impairments)
        return QualifiedExpense(
            Eligibility.yes, f"medical care: it treats a documented impairment ({named})"
        )
    condition = case.condition
    kind = condition.kind if condition is not None else None
    cause = condition.cause if condition is not None else None
    if cause in (None, Cause.unknown) and kind is not None:
        cause = CAUSE_OF_CONDITION.get(kind, cause)
    if cause in DEFORMITY_EXCEPTIONS:
        return QualifiedExpense(Eligibility.yes, f"qualifies: {DEFORMITY_EXCEPTIONS[cause]}")
    if cause in JUDGED_CASE_BY_CASE:
        return QualifiedExpense(Eligibility.uncertain, JUDGED_CASE_BY_CASE[cause])
    if cause in COSMETIC_CAUSES:
        return QualifiedExpense(
            Eligibility.no,
            f"cosmetic: treating {cause.value.replace('_', ' ')} for appearance is not medical "
            "care, and no deformity exception applies",
        )
    if kind in DISEASE_CONDITIONS and case.purpose is not Purpose.appearance:
        return QualifiedExpense(
            Eligibility.yes, f"medical care: it treats a disease ({kind.value.replace('_', ' ')})"
        )
    if case.purpose is Purpose.appearance and kind is not None and kind not in DISEASE_CONDITIONS:
        return QualifiedExpense(
            Eligibility.no,
            "cosmetic: done to improve appearance, with no deformity from a congenital "
            "abnormality, an accident or trauma, or a disfiguring disease on file",
        )
    return QualifiedExpense(
        Eligibility.uncertain,
        "the case does not say enough: give the treatment's purpose and the condition's cause",
    )
