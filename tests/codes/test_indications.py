"""The procedure-condition plausibility table (research section 1)."""

from __future__ import annotations

import pytest

from dermcover.case import ConditionKind, ProcedureKind
from dermcover.codes.indications import INDICATIONS, plausibly_treats

K = ConditionKind
P = ProcedureKind


def test_every_procedure_kind_has_a_row() -> None:
    assert set(INDICATIONS) == set(ProcedureKind)


@pytest.mark.parametrize(
    ("procedure", "condition"),
    [
        (P.chemical_peel, K.actinic_keratosis),  # 1.4
        (P.pulsed_dye_laser, K.port_wine_stain),  # 1.7
        (P.pulsed_dye_laser, K.keloid),  # Aetna 0559
        (P.fractional_ablative_laser, K.burn_scar),  # 1.5, 1.12
        (P.dermabrasion, K.rhinophyma),  # 1.3
        (P.prp_wound_gel, K.diabetic_ulcer),  # NCD 270.3
        (P.contracture_release, K.burn_scar),  # 1.12
        (P.microneedling, K.acne_scars),  # 1.1
        (P.q_switched_laser, K.decorative_tattoo),  # 1.6
        (P.prp_injection, K.melasma),  # the pico-laser-with-PRP article
    ],
)
def test_treatments_the_research_names(procedure: ProcedureKind, condition: ConditionKind) -> None:
    assert plausibly_treats(procedure, condition)


@pytest.mark.parametrize(
    ("procedure", "condition"),
    [
        (P.laser_hair_removal, K.actinic_keratosis),
        (P.acne_surgery, K.burn_scar),
        (P.prp_wound_gel, K.melasma),
        (P.contracture_release, K.melasma),
    ],
)
def test_pairs_that_make_no_sense(procedure: ProcedureKind, condition: ConditionKind) -> None:
    assert not plausibly_treats(procedure, condition)
