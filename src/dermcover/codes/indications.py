"""Which condition kinds each procedure kind is used for: a plausibility table, not coverage.

A pair outside this table (laser hair removal for actinic keratoses) is most likely a slip in the
case or on the claim, so the code checks warn about it. A pair inside it says nothing about
whether any payer pays: that is the policy packs' job.

Source: the indications each payer policy names, covered or excluded, in the procedure tables of
the payer research (sections 1.1-1.12, cited per row), widened only where the research itself
shows the procedure in use (e.g. clinicians billing 17110 for small scars, section 3) or the
consumer articles the project started from describe it (PRP with a pico laser for pigment). A few
long-established clinical uses the research does not cover are marked "clinical use". Keep it
small: add a pair only with a source, because a missing pair costs the user a false warning.
"""

from __future__ import annotations

from dermcover.case import ConditionKind, ProcedureKind

K = ConditionKind
P = ProcedureKind

_SCARS = frozenset(
    {K.acne_scars, K.burn_scar, K.surgical_scar, K.traumatic_scar, K.hypertrophic_scar, K.keloid}
)
_RAISED_OR_INJURY_SCARS = _SCARS - {K.acne_scars}
_PIGMENT = frozenset({K.melasma, K.post_inflammatory_hyperpigmentation, K.lentigines})
_AGEING = frozenset({K.photoaging, K.wrinkles})

