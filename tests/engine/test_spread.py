"""The spread across payer packs: grouped by outcome, payers named, likeliest answer first, ties
to the less favourable answer, the framework left out, the plan type narrowing the packs.

The packs here are small test packs, so each expected answer follows from the rule written
beside it, not from the shipped packs' contents.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dermcover.case import Case
from dermcover.determination import Outcome
from dermcover.engine.library import PolicyLibrary, load_pack
from dermcover.engine.spread import SpreadGroup, candidate_policies, decide_spread, summary

HEAD = """\
id: {id}
title: {payer} test policy
payer: {payer}
reviewed: 2026-01-01
summary: A pack for tests.
sources:
  - {{id: src, title: {payer} policy, date: 2026-01-01, confidence: confirmed}}
"""
COVERS_MANY_LESIONS = """\
rules:
  - id: {id}.many-lesions
    stage: indication
    text: Many lesions
    citation: {{source: src, section: "2"}}
    when: {{fact: lesion_count, at_least: {at_least}}}
    outcome: covered
    prior_authorization: {pa}
    reason: Many lesions are covered.
"""
OTHERWISE = """\
otherwise:
  outcome: {outcome}
  text: Anything else
  citation: {{source: src, section: "1"}}
  reason: Anything else is refused.
"""

# id -> (payer, lesions the covering rule needs, its prior authorization, otherwise outcome)
PACKS = {
    "alpha": ("Alpha", 15, "required", "not_covered_cosmetic"),
    "beta": ("Beta", 1000, "required", "not_covered_cosmetic"),
    "gamma": ("Gamma", 1000, "required", "not_covered_cosmetic"),
    "delta": ("Delta", 15, "not_required", "not_covered_not_medically_necessary"),
    "generic": ("your health plan", 1, "not_required", "covered"),
    "medicare": ("Medicare", 15, "not_required", "not_covered_not_medically_necessary"),
}


@pytest.fixture(scope="module")
def packs(tmp_path_factory: pytest.TempPathFactory) -> PolicyLibrary:
    root = tmp_path_factory.mktemp("packs")
    loaded = {}
    for pack_id, (payer, at_least, pa, otherwise) in PACKS.items():
        folder = root / pack_id
        folder.mkdir()
        text = HEAD.format(id=pack_id, payer=payer)
        text += COVERS_MANY_LESIONS.format(id=pack_id, pa=pa, at_least=at_least)
        text += OTHERWISE.format(outcome=otherwise)
        yaml.safe_load(text)
        (folder / "policy.yaml").write_text(text, encoding="utf-8")
        loaded[pack_id] = load_pack(folder)
    return PolicyLibrary(Path(root), loaded)


def case(lesions: int, plan_type: str | None = "commercial") -> Case:
    data: dict[str, object] = {
        "procedures": [{"kind": "chemical_peel"}],
        "condition": {"lesion_count": lesions},
    }
    if plan_type is not None:
        data["payer"] = {"plan_type": plan_type}
    return Case.model_validate(data)


def test_the_likeliest_answer_comes_first_with_the_payers_named(packs: PolicyLibrary) -> None:
    spread = decide_spread(case(20), packs=packs)
    assert spread.plans == 4  # the framework and Medicare are not a commercial plan's answer
    assert [(g.outcome, g.payers) for g in spread.groups] == [
        (Outcome.not_covered_cosmetic, ["Beta", "Gamma"]),
        (Outcome.covered_with_prior_auth, ["Alpha"]),  # one each: the less favourable first
        (Outcome.covered, ["Delta"]),
    ]
    assert spread.summary == (
        "2 of 4 plans we know call this cosmetic (Beta and Gamma); "
        "1 covers it with prior authorization (Alpha); 1 covers it (Delta)."
    )


def test_a_tie_goes_to_the_less_favourable_answer(packs: PolicyLibrary) -> None:
    # Five lesions: Alpha, Beta, Gamma cosmetic; Delta not medically necessary. Both refusals
    # are equally unfavourable, so the larger group leads; ties among covered answers were above.
    spread = decide_spread(case(5), packs=packs)
    assert spread.groups[0].payers == ["Alpha", "Beta", "Gamma"]
    assert spread.summary.startswith("3 of 4 plans we know call this cosmetic")
    assert spread.groups[1].says == "does not find it medically necessary on these facts"


def test_the_framework_is_never_one_of_the_plans(packs: PolicyLibrary) -> None:
    for plan_type in (None, "commercial", "medicaid", "medicare"):
        assert "generic" not in candidate_policies(case(20, plan_type), packs)


def test_the_plan_type_narrows_the_packs(packs: PolicyLibrary) -> None:
    assert candidate_policies(case(20, None), packs) == [
        "alpha",
        "beta",
        "delta",
        "gamma",
        "medicare",
    ]
    assert candidate_policies(case(20, "medicare_advantage"), packs) == ["medicare"]
    spread = decide_spread(case(20, "medicare"), packs=packs)
    assert spread.summary == "The one plan we know covers it (Medicare)."
    assert decide_spread(case(5, "medicare"), packs=packs).summary == (
        "The one plan we know does not find it medically necessary on these facts (Medicare)."
    )


def test_every_plan_agreeing_says_all() -> None:
    group = SpreadGroup(
        outcome=Outcome.not_covered_cosmetic,
        covers_any=False,
        says="call this cosmetic",
        payers=["Alpha", "Beta", "Gamma"],
        answers=[],
    )
    assert summary([group], 3) == "All 3 plans we know call this cosmetic (Alpha, Beta and Gamma)."


def test_plans_refusing_every_line_for_different_reasons_pay_for_none_of_it(
    packs: PolicyLibrary,
) -> None:
    two_lines = Case.model_validate(
        {
            "payer": {"plan_type": "commercial"},
            "procedures": [{"kind": "chemical_peel"}, {"kind": "chemical_peel"}],
            "condition": {"lesion_count": 5},
        }
    )
    spread = decide_spread(two_lines, packs=packs)
    assert all(not group.covers_any for group in spread.groups)
    assert "cover part of it" not in spread.summary


def test_each_answer_carries_its_reasons_and_open_questions(packs: PolicyLibrary) -> None:
    unknown = Case.model_validate({"procedures": [{"kind": "chemical_peel"}]})
    spread = decide_spread(unknown, packs=packs)
    alpha = next(a for g in spread.groups for a in g.answers if a.policy == "alpha")
    assert alpha.outcome is Outcome.insufficient_information
    assert any("lesion" in question for question in alpha.questions)
    few = decide_spread(case(5), packs=packs)
    beta = next(a for g in few.groups for a in g.answers if a.policy == "beta")
    assert beta.reasons == ["Anything else is refused."]


def test_a_payer_with_several_packs_answers_once_through_the_one_about_the_procedure(
    tmp_path: Path, packs: PolicyLibrary
) -> None:
    # Alpha also has a single-bulletin pack whose rule names chemical peels only.
    folder = tmp_path / "alpha-peels"
    folder.mkdir()
    text = (
        HEAD.format(id="alpha-peels", payer="Alpha")
        + COVERS_MANY_LESIONS.format(id="alpha-peels", pa="required", at_least=1).replace(
            "    when:", "    procedures: [chemical_peel]\n    when:"
        )
        + OTHERWISE.format(outcome="not_covered_not_medically_necessary")
    )
    (folder / "policy.yaml").write_text(text, encoding="utf-8")
    library = PolicyLibrary(packs.folder, {**packs.packs, "alpha-peels": load_pack(folder)})
    peel = candidate_policies(case(5), library)
    assert "alpha-peels" in peel and "alpha" not in peel  # the bulletin about peels
    laser = Case.model_validate(
        {"payer": {"plan_type": "commercial"}, "procedures": [{"kind": "pulsed_dye_laser"}]}
    )
    other = candidate_policies(laser, library)
    assert "alpha" in other and "alpha-peels" not in other  # the general pack otherwise
    spread = decide_spread(case(5), packs=library)
    assert sum(group.payers.count("Alpha") for group in spread.groups) == 1
