"""Plain words for the case's vocabulary, as a letter to a plan or a patient prints them."""

from __future__ import annotations

from enum import Enum

from dermcover.case import PriorTreatment

ACRONYMS = {"prp": "PRP", "rf": "RF", "fda": "FDA"}

TREATMENTS = {
    "fluorouracil_topical": "topical fluorouracil (5-FU)",
    "imiquimod": "topical imiquimod",
    "diclofenac_topical": "topical diclofenac",
    "tacrolimus_topical": "topical tacrolimus",
    "pimecrolimus_topical": "topical pimecrolimus",
    "ivermectin_topical": "topical ivermectin",
    "topical_retinoid": "topical retinoid",
    "oral_antibiotic": "oral antibiotics",
    "silicone_sheeting": "silicone gel sheeting",
    "intralesional_steroid": "intralesional steroid injections",
    "minoxidil": "topical minoxidil",
}

IMPAIRMENTS = {
    "restricted_range_of_motion": "restricted range of motion",
    "pain_requiring_analgesics": "pain that needs pain medication",
    "recurrent_infection": "recurrent infection",
    "vision": "impaired vision",
    "breathing": "impaired breathing",
    "feeding": "difficulty feeding",
    "speech": "impaired speech",
    "psychological_distress": "significant psychological distress, documented by a clinician",
}

TREATMENT_OUTCOMES = {
    "failed": "did not work",
    "partial": "partial response only",
    "success": "worked",
    "contraindicated": "could not be used (contraindicated)",
    "not_tolerated": "not tolerated",
}

PROVIDER_TYPES = {"physician": "physician", "registered_nurse": "registered nurse"}

SETTINGS = {
    "office": "physician's office",
    "hospital_outpatient": "hospital outpatient department",
    "ambulatory_surgery_center": "ambulatory surgery center",
    "med_spa": "medical spa",
}


def words(value: str | Enum) -> str:
    """`restricted_range_of_motion` -> `restricted range of motion`; `prp_injection` -> `PRP
    injection`."""
    text = value.value if isinstance(value, Enum) else value
    return " ".join(ACRONYMS.get(word, word) for word in str(text).split("_"))


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def kind(value: str | Enum) -> str:
    """A procedure or condition kind, capitalised: `Microneedling`, `Burn scar`."""
    return capitalised(words(value))


def impairment(value: str | Enum) -> str:
    text = value.value if isinstance(value, Enum) else value
    return IMPAIRMENTS.get(str(text), words(text))


def treatment_name(name: str) -> str:
    return TREATMENTS.get(name, words(name))


def treatment(prior: PriorTreatment) -> str:
    """`topical fluorouracil (5-FU) for 3 months: did not work`."""
    text = treatment_name(prior.name)
    if prior.months is not None:
        text += f" for {months(prior.months)}"
    if prior.outcome is not None:
        text += f": {TREATMENT_OUTCOMES[prior.outcome.value]}"
    return text


def months(count: float) -> str:
    shown = f"{count:g}"
    return f"{shown} month" if shown == "1" else f"{shown} months"


def provider_type(value: str | Enum) -> str:
    text = value.value if isinstance(value, Enum) else value
    return PROVIDER_TYPES.get(str(text), words(text))


def setting(value: str | Enum) -> str:
    text = value.value if isinstance(value, Enum) else value
    return SETTINGS.get(str(text), words(text))


def listed(items: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