INDICATIONS: dict[ProcedureKind, frozenset[ConditionKind]] = {
    # 1.1: scars, texture and ageing; striae, melasma and hair loss are clinical use.
    P.microneedling: _SCARS | _AGEING | {K.striae, K.melasma, K.hair_loss},
    P.rf_microneedling: _SCARS | _AGEING | {K.striae},
    # 1.2: active acne (Aetna E/I) and "all other indications", i.e. appearance of the skin;
    # section 0: plan documents exclude "skin abrasion" for scar and tattoo removal.
    P.microdermabrasion: _AGEING
    | _PIGMENT
    | _SCARS
    | {K.acne_active, K.striae, K.decorative_tattoo, K.traumatic_tattoo},
    # 1.3: AK/superficial BCC (Aetna 0251), scars, rhinophyma, Palmetto's list, tattoo (15783).
    P.dermabrasion: _SCARS
    | _AGEING
    | {
        K.actinic_keratosis,
        K.basal_cell_carcinoma_superficial,
        K.rhinophyma,
        K.rosacea,
        K.perioral_dermatitis,
        K.decorative_tattoo,
        K.traumatic_tattoo,
    },
    # 2.1, 15786: a single lesion such as a scar or keratosis.
    P.lesion_abrasion: _SCARS | {K.actinic_keratosis, K.basal_cell_carcinoma_superficial},
    # 1.4: AK, active acne, and the cosmetic uses the policies exclude.
    P.chemical_peel: _AGEING | _PIGMENT | {K.actinic_keratosis, K.acne_active, K.acne_scars},
    # 1.6: tattoo and pigment.
    P.picosecond_laser: _PIGMENT
    | _AGEING
    | {K.decorative_tattoo, K.traumatic_tattoo, K.acne_scars},
    P.q_switched_laser: _PIGMENT | {K.decorative_tattoo, K.traumatic_tattoo},
    # 1.5: scars (Cigna, TRICARE), ageing (cosmetic), AK and BCC (Aetna 0427), warts (0427).
    P.fractional_ablative_laser: _SCARS | _AGEING | {K.actinic_keratosis, K.striae},
    P.ablative_laser_resurfacing: _SCARS
    | _AGEING
    | {K.actinic_keratosis, K.basal_cell_carcinoma_superficial, K.rhinophyma, K.warts},
    P.fractional_nonablative_laser: _SCARS | _AGEING | _PIGMENT | {K.striae},
    # 1.7 and Aetna 0559: vascular lesions, scars, AK, warts, psoriasis, acne (E/I), striae.
    P.pulsed_dye_laser: _RAISED_OR_INJURY_SCARS
    | {
        K.port_wine_stain,
        K.hemangioma,
        K.telangiectasia,
        K.rosacea,
        K.actinic_keratosis,
        K.warts,
        K.psoriasis,
        K.acne_active,
        K.striae,
        K.pyogenic_granuloma,
        K.glomangioma,
        K.granuloma_faciale,
        K.infantile_hemangioma,
    },
    P.intense_pulsed_light: _PIGMENT
    | {K.telangiectasia, K.rosacea, K.port_wine_stain, K.photoaging, K.acne_active},
    # 1.8: PRP for hair, skin and scars (all E/I), wounds (NCD 270.3); with a pico laser for
    # pigment, as the consumer articles describe it.
    P.prp_injection: _SCARS | _AGEING | _PIGMENT | {K.hair_loss},
    P.prp_wound_gel: frozenset({K.diabetic_ulcer, K.chronic_wound}),
    # 2.1: 17000-17004 premalignant, 17106-17108 vascular, 17110 benign and small scars, 17340.
    P.lesion_destruction: frozenset(
        {
            K.actinic_keratosis,
            K.basal_cell_carcinoma_superficial,
            K.warts,
            K.hemangioma,
            K.port_wine_stain,
            K.telangiectasia,
            K.lentigines,
            K.acne_active,
            K.hypertrophic_scar,
            K.keloid,
            K.pyogenic_granuloma,
            K.squamous_cell_carcinoma_in_situ,
        }
    ),
    # 1.10: refractory AK (Aetna 0375); superficial BCC by the same criteria as 0251.
    P.photodynamic_therapy: frozenset(
        {
            K.actinic_keratosis,
            K.basal_cell_carcinoma_superficial,
            K.squamous_cell_carcinoma_in_situ,
            K.acne_active,
            K.photoaging,
        }
    ),
    # 1.9 and 1.12.
    P.scar_revision: _SCARS,
    P.contracture_release: _RAISED_OR_INJURY_SCARS,
    # 2.1, 11900/11901: keloids and scars, nodulocystic acne; 1.9 intralesional 5-FU.
    # Steroid injection of alopecia areata and psoriasis plaques is clinical use.
    P.intralesional_injection: _RAISED_OR_INJURY_SCARS | {K.acne_active, K.hair_loss, K.psoriasis},
    # 1.11: acne surgery (10040) is for active acne.
    P.acne_surgery: frozenset({K.acne_active}),
    # Aetna 0577: recurrent pilonidal cyst, acne keloidalis nuchae; 0559: pseudofolliculitis
    # (cosmetic). Hair removal otherwise treats no condition kind (Aetna 0031: cosmetic).
    P.laser_hair_removal: frozenset(
        {K.pilonidal_cyst, K.acne_keloidalis_nuchae, K.pseudofolliculitis}
    ),
    # Aetna 0547: excision or shaving of rhinophyma; excision of lesions, cysts and scars is
    # clinical use (skin cancer, pilonidal disease, hidradenitis, keloids).
    P.excision: _RAISED_OR_INJURY_SCARS
    | {
        K.rhinophyma,
        K.pilonidal_cyst,
        K.hidradenitis_suppurativa,
        K.acne_keloidalis_nuchae,
        K.basal_cell_carcinoma_superficial,
        K.squamous_cell_carcinoma_in_situ,
        K.pyogenic_granuloma,
        K.hemangioma,
    },
    P.shave_removal: frozenset({K.rhinophyma, K.pyogenic_granuloma, K.actinic_keratosis}),
    # Aetna 0577 (96920-96922): excimer laser for psoriasis; vitiligo is clinical use.
    P.excimer_laser: frozenset({K.psoriasis}),
    # Cigna 0328: compression or pressure therapy for scars.
    P.compression_therapy: _RAISED_OR_INJURY_SCARS,
    # Anthem CG-SURG-31: adjunct radiation after keloid excision.
    P.radiation_therapy: frozenset({K.keloid}),
}


def plausibly_treats(procedure: ProcedureKind, condition: ConditionKind) -> bool:
    """True when `procedure` is a known way of treating `condition` (covered or not)."""
    return condition in INDICATIONS[procedure]
