"""Domain values in plain words, for people rather than systems."""

from __future__ import annotations

from enum import Enum

from dermcover.determination import Outcome

ACRONYMS = {"prp": "PRP", "rf": "RF", "oop": "out-of-pocket", "fda": "FDA", "hsa": "HSA"}

# Where a value's words alone would mislead or puzzle, its label is written out.
WORDS: dict[str, str] = {
    "in": "In network",
    "out": "Out of network",
    "basal_cell_carcinoma_superficial": "Superficial basal cell carcinoma",
    "post_inflammatory_hyperpigmentation": "Dark marks left after inflammation (PIH)",
    "lentigines": "Sun spots / age spots (lentigines)",
    "photoaging": "Sun-damaged, aged skin",
    "striae": "Stretch marks (striae)",
    "telangiectasia": "Spider veins (telangiectasia)",
    "q_switched_laser": "Q-switched laser",
    "ablative_laser_resurfacing": "Ablative laser resurfacing (CO2 or erbium)",
    "fractional_ablative_laser": "Fractional ablative laser",
    "fractional_nonablative_laser": "Fractional non-ablative laser",
    "intense_pulsed_light": "Intense pulsed light (IPL)",
    "prp_injection": "PRP injection",
    "prp_wound_gel": "PRP wound gel",
    "rf_microneedling": "Radiofrequency microneedling",
    "shave_removal": "Shaving off (shave removal)",
    "excision": "Cutting out (excision)",
    "compression_therapy": "Pressure garments (compression therapy)",
    "infantile_hemangioma": "Hemangioma of infancy (strawberry mark)",
    "squamous_cell_carcinoma_in_situ": "Bowen's disease (squamous cell carcinoma in situ)",
    "pseudofolliculitis": "Razor bumps (pseudofolliculitis)",
    "hidradenitis_suppurativa": "Hidradenitis suppurativa (painful lumps in skin folds)",
    "electrodesiccation": "Burning off (electrodesiccation)",
    "curettage": "Scraping off (curettage)",
    "calcipotriene": "Vitamin D cream (calcipotriene)",
    "topical_corticosteroid": "Steroid cream or ointment",
    "metronidazole_topical": "Metronidazole cream or gel",
    "ivermectin_topical": "Ivermectin cream (Soolantra)",
    "azelaic_acid": "Azelaic acid cream or gel (Finacea)",
    "diclofenac_topical": "Diclofenac gel (Solaraze)",
    "podophyllotoxin": "Podophyllotoxin solution or gel (podofilox, Condylox)",
    "tacrolimus_topical": "Tacrolimus ointment (Protopic)",
    "pimecrolimus_topical": "Pimecrolimus cream (Elidel)",
    "commercial": "Commercial (employer or marketplace)",
    "medicare_advantage": "Medicare Advantage",
    "self_pay": "No insurance (paying myself)",
    "sun_damage": "Sun damage",
    "congenital": "Present from birth",
    "appearance": "To change how the skin looks",
    "function": "To restore function (movement, use)",
    "symptom_relief": "To relieve symptoms (pain, itching, bleeding)",
    "disease_treatment": "To treat a disease",
    "pain_requiring_analgesics": "Pain that needs painkillers",
    "restricted_range_of_motion": "Restricted movement",
    "psychological_distress": "Psychological distress documented by a clinician",
    "ulceration": "Open sores (ulceration)",
    "recurrent_infection": "Infections that keep coming back",
    "obstruction": "Blocks an opening such as a nostril or ear canal (obstruction)",
    "vision": "Trouble seeing",
    "breathing": "Trouble breathing",
    "feeding": "Trouble eating or feeding",
    "speech": "Trouble speaking",
    "epidermal": "Epidermal (superficial)",
    "dermal": "Dermal (medium or deep)",
    "med_spa": "Medical spa",
    "office": "Doctor's office",
    "hospital_outpatient": "Hospital outpatient department",
    "ambulatory_surgery_center": "Surgery center",
    "letter_of_medical_necessity": "Letter of medical necessity",
    "range_of_motion_measurements": "Range-of-motion measurements",
    "in_network": "In network",
    "out_of_network": "Out of network",
    "self_pay_package": "Self-pay package",
    "hsa_fsa": "HSA / FSA",
    "promo_card": "Medical credit card (deferred interest)",
    "payment_plan": "Clinic payment plan",
    "loan": "Loan",
    "cash": "Pay in full",
    # case records
    "needs_information": "Needs information",
    "needs_prior_auth": "Needs prior authorization",
    "partly_covered": "Partly covered",
    "not_covered": "Not covered",
    "pa_pending": "Prior authorization pending",
    "in_appeal": "In appeal",
    "in_external_review": "In external review",
    "pa_submitted": "Prior authorization submitted",
    "pa_approved": "Prior authorization approved",
    "pa_denied": "Prior authorization denied",
    "appeal_filed": "Appeal filed",
    "peer_to_peer_scheduled": "Peer-to-peer call scheduled",
    "external_review_requested": "External review requested",
    "case_created": "created the case",
    "case_read": "opened the case",
    "case_updated": "changed the facts",
    "event_added": "recorded an event",
    "cases_listed": "saw it in the case list",
    "case_refused": "was refused the case",
}

