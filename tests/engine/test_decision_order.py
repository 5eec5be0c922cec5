"""The one decision-order rule every pack shares, and the per-pack list of functional
impairments."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dermcover.case import Case
from dermcover.determination import Outcome
from dermcover.engine import determine
from dermcover.engine.library import PolicyLibrary, load_pack
from dermcover.inputs import InputError

# The shape of Aetna's: a general cosmetic policy (0031) that excludes hair removal and
# appearance; a bulletin (0577) that lists hair removal for pilonidal cysts as medically
# necessary, with its own cosmetic item (hair removal for pseudofolliculitis).
BODY = """\
  - id: general
    title: General cosmetic policy
    date: 2026-01-01
    confidence: confirmed
    general: true
functional_impairments: [bleeding, ulceration]
rules:
  - id: t.general-hair-removal
    stage: exclusion
    procedures: [laser_hair_removal]
    text: Hair removal is cosmetic
    citation: {source: general, section: "list"}
    outcome: not_covered_cosmetic
    reason: Hair removal is cosmetic.
  - id: t.bulletin-cosmetic
    stage: cosmetic
    procedures: [laser_hair_removal]
    text: Hair removal for pseudofolliculitis is cosmetic
    citation: {source: src, section: "cosmetic list"}
    when: {fact: condition_kind, is: pseudofolliculitis}
    outcome: not_covered_cosmetic
    reason: The bulletin calls it cosmetic.
  - id: t.pilonidal
    stage: indication
    listed: true
    procedures: [laser_hair_removal]
    text: Hair removal for a recurrent pilonidal cyst is medically necessary
    citation: {source: src, section: "medically necessary list"}
    when: {fact: condition_kind, is: pilonidal_cyst}
    outcome: covered
    prior_authorization: required
    reason: Listed as medically necessary.
  - id: t.impairing
    stage: indication
    text: A procedure for a functional impairment is covered
    citation: {source: src, section: "3"}
    when: {fact: functional_impairment, is: true}
    outcome: covered
    prior_authorization: required
    reason: It restores function.
"""


@pytest.fixture
def packs(write_pack: Any) -> PolicyLibrary:
    folder: Path = write_pack(BODY)
    return PolicyLibrary(folder.parent, {"t": load_pack(folder)})


def outcome(packs: PolicyLibrary, **case: Any) -> Outcome:
    model = Case.model_validate({"procedures": [{"kind": "laser_hair_removal"}], **case})
    return determine(model, "t", today=date(2026, 12, 1), packs=packs).outcome


def test_a_listed_item_is_not_pre_empted_by_the_general_exclusion(packs: PolicyLibrary) -> None:
    assert outcome(packs, condition={"kind": "pilonidal_cyst"}) is Outcome.covered_with_prior_auth


def test_the_bulletins_own_cosmetic_list_still_comes_first(packs: PolicyLibrary) -> None:
    assert outcome(packs, condition={"kind": "pseudofolliculitis"}) is Outcome.not_covered_cosmetic


def test_the_general_exclusion_still_decides_what_no_list_names(packs: PolicyLibrary) -> None:
    # Even with an impairment: only a listed item jumps the general exclusion.
    assert (
        outcome(packs, condition={"kind": "hair_loss"}, impairment=["bleeding"])
        is Outcome.not_covered_cosmetic
    )


def test_the_order_is_visible_in_the_compiled_pack(packs: PolicyLibrary) -> None:
    order = [rule.criterion.id for rule in packs.get("t").rules]
    assert order == ["t.bulletin-cosmetic", "t.pilonidal", "t.general-hair-removal", "t.impairing"]


def test_functional_impairment_reads_the_packs_own_list(packs: PolicyLibrary) -> None:
    def line(impairment: list[str]) -> Outcome:
        model = Case.model_validate(
            {"procedures": [{"kind": "excision"}], "impairment": impairment}
        )
        return determine(model, "t", today=date(2026, 12, 1), packs=packs).outcome

    assert line(["ulceration"]) is Outcome.covered_with_prior_auth
    # Itching is not on this pack's list, so it is a symptom here.
    assert line(["itching"]) is Outcome.not_covered_cosmetic


def test_functional_impairment_without_the_packs_list_is_refused(write_pack: Any) -> None:
    body = BODY.replace("functional_impairments: [bleeding, ulceration]\n", "")
    with pytest.raises(InputError, match="functional_impairments"):
        load_pack(write_pack(body))


def test_listed_only_on_covered_indications(write_pack: Any) -> None:
    body = BODY.replace("    stage: exclusion\n", "    stage: exclusion\n    listed: true\n", 1)
    with pytest.raises(InputError, match="`listed` belongs only"):
        load_pack(write_pack(body))


def test_a_new_fact_is_asked_when_it_decides(write_pack: Any) -> None:
    body = BODY.replace(
        "    when: {fact: functional_impairment, is: true}",
        "    when: {all: [{fact: functional_impairment, is: true},"
        " {fact: impairment_significant, is: true}]}",
    )
    folder = write_pack(body)
    packs = PolicyLibrary(folder.parent, {"t": load_pack(folder)})
    model = Case.model_validate({"procedures": [{"kind": "excision"}], "impairment": ["bleeding"]})
    determination = determine(model, "t", today=date(2026, 12, 1), packs=packs)
    assert determination.outcome is Outcome.insufficient_information
    assert [q.field for q in determination.questions] == ["impairment_significant"]
    assert "significant" in determination.questions[0].ask
