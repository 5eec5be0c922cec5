"""The canonical prior-treatment names and the class each belongs to.

A policy that asks for "at least two of topical chemotherapy, curettage, electrodesiccation and
cryotherapy" counts classes, not names: two courses of the same cream are one class. Names outside
this table are allowed; their class is unknown unless the case gives `kind`.

A class says what a drug is, not what a policy counts it as: whether a pack's "topical
chemotherapy" or "failed topical therapy" takes it in is that pack's reading, stated in its
README (diclofenac gel for actinic keratoses, for one, is a topical NSAID, and no pack's text
counts it in place of 5-FU or imiquimod).
"""

from __future__ import annotations

TREATMENT_CLASSES: dict[str, str] = {
    "fluorouracil_topical": "topical_chemotherapy",
    "podophyllotoxin": "topical_chemotherapy",
    "imiquimod": "topical_immunomodulator",
    "diclofenac_topical": "topical_nsaid",
    "cryotherapy": "cryotherapy",
    "curettage": "curettage",
    "electrodesiccation": "electrodesiccation",
    "excision": "excision",
    "topical_retinoid": "topical_retinoid",
    "tazarotene": "topical_retinoid",
    "topical_antibiotic": "topical_antibiotic",
    "oral_antibiotic": "oral_antibiotic",
    "isotretinoin": "isotretinoin",
    "metronidazole_topical": "topical_rosacea_agent",
    "ivermectin_topical": "topical_rosacea_agent",
    "azelaic_acid": "topical_rosacea_agent",
    "topical_corticosteroid": "topical_corticosteroid",
    "calcipotriene": "vitamin_d_analogue",
    "tacrolimus_topical": "topical_calcineurin_inhibitor",
    "pimecrolimus_topical": "topical_calcineurin_inhibitor",
    "coal_tar": "coal_tar",
    "anthralin": "anthralin",
    "salicylic_acid": "keratolytic",
    "phototherapy": "phototherapy",
    "hydroquinone": "depigmenting_agent",
    "silicone_sheeting": "silicone_sheeting",
    "pressure_garments": "pressure_therapy",
    "intralesional_steroid": "intralesional_steroid",
    "minoxidil": "hair_growth_agent",
    "chemical_peel": "chemical_peel",
    "photodynamic_therapy": "photodynamic_therapy",
    "laser": "laser",
    "standard_wound_care": "wound_care",
}


def class_for_treatment(name: str) -> str | None:
    """The class a canonical treatment name stands for, or None for a name outside the table."""
    return TREATMENT_CLASSES.get(name)
