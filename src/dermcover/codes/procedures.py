"""The CPT and HCPCS codes this domain uses, in our own short words.

Descriptions here are dermcover's paraphrases, never the AMA descriptor text. `kinds` says which
procedure kinds a code can honestly be billed for (None: any, as for unlisted codes); `implies`
names the kind a code stands for on its own, where that is unambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CodeSystem = Literal["CPT", "CPT Category III", "HCPCS"]


@dataclass(frozen=True, slots=True)
class ProcedureCode:
    code: str
    system: CodeSystem
    summary: str
    kinds: frozenset[str] | None
    implies: str | None = None
    depth: Literal["epidermal", "dermal"] | None = None
    facial: bool | None = None
    unlisted: bool = False


def _code(
    code: str,
    summary: str,
    kinds: tuple[str, ...] | None,
    *,
    system: CodeSystem = "CPT",
    depth: Literal["epidermal", "dermal"] | None = None,
    facial: bool | None = None,
    unlisted: bool = False,
) -> ProcedureCode:
    implies = kinds[0] if kinds is not None and len(kinds) == 1 else None
    return ProcedureCode(
        code=code,
        system=system,
        summary=summary,
        kinds=frozenset(kinds) if kinds is not None else None,
        implies=implies,
        depth=depth,
        facial=facial,
        unlisted=unlisted,
    )


_LASER_OR_LIGHT = ("pulsed_dye_laser", "intense_pulsed_light", "lesion_destruction")
_TISSUE_REARRANGEMENT = ("contracture_release", "scar_revision")

PROCEDURE_CODES: dict[str, ProcedureCode] = {
    entry.code: entry
    for entry in (
        _code(
            "10040",
            "Acne surgery: opening or extracting many comedones or cysts",
            ("acne_surgery",),
        ),
        _code("11900", "Injection into up to seven skin lesions", ("intralesional_injection",)),
        _code("11901", "Injection into more than seven skin lesions", ("intralesional_injection",)),
        _code(
            "13100", "Complex layered repair, trunk (often with scar excision)", ("scar_revision",)
        ),
        _code("13101", "Complex layered repair, trunk, larger", ("scar_revision",)),
        _code("13131", "Complex layered repair, face or hands", ("scar_revision",)),
        _code("13132", "Complex layered repair, face or hands, larger", ("scar_revision",)),
        _code("14000", "Tissue rearrangement on the trunk, small", _TISSUE_REARRANGEMENT),
        _code("14001", "Tissue rearrangement on the trunk, larger", _TISSUE_REARRANGEMENT),
        _code("14020", "Tissue rearrangement on scalp, arms or legs, small", _TISSUE_REARRANGEMENT),
        _code(
            "14021", "Tissue rearrangement on scalp, arms or legs, larger", _TISSUE_REARRANGEMENT
        ),
        _code(
            "14040",
            "Tissue rearrangement on face parts, hands or feet, small",
            _TISSUE_REARRANGEMENT,
        ),
        _code(
            "14041",
            "Tissue rearrangement on face parts, hands or feet, larger",
            _TISSUE_REARRANGEMENT,
        ),
        _code(
            "14060",
            "Tissue rearrangement on eyelids, nose, ears or lips, small",
            _TISSUE_REARRANGEMENT,
        ),
        _code(
            "14061",
            "Tissue rearrangement on eyelids, nose, ears or lips, larger",
            _TISSUE_REARRANGEMENT,
        ),
        _code(
            "15002",
            "Preparing a graft site, incl. releasing a scar contracture",
            ("contracture_release",),
        ),
        _code("15003", "Preparing a graft site, each further area", ("contracture_release",)),
        _code("15004", "Preparing a graft site on face, hands or feet", ("contracture_release",)),
        _code(
            "15005",
            "Preparing a graft site on face, hands or feet, each further area",
            ("contracture_release",),
        ),
        _code("15780", "Dermabrasion, whole face", ("dermabrasion",), facial=True),
        _code("15781", "Dermabrasion, part of the face", ("dermabrasion",), facial=True),
        _code(
            "15782", "Dermabrasion, a region other than the face", ("dermabrasion",), facial=False
        ),
        _code("15783", "Superficial dermabrasion, any site", ("dermabrasion",)),
        _code(
            "15786", "Abrasion of a single lesion such as a scar or keratosis", ("lesion_abrasion",)
        ),
        _code("15787", "Abrasion, each further group of up to four lesions", ("lesion_abrasion",)),
        _code(
            "15788",
            "Chemical peel of the face, epidermal",
            ("chemical_peel",),
            depth="epidermal",
            facial=True,
        ),
        _code(
            "15789",
            "Chemical peel of the face, dermal",
            ("chemical_peel",),
            depth="dermal",
            facial=True,
        ),
        _code(
            "15792",
            "Chemical peel off the face, epidermal",
            ("chemical_peel",),
            depth="epidermal",
            facial=False,
        ),
        _code(
            "15793",
            "Chemical peel off the face, dermal",
            ("chemical_peel",),
            depth="dermal",
            facial=False,
        ),
        _code("17000", "Destroying a first premalignant lesion", ("lesion_destruction",)),
        _code(
            "17003",
            "Destroying premalignant lesions two to fourteen, each",
            ("lesion_destruction",),
        ),
        _code("17004", "Destroying fifteen or more premalignant lesions", ("lesion_destruction",)),
        _code("17106", "Destroying skin vascular lesions, under 10 cm²", _LASER_OR_LIGHT),
        _code("17107", "Destroying skin vascular lesions, 10 to 50 cm²", _LASER_OR_LIGHT),
        _code("17108", "Destroying skin vascular lesions, over 50 cm²", _LASER_OR_LIGHT),
        _code(
            "17110",
            "Destroying up to fourteen benign lesions",
            ("lesion_destruction", "pulsed_dye_laser"),
        ),
        _code(
            "17111",
            "Destroying fifteen or more benign lesions",
            ("lesion_destruction", "pulsed_dye_laser"),
        ),
        _code("17340", "Freezing therapy for acne", ("lesion_destruction", "acne_surgery")),
        _code("17360", "Chemical exfoliation for acne", ("chemical_peel",), depth="epidermal"),
        _code("17380", "Electrolysis hair removal, per half hour", ("laser_hair_removal",)),
        _code("17999", "Unlisted procedure of skin or the tissue beneath it", None, unlisted=True),
        _code("96567", "Photodynamic therapy, light applied externally", ("photodynamic_therapy",)),
        _code(
            "96573", "Photodynamic therapy, illuminated by the clinician", ("photodynamic_therapy",)
        ),
        _code(
            "96574",
            "Photodynamic therapy with debridement, by the clinician",
            ("photodynamic_therapy",),
        ),
        _code("96999", "Unlisted special dermatological service", None, unlisted=True),
        _code(
            "30120",
            "Removing or planing down the thickened skin of the nose in rhinophyma",
            ("excision", "shave_removal", "dermabrasion"),
        ),
        _code(
            "11300", "Shaving off a small raised lesion, trunk, arms or legs", ("shave_removal",)
        ),
        _code(
            "11305",
            "Shaving off a small raised lesion, scalp, neck, hands or feet",
            ("shave_removal",),
        ),
        _code(
            "11310",
            "Shaving off a small raised lesion, face, ears, lips or nose",
            ("shave_removal",),
        ),
        _code("11400", "Cutting out a small benign lesion, trunk, arms or legs", ("excision",)),
        _code(
            "11440", "Cutting out a small benign lesion, face, ears, lips or nose", ("excision",)
        ),
        _code("11600", "Cutting out a small malignant lesion, trunk, arms or legs", ("excision",)),
        _code(
            "11640", "Cutting out a small malignant lesion, face, ears, lips or nose", ("excision",)
        ),
        _code("11770", "Cutting out a simple pilonidal cyst or sinus", ("excision",)),
        _code("11771", "Cutting out a more extensive pilonidal cyst or sinus", ("excision",)),
        _code("11772", "Cutting out a complicated pilonidal cyst or sinus", ("excision",)),
        _code(
            "96920",
            "Excimer laser for inflammatory skin disease, smallest area band",
            ("excimer_laser",),
        ),
        _code(
            "96921",
            "Excimer laser for inflammatory skin disease, middle area band",
            ("excimer_laser",),
        ),
        _code(
            "96922",
            "Excimer laser for inflammatory skin disease, largest area band",
            ("excimer_laser",),
        ),
        _code("77401", "Superficial radiation treatment delivery", ("radiation_therapy",)),
        _code(
            "0479T",
            "Fractional ablative laser to burn or traumatic scars for function, first unit",
            ("fractional_ablative_laser",),
            system="CPT Category III",
        ),
        _code(
            "0480T",
            "Fractional ablative laser to burn or traumatic scars, each further unit",
            ("fractional_ablative_laser",),
            system="CPT Category III",
        ),
        _code(
            "0232T",
            "Platelet-rich plasma injection, any site, harvest and preparation included",
            ("prp_injection",),
            system="CPT Category III",
        ),
        _code(
            "G0460",
            "Autologous platelet-rich plasma for a chronic wound that is not diabetic",
            ("prp_wound_gel",),
            system="HCPCS",
        ),
        _code(
            "G0465",
            "Autologous platelet-rich plasma for a diabetic chronic wound, cleared device",
            ("prp_wound_gel",),
            system="HCPCS",
        ),
        _code(
            "P9020",
            "A unit of platelet-rich plasma (blood product)",
            ("prp_injection", "prp_wound_gel"),
            system="HCPCS",
        ),
    )
}


def lookup(code: str) -> ProcedureCode | None:
    """The table entry for `code`, or None when the domain does not know it."""
    return PROCEDURE_CODES.get(code.strip().upper())


def kind_for_code(code: str) -> str | None:
    """The procedure kind `code` stands for on its own, or None when it names none or several."""
    entry = lookup(code)
    return entry.implies if entry is not None else None