STATUS_TONES = {
    "covered": "covered",
    "approved": "covered",
    "not_covered": "denied",
    "denied": "denied",
    "needs_information": "open",
}

VERDICTS: dict[Outcome, tuple[str, str]] = {
    Outcome.covered: ("covered", "Covered"),
    Outcome.covered_with_prior_auth: (
        "covered",
        "Covered once your insurer approves it in advance (prior authorization)",
    ),
    Outcome.not_covered_cosmetic: ("denied", "Not covered: the plan treats it as cosmetic"),
    Outcome.not_covered_investigational: (
        "denied",
        "Not covered: the plan calls it experimental or unproven for this use",
    ),
    Outcome.not_covered_not_medically_necessary: (
        "denied",
        "Not covered: the plan's medical-need conditions are not met",
    ),
    Outcome.insufficient_information: ("open", "We can't tell yet: some answers are missing"),
    Outcome.mixed: ("mixed", "Depends on the procedure: see each one below"),
}


def label(value: object) -> str:
    """`prp_injection` -> `PRP injection`; an enum by its value; anything else as text."""
    if isinstance(value, Enum):
        value = value.value
    text = str(value)
    if text in WORDS:
        return WORDS[text]
    words = [ACRONYMS.get(word, word) for word in text.split("_")]
    first = words[0] if words[0][:1].isupper() else words[0].capitalize()
    return " ".join([first, *words[1:]])


def verdict(outcome: Outcome) -> str:
    return VERDICTS[outcome][1]


def status_tone(status: object) -> str:
    """A CSS class for a case status: covered, denied, open, or mixed for work in progress."""
    value = status.value if isinstance(status, Enum) else str(status)
    return STATUS_TONES.get(value, "mixed")


def verdict_tone(outcome: Outcome) -> str:
    """A CSS class: covered, denied, open or mixed."""
    return VERDICTS[outcome][0]


FIELDS: dict[str, str] = {
    "id": "The clinic's reference for the case",
    "purpose": "What it is for",
    "impairment": "Problems it causes",
    "documentation": "Records on file",
    "prior_treatments": "Treatments tried",
    "condition.kind": "Condition",
    "condition.diagnoses": "Diagnosis codes",
    "condition.cause": "Cause",
    "condition.severity": "Severity",
    "condition.lesion_count": "Number of lesions",
    "condition.months_since_onset": "Months since it started",
    "patient.age": "Age",
    "payer.plan_type": "Kind of plan",
    "payer.plan": "Plan document (the employer plan's own exclusions)",
    "payer.network": "Clinic in network",
    "provider.type": "Who performs it",
    "provider.npi": "NPI",
    "provider.tin": "Tax ID (TIN)",
    "payer.member_id": "Member ID",
    "payer.policy": "Policy pack",
    "procedures.area_cm2": "Area (cm²)",
    "procedures.device_fda_cleared": "Device FDA-cleared",
    "prior_treatments.name": "Treatment",
    "prior_treatments.months": "Months tried",
    "provider.setting": "Where it is done",
}


def field_label(path: str) -> str:
    """`procedures[1].depth` -> `Depth (procedure 2)`; a whole-case field by its name."""
    if path in FIELDS:
        return FIELDS[path]
    if path.startswith("procedures["):
        index, _, name = path.removeprefix("procedures[").partition("].")
        number = int(index) + 1 if index.isdigit() else index
        return f"{label(name)} (procedure {number})"
    return label(path.rpartition(".")[2])


def answer_text(value: object) -> str:
    """An answer as the person would say it back."""
    if value is None:
        return "Not known"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        if not value:
            return "None"
        return "; ".join(answer_text(item) for item in value)
    if isinstance(value, dict) and "name" in value:
        text = label(value["name"])
        if value.get("outcome"):
            text += f": {label(value['outcome']).lower()}"
        if value.get("months") is not None:
            text += f" ({value['months']:g} months)"
        return text
    if isinstance(value, str):
        return label(value) if value.islower() else value
    return str(value)
