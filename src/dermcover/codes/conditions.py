"""Which condition kind a case's ICD-10-CM diagnoses point to.

A case may name its condition kind; when it does not, the engine asks `infer_condition_kind`.
The answer comes from one declarative table, `DIAGNOSIS_RULES`: a code prefix, the kind a
diagnosis under that prefix implies on its own (if any), the kinds it is consistent with, and a
rank. Sources are the code reference in the payer research (section 2.2) and the burn-sequela
coding rule in its section 1.12.

How a code finds its rule: the longest matching prefix wins, so L71.1 (rhinophyma) beats L71
(rosacea). A rule marked `sequela` only matches codes whose 7th character is S. Only codes that
are valid ICD-10-CM are read; a mistyped or foreign code implies nothing.

How several diagnoses decide one kind:

1. Rank. A code that says what caused a scar (the *sequela* of a burn, or of a skin wound or
   superficial injury, S00-S91) outranks a code that names a condition, which outranks a
   fallback. So T23.302S + L91.0 is a burn scar (the burn tells coverage more than the scar's
   shape: severe burns are the statute's own example of reconstruction), and a basal cell
   carcinoma code yields the superficial-BCC kind only when nothing better is on the claim
   (ICD-10-CM codes BCC by site and cannot say "superficial").
2. Order. Among equals, the diagnosis listed first wins: by billing convention it is the
   principal one.
3. Context. Some codes change what another code means (`CONTEXT_RULES`): a scar code
   (L90.5, L91.0) beside an acne code means acne *scars*, not active acne; a diabetes code beside
   a chronic ulcer makes it a diabetic ulcer. (An ulcer code without diabetes is a chronic wound,
   not a diabetic ulcer: the NCD 270.3 claim needs both a diabetes and an ulcer diagnosis.)

L90.5 ("Scar conditions and fibrosis of skin") alone implies no kind. It cannot tell an acne scar
from a burn or surgical scar, and that difference is most of the coverage answer (acne scars are
cosmetic almost everywhere; burn scars are the clearest reconstructive case), so guessing would
bias the determination. The case's `condition.cause` can settle it: pass `cause=` and a bare L90.5
becomes the scar kind of that cause (acne, burn, surgery, trauma). Otherwise the answer is None
and the engine asks. (L91.0, hypertrophic scar or keloid, does name a kind; its cause stays a
separate fact in the case.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

from dermcover.case import Cause, ConditionKind
from dermcover.codes import icd10

K = ConditionKind

SCAR_KINDS = frozenset(
    {K.acne_scars, K.burn_scar, K.surgical_scar, K.traumatic_scar, K.hypertrophic_scar, K.keloid}
)


class Rank(IntEnum):
    """How strongly a diagnosis decides the kind; lower wins."""

    cause = 0
    condition = 1
    fallback = 2


@dataclass(frozen=True, slots=True)
class DiagnosisRule:
    prefix: str
    implies: ConditionKind | None
    fits: frozenset[ConditionKind]
    rank: Rank = Rank.condition
    sequela: bool = False


def _rule(
    prefixes: str | tuple[str, ...],
    implies: ConditionKind | None,
    also_fits: tuple[ConditionKind, ...] | frozenset[ConditionKind] = (),
    *,
    rank: Rank = Rank.condition,
    sequela: bool = False,
) -> tuple[DiagnosisRule, ...]:
    fits = frozenset(also_fits) | ({implies} if implies is not None else set())
    return tuple(
        DiagnosisRule(prefix, implies, fits, rank, sequela)
        for prefix in ((prefixes,) if isinstance(prefixes, str) else prefixes)
    )


_BURN = ("T20", "T21", "T22", "T23", "T24", "T25")
# Superficial injuries (S00, S10 ... S90) and open wounds (S01, S11 ... S91) of the skin.
_SKIN_INJURY = tuple(f"S{region}{kind}" for region in range(10) for kind in (0, 1))
_DIABETES = ("E08", "E09", "E10", "E11", "E13")
_DIABETIC_ULCER = tuple(f"{d}.{s}" for d in _DIABETES for s in ("621", "622"))
_BCC_BY_SITE = tuple(f"C44.{site}1" for site in range(10))

DIAGNOSIS_RULES: tuple[DiagnosisRule, ...] = (
    # Sequelae: the cause of a scar (research 1.12: burn sequela = T20-T25, 7th character S).
    *_rule(_BURN, K.burn_scar, (K.hypertrophic_scar, K.keloid), rank=Rank.cause, sequela=True),
    *_rule(
        _SKIN_INJURY,
        K.traumatic_scar,
        (K.hypertrophic_scar, K.keloid, K.traumatic_tattoo),
        rank=Rank.cause,
        sequela=True,
    ),
    # Conditions (research 2.2).
    *_rule("L57.0", K.actinic_keratosis),
    *_rule(("L57.8", "L57.9"), K.photoaging, (K.wrinkles, K.lentigines)),
    *_rule("L70", K.acne_active, (K.acne_scars,)),
    *_rule("L71", K.rosacea, (K.telangiectasia,)),
    *_rule("L71.0", K.perioral_dermatitis),
    *_rule("L71.1", K.rhinophyma, (K.rosacea,)),
    *_rule("L81.0", K.post_inflammatory_hyperpigmentation),
    *_rule("L81.1", K.melasma),
    *_rule("L81.4", K.lentigines, (K.photoaging,)),
    *_rule("L81.8", None, (K.decorative_tattoo, K.traumatic_tattoo)),
    *_rule("L90.5", None, SCAR_KINDS),
    *_rule("L90.6", K.striae),
    *_rule("L91.0", K.hypertrophic_scar, SCAR_KINDS),
    *_rule("Q82.5", K.port_wine_stain, (K.hemangioma,)),
    *_rule("D18.0", K.hemangioma, (K.infantile_hemangioma,)),
    *_rule(("I78.0", "I78.1"), K.telangiectasia),
    *_rule(("L63", "L64", "L65", "L66"), K.hair_loss),
    *_rule(("B07", "A63.0"), K.warts),
    *_rule("L40", K.psoriasis),
    *_rule("L98.0", K.pyogenic_granuloma),
    *_rule("L92.2", K.granuloma_faciale),
    *_rule("L05", K.pilonidal_cyst),
    *_rule("L73.0", K.acne_keloidalis_nuchae),
    *_rule("L73.1", K.pseudofolliculitis),
    *_rule("L73.2", K.hidradenitis_suppurativa),
    *_rule("D04", K.squamous_cell_carcinoma_in_situ, rank=Rank.fallback),
    *_rule(_DIABETIC_ULCER, K.diabetic_ulcer, (K.chronic_wound,)),
    *_rule(("L97", "L98.4", "L89"), K.chronic_wound, (K.diabetic_ulcer,)),
    *_rule("M24.5", None, SCAR_KINDS - {K.acne_scars}),
    # Fallbacks: kinds a code can only suggest.
    *_rule(_BCC_BY_SITE, K.basal_cell_carcinoma_superficial, rank=Rank.fallback),
)

_RULES_BY_PREFIX: dict[str, tuple[DiagnosisRule, ...]] = {}
for _entry in DIAGNOSIS_RULES:
    _RULES_BY_PREFIX[_entry.prefix] = (*_RULES_BY_PREFIX.get(_entry.prefix, ()), _entry)


@dataclass(frozen=True, slots=True)
class ContextRule:
    """With a diagnosis under one of `present` on the case, a `turns` diagnosis means `into`."""

    present: tuple[str, ...]
    turns: ConditionKind
    into: ConditionKind


CONTEXT_RULES: tuple[ContextRule, ...] = (
    ContextRule(("L90.5", "L91.0"), K.acne_active, K.acne_scars),
    ContextRule(_DIABETES, K.chronic_wound, K.diabetic_ulcer),
)

SCAR_KIND_BY_CAUSE: dict[Cause, ConditionKind] = {
    Cause.acne: K.acne_scars,
    Cause.burn: K.burn_scar,
    Cause.surgery: K.surgical_scar,
    Cause.trauma: K.traumatic_scar,
}

_BARE_SCAR_CODE = "L90.5"


def is_burn_code(code: str) -> bool:
    """True for a burn code by site (T20-T25), whatever its 7th character."""
    return icd10.normalise(code).startswith(_BURN)


def is_diabetes_code(code: str) -> bool:
    """True for any diabetes mellitus code (E08-E13)."""
    return icd10.normalise(code).startswith(_DIABETES)


def rule_for(code: str) -> DiagnosisRule | None:
    """The table rule a (valid) code falls under, by longest prefix; None when there is none."""
    dotted = icd10.normalise(code)
    is_sequela = len(dotted) == 8 and dotted.endswith("S")
    for length in range(len(dotted), 2, -1):
        for entry in _RULES_BY_PREFIX.get(dotted[:length], ()):
            if not entry.sequela or is_sequela:
                return entry
    return None


def condition_kinds_for(code: str) -> frozenset[ConditionKind]:
    """The condition kinds `code` is consistent with; empty when the table does not know it."""
    entry = rule_for(code) if icd10.is_valid(code) else None
    return entry.fits if entry is not None else frozenset()


def infer_condition_kind(
    diagnoses: Sequence[str], *, cause: Cause | None = None
) -> ConditionKind | None:
    """The condition kind the diagnoses imply (see the module docstring), or None."""
    codes = [icd10.normalise(code) for code in diagnoses if code.strip()]
    codes = [code for code in codes if icd10.is_valid(code)]
    candidates: list[tuple[Rank, int, ConditionKind]] = []
    for position, code in enumerate(codes):
        entry = rule_for(code)
        if entry is None or entry.implies is None:
            continue
        kind = entry.implies
        for context in CONTEXT_RULES:
            if kind is context.turns and any(other.startswith(context.present) for other in codes):
                kind = context.into
        candidates.append((entry.rank, position, kind))
    if candidates:
        return min(candidates)[2]
    if cause is not None and _BARE_SCAR_CODE in codes:
        return SCAR_KIND_BY_CAUSE.get(cause)
    return None
