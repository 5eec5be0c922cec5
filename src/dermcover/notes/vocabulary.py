"""The words a visit note uses for each case fact, as data.

Every value of the case model's enums is found by its own name spelt as words ("actinic
keratosis", "restricted range of motion"), so a value added to the model is found in notes
without a change here. The tables below add the other ways clinicians write the same thing
("AKs", "pruritus", "liquid nitrogen"). Diagnosis codes are proposed only where one code fits
the words: "acne scars" is L90.5 (ICD-10-CM has no acne-scar code; the payer research, section
2.2), while "burn scar" names no code until the burn's site and degree are known.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from dermcover.case import (
    ConditionKind,
    DocumentationItem,
    Impairment,
    ProcedureKind,
    Severity,
    Site,
)

K, M, D, P, S = ConditionKind, Impairment, DocumentationItem, ProcedureKind, Site


@dataclass(frozen=True, slots=True)
class Term:
    """A phrase, and the case fact it stands for."""

    phrase: str
    category: str  # condition, site, impairment, treatment, documentation, procedure, severity
    value: str


CONDITION_WORDS: dict[ConditionKind, tuple[str, ...]] = {
    K.acne_active: ("acne vulgaris", "active acne", "inflammatory acne", "cystic acne"),
    K.acne_scars: (
        "acne scar",
        "acne scarring",
        "atrophic acne scars",
        "atrophic scarring",
        "boxcar scars",
        "rolling scars",
        "ice pick scars",
        "icepick scars",
    ),
    K.actinic_keratosis: ("actinic keratoses", "AK", "AKs", "solar keratosis", "solar keratoses"),
    K.basal_cell_carcinoma_superficial: ("superficial BCC", "superficial basal cell carcinoma"),
    K.post_inflammatory_hyperpigmentation: (
        "post-inflammatory hyperpigmentation",
        "postinflammatory hyperpigmentation",
        "PIH",
    ),
    K.lentigines: ("solar lentigines", "solar lentigo", "lentigo", "age spots", "sun spots"),
    K.photoaging: ("photodamage", "photodamaged skin", "sun damage", "photoaged skin"),
    K.wrinkles: ("rhytides", "fine lines"),
    K.burn_scar: ("burn scars", "burn scar contracture", "post-burn scar", "scald scar"),
    K.surgical_scar: ("surgical scars", "postsurgical scar", "post-surgical scar", "incision scar"),
    K.traumatic_scar: ("traumatic scars", "laceration scar", "post-traumatic scar"),
    K.hypertrophic_scar: ("hypertrophic scars",),
    K.keloid: ("keloids", "keloidal scar"),
    K.port_wine_stain: ("port-wine stain", "port wine stains", "capillary malformation"),
    K.hemangioma: ("hemangiomas", "infantile hemangioma"),
    K.telangiectasia: ("telangiectasias", "telangiectasiae", "spider veins"),
    K.rosacea: ("erythematotelangiectatic rosacea", "papulopustular rosacea"),
    K.rhinophyma: (),
    K.perioral_dermatitis: (),
    K.decorative_tattoo: ("tattoo", "decorative tattoos", "cosmetic tattoo"),
    K.traumatic_tattoo: ("traumatic tattoos", "road rash tattoo", "embedded gravel"),
    K.hair_loss: ("alopecia", "androgenetic alopecia", "thinning hair"),
    K.striae: ("stretch marks", "striae distensae"),
    K.diabetic_ulcer: ("diabetic foot ulcer", "diabetic ulcers", "neuropathic ulcer"),
    K.chronic_wound: ("chronic wounds", "non-healing wound", "nonhealing wound", "venous ulcer"),
    K.warts: ("wart", "verruca", "verrucae", "plantar wart", "plantar warts", "common warts"),
    K.psoriasis: ("plaque psoriasis",),
}

# The one ICD-10-CM code a condition's words name, where there is one.
CONDITION_CODES: dict[ConditionKind, str] = {
    K.acne_active: "L70.0",
    K.acne_scars: "L90.5",
    K.actinic_keratosis: "L57.0",
    K.melasma: "L81.1",
    K.post_inflammatory_hyperpigmentation: "L81.0",
    K.lentigines: "L81.4",
    K.hypertrophic_scar: "L91.0",
    K.keloid: "L91.0",
    K.port_wine_stain: "Q82.5",
    K.telangiectasia: "I78.1",
    K.rhinophyma: "L71.1",
    K.perioral_dermatitis: "L71.0",
    K.striae: "L90.6",
    K.psoriasis: "L40.0",
}

SITE_WORDS: dict[Site, tuple[str, ...]] = {
    S.face: (
        "cheek",
        "cheeks",
        "forehead",
        "nose",
        "nasal",
        "chin",
        "jaw",
        "jawline",
        "temple",
        "temples",
        "perioral",
        "periorbital",
        "malar",
        "eyelid",
        "upper lip",
        "facial",
    ),
    S.neck: ("anterior neck", "posterior neck"),
    S.scalp: ("vertex", "crown", "frontal scalp"),
    S.trunk: ("chest", "back", "abdomen", "flank", "upper back", "torso", "shoulder"),
    S.arm: ("forearm", "upper arm", "elbow", "antecubital", "wrist", "axilla"),
    S.hand: ("hands", "dorsal hand", "palm", "fingers", "finger", "thumb", "knuckles"),
    S.leg: ("thigh", "knee", "shin", "calf", "lower leg", "legs", "ankle"),
    S.foot: ("feet", "heel", "sole", "plantar", "toe", "toes", "dorsal foot"),
    S.genital: ("genitals", "perianal", "anogenital", "vulvar", "penile"),
    S.other: (),
}

IMPAIRMENT_WORDS: dict[Impairment, tuple[str, ...]] = {
    M.restricted_range_of_motion: (
        "limited range of motion",
        "decreased range of motion",
        "reduced range of motion",
        "restricted ROM",
        "limited ROM",
        "restricts extension",
        "limits extension",
        "limits flexion",
        "restricted movement",
        "cannot fully extend",
        "unable to fully extend",
    ),
    M.pain_requiring_analgesics: (
        "pain requiring analgesics",
        "pain requiring ibuprofen",
        "pain requiring acetaminophen",
        "requires analgesics",
        "requiring daily analgesics",
        "needs pain medication",
        "takes ibuprofen for pain",
    ),
    M.bleeding: ("bleeds", "bleed", "bled", "bleeding episodes"),
    M.ulceration: ("ulcerated", "ulcerating", "ulcerates"),
    M.recurrent_infection: (
        "recurrent infections",
        "repeated infections",
        "recurrent cellulitis",
        "recurrently infected",
    ),
    M.itching: ("pruritus", "pruritic", "itchy", "itches", "itch"),
    M.obstruction: ("obstructs", "obstructing", "obstructive"),
    M.vision: ("obstructs vision", "visual obstruction", "blocks vision", "visual field"),
    M.breathing: ("nasal airway obstruction", "difficulty breathing", "impairs breathing"),
    M.feeding: ("difficulty feeding", "difficulty eating", "impairs feeding"),
    M.speech: ("impairs speech", "difficulty speaking"),
    M.psychological_distress: (
        "depression",
        "depressive symptoms",
        "anxiety",
        "social withdrawal",
        "significant distress",
    ),
}

# Spec: the canonical prior-treatment names (case-format.md), and the words notes use for them.
TREATMENT_WORDS: dict[str, tuple[str, ...]] = {
    "topical_retinoid": ("tretinoin", "adapalene", "tazarotene", "topical retinoid", "retinoid"),
    "oral_antibiotic": ("doxycycline", "minocycline", "oral antibiotics", "oral antibiotic"),
    "isotretinoin": ("isotretinoin", "accutane"),
    "hydroquinone": ("hydroquinone", "triple cream", "tri-luma"),
    "fluorouracil_topical": ("5-fu", "fluorouracil", "efudex", "5-fluorouracil cream"),
    "imiquimod": ("imiquimod", "aldara"),
    # Topical forms only: diclofenac, tacrolimus and ivermectin alone are also tablets.
    "diclofenac_topical": ("diclofenac gel", "topical diclofenac", "solaraze"),
    "podophyllotoxin": ("podophyllotoxin", "podofilox", "condylox"),
    "tacrolimus_topical": ("tacrolimus ointment", "topical tacrolimus", "protopic"),
    "pimecrolimus_topical": ("pimecrolimus", "elidel"),
    "ivermectin_topical": ("ivermectin cream", "topical ivermectin", "soolantra"),
    "azelaic_acid": ("azelaic acid", "finacea", "azelex"),
    "cryotherapy": ("cryotherapy", "liquid nitrogen", "ln2", "cryosurgery"),
    "chemical_peel": ("chemical peel", "chemical peels", "glycolic peels", "tca peel"),
    "photodynamic_therapy": ("photodynamic therapy", "pdt"),
    "silicone_sheeting": ("silicone sheeting", "silicone gel sheeting", "silicone sheets"),
    "pressure_garments": ("pressure garments", "pressure garment", "compression garments"),
    "intralesional_steroid": (
        "intralesional steroid",
        "intralesional triamcinolone",
        "triamcinolone injections",
        "kenalog injections",
    ),
    "minoxidil": ("minoxidil", "rogaine"),
    "salicylic_acid": ("salicylic acid",),
    "pulsed_dye_laser": ("pulsed dye laser treatments",),
}

DOCUMENTATION_WORDS: dict[DocumentationItem, tuple[str, ...]] = {
    D.photos: ("photographs", "photos", "photo documentation", "clinical photography"),
    D.letter_of_medical_necessity: ("letter of medical necessity", "LMN"),
    D.lesion_map: ("lesion map", "lesions mapped", "lesion mapping"),
    D.range_of_motion_measurements: (
        "goniometer",
        "goniometry",
        "range of motion measurements",
        "ROM measurements",
        "range of motion measured",
    ),
    D.treatment_plan: ("treatment plan",),
    D.prior_treatment_records: ("prior treatment records", "records of prior treatment"),
    D.medical_records: ("medical records",),
    D.referral: ("referral", "referred by", "referred from"),
    D.pathology_report: ("pathology report", "biopsy report", "pathology"),
}

PROCEDURE_WORDS: dict[ProcedureKind, tuple[str, ...]] = {
    P.microneedling: ("collagen induction therapy", "micro-needling"),
    P.rf_microneedling: ("RF microneedling", "radiofrequency microneedling"),
    P.fractional_ablative_laser: (
        "fractional CO2 laser",
        "fractional co2",
        "fractional ablative CO2 laser",
        "fractional erbium laser",
    ),
    P.ablative_laser_resurfacing: ("CO2 laser resurfacing", "ablative resurfacing"),
    P.fractional_nonablative_laser: ("fraxel", "non-ablative fractional laser"),
    P.pulsed_dye_laser: ("PDL", "vbeam", "pulsed-dye laser"),
    P.intense_pulsed_light: ("IPL",),
    P.picosecond_laser: ("picosecond", "pico laser", "picosure"),
    P.q_switched_laser: ("q-switched", "qs laser"),
    P.prp_injection: ("platelet-rich plasma", "PRP injections", "PRP injection"),
    P.prp_wound_gel: ("PRP gel", "platelet-rich plasma gel"),
    P.photodynamic_therapy: ("PDT",),
    P.lesion_destruction: ("destruction",),
    P.intralesional_injection: ("intralesional injection", "intralesional injections"),
    P.laser_hair_removal: ("laser hair removal",),
    P.scar_revision: ("scar revision", "excision and layered closure"),
    P.contracture_release: ("contracture release", "release of the contracture"),
}

SEVERITY_WORDS: dict[Severity, tuple[str, ...]] = {
    Severity.mild: ("mild",),
    Severity.moderate: ("moderate", "moderately severe"),
    Severity.severe: ("severe", "extensive", "grade 4"),
}


# Enum values whose own name is too common a word to mean the fact in a note ("breathing
# comfortably" is no breathing impairment); they are found by the tables' phrases only.
NOT_BY_OWN_NAME: frozenset[str] = frozenset(
    {S.other, M.vision, M.breathing, M.feeding, M.speech, M.obstruction}
)

_TABLES: tuple[tuple[str, type[StrEnum] | None, Mapping[Any, tuple[str, ...]]], ...] = (
    ("condition", ConditionKind, CONDITION_WORDS),
    ("site", Site, SITE_WORDS),
    ("impairment", Impairment, IMPAIRMENT_WORDS),
    ("documentation", DocumentationItem, DOCUMENTATION_WORDS),
    ("procedure", ProcedureKind, PROCEDURE_WORDS),
    ("severity", Severity, SEVERITY_WORDS),
    ("treatment", None, TREATMENT_WORDS),
)


def terms() -> Iterator[Term]:
    """Every phrase the note reader looks for: each enum value by its own name, then the tables."""
    for category, enum, table in _TABLES:
        values = [member.value for member in enum] if enum is not None else list(table)
        for value in values:
            if value not in NOT_BY_OWN_NAME:
                yield Term(value.replace("_", " "), category, value)
            for phrase in table.get(value, ()):
                yield Term(phrase, category, value)
