"""Rules that can never decide are found by searching the facts, and only those."""

from __future__ import annotations

from typing import Any

from dermcover.engine.library import load_pack
from dermcover.engine.reachability import unreachable_rules


def rule(rule_id: str, when: str | None, outcome: str = "covered", procedures: str = "") -> str:
    pa = "    prior_authorization: required\n" if outcome == "covered" else ""
    stage = "cosmetic" if outcome == "not_covered_cosmetic" else "indication"
    return (
        f"  - id: t.{rule_id}\n    stage: {stage}\n"
        + (f"    procedures: [{procedures}]\n" if procedures else "")
        + f"    text: Rule {rule_id}\n    citation: {{source: src, section: '1'}}\n"
        + (f"    when: {when}\n" if when is not None else "")
        + f"    outcome: {outcome}\n{pa}    reason: Because.\n"
    )


def dead(write_pack: Any, *rules: str, criteria: str = "") -> dict[str, tuple[str, ...]]:
    pack = load_pack(write_pack(criteria + "rules:\n" + "".join(rules)))
    return {found.rule.criterion.id: found.blockers for found in unreachable_rules(pack)}


def test_a_narrower_rule_after_a_broader_one_with_the_same_test_is_dead(write_pack: Any) -> None:
    assert dead(
        write_pack,
        rule("cosmetic", "{fact: purpose, in: [appearance]}", "not_covered_cosmetic"),
        rule("burn", "{all: [{fact: purpose, in: [appearance]}, {fact: cause, in: [burn]}]}"),
    ) == {"t.burn": ("t.cosmetic",)}


def test_rules_that_overlap_only_in_part_are_both_alive(write_pack: Any) -> None:
    assert (
        dead(
            write_pack,
            rule("cosmetic", "{fact: purpose, in: [appearance]}", "not_covered_cosmetic"),
            rule("burn", "{any: [{fact: purpose, in: [appearance]}, {fact: cause, in: [burn]}]}"),
        )
        == {}
    )


def test_a_rule_after_one_that_always_applies_is_dead(write_pack: Any) -> None:
    assert dead(
        write_pack,
        rule("all-peels", None, "not_covered_cosmetic", procedures="chemical_peel"),
        rule("ak-peel", "{fact: lesion_count, at_least: 10}", procedures="chemical_peel"),
    ) == {"t.ak-peel": ("t.all-peels",)}


def test_a_rule_for_another_procedure_is_not_blocked(write_pack: Any) -> None:
    assert (
        dead(
            write_pack,
            rule("all-peels", None, "not_covered_cosmetic", procedures="chemical_peel"),
            rule(
                "ak-laser",
                "{fact: lesion_count, at_least: 10}",
                procedures="ablative_laser_resurfacing",
            ),
        )
        == {}
    )


def test_a_higher_threshold_after_a_lower_one_is_dead(write_pack: Any) -> None:
    assert dead(
        write_pack,
        rule("ten", "{fact: lesion_count, at_least: 10}"),
        rule(
            "fifteen", "{fact: lesion_count, at_least: 15}", "not_covered_not_medically_necessary"
        ),
    ) == {"t.fifteen": ("t.ten",)}


def test_a_lower_threshold_after_a_higher_one_is_alive(write_pack: Any) -> None:
    assert (
        dead(
            write_pack,
            rule("fifteen", "{fact: lesion_count, at_least: 15}"),
            rule(
                "ten", "{fact: lesion_count, at_least: 10}", "not_covered_not_medically_necessary"
            ),
        )
        == {}
    )


def test_a_condition_that_contradicts_itself_is_dead_with_no_blocker(write_pack: Any) -> None:
    assert dead(
        write_pack,
        rule(
            "never", "{all: [{fact: cause, in: [burn]}, {not: {fact: cause, in: [burn, trauma]}}]}"
        ),
    ) == {"t.never": ()}


def test_named_criteria_are_followed(write_pack: Any) -> None:
    criteria = (
        "criteria:\n  t.appearance:\n    text: For looks\n"
        "    citation: {source: src, section: '1'}\n"
        "    when: {fact: purpose, in: [appearance]}\n"
    )
    assert dead(
        write_pack,
        rule("cosmetic", "t.appearance", "not_covered_cosmetic"),
        rule("also", "{all: [t.appearance, {fact: age, at_least: 18}]}"),
        criteria=criteria,
    ) == {"t.also": ("t.cosmetic",)}


def test_any_failed_treatment_blocks_a_rule_asking_for_one_named_treatment(
    write_pack: Any,
) -> None:
    assert dead(
        write_pack,
        rule("any-failed", "{fact: prior_treatment, at_least: 1}"),
        rule(
            "five-fu",
            "{fact: prior_treatment, names: [fluorouracil_topical]}",
            "not_covered_not_medically_necessary",
        ),
    ) == {"t.five-fu": ("t.any-failed",)}


def test_two_failed_treatments_are_reachable_after_a_rule_for_one_named(write_pack: Any) -> None:
    # One named failure does not decide two different failures: one of them may be another drug.
    assert (
        dead(
            write_pack,
            rule("five-fu", "{fact: prior_treatment, names: [fluorouracil_topical]}"),
            rule(
                "two", "{fact: prior_treatment, at_least: 2}", "not_covered_not_medically_necessary"
            ),
        )
        == {}
    )


def test_list_facts_need_a_member_outside_the_earlier_rule(write_pack: Any) -> None:
    assert (
        dead(
            write_pack,
            rule(
                "distress",
                "{fact: impairment, any: [psychological_distress]}",
                "not_covered_cosmetic",
            ),
            rule("other", "{fact: impairment, any_except: [psychological_distress]}"),
        )
        == {}
    )
    assert dead(
        write_pack,
        rule("anything", "{fact: impairment, any_except: []}", "not_covered_cosmetic"),
        rule("pain", "{fact: impairment, any: [pain_requiring_analgesics]}"),
    ) == {"t.pain": ("t.anything",)}


def test_diagnosis_prefixes_are_compared_as_prefixes(write_pack: Any) -> None:
    assert dead(
        write_pack,
        rule("l57", "{fact: diagnosis, prefixes: [L57]}"),
        rule(
            "l57-0", "{fact: diagnosis, prefixes: [L57.0]}", "not_covered_not_medically_necessary"
        ),
    ) == {"t.l57-0": ("t.l57",)}
    assert (
        dead(
            write_pack,
            rule("l57-0", "{fact: diagnosis, prefixes: [L57.0]}"),
            rule(
                "l57", "{fact: diagnosis, prefixes: [L57]}", "not_covered_not_medically_necessary"
            ),
        )
        == {}
    )


def test_rules_that_block_only_together_are_all_named(write_pack: Any) -> None:
    assert dead(
        write_pack,
        rule("burn", "{fact: cause, in: [burn]}"),
        rule("not-burn", "{not: {fact: cause, in: [burn]}}", "not_covered_not_medically_necessary"),
        rule("adult", "{fact: age, at_least: 18}"),
    ) == {"t.adult": ("t.burn", "t.not-burn")}


def test_treatment_classes_are_counted_as_classes(write_pack: Any) -> None:
    two_classes = (
        "{fact: prior_treatment, classes: [topical_retinoid, oral_antibiotic], at_least: 2}"
    )
    assert dead(
        write_pack,
        rule("retinoid", "{fact: prior_treatment, classes: [topical_retinoid]}"),
        rule("two", two_classes, "not_covered_not_medically_necessary"),
    ) == {"t.two": ("t.retinoid",)}
    assert (
        dead(
            write_pack,
            rule("two", two_classes),
            rule(
                "retinoid",
                "{fact: prior_treatment, classes: [topical_retinoid]}",
                "not_covered_not_medically_necessary",
            ),
        )
        == {}
    )


def test_a_listed_item_is_weighed_before_the_general_exclusion(write_pack: Any) -> None:
    # Written after the general cosmetic rule, the listed item still decides first; so the
    # general rule, no broader than the item, is the one that can never decide.
    pack_text = (
        "rules:\n"
        + rule("cosmetic", "{fact: condition_kind, in: [port_wine_stain]}", "not_covered_cosmetic")
        + rule("pws", "{fact: condition_kind, in: [port_wine_stain]}").replace(
            "    reason:", "    listed: true\n    reason:"
        )
    )
    folder = write_pack(pack_text)
    text = (folder / "policy.yaml").read_text(encoding="utf-8")
    (folder / "policy.yaml").write_text(
        text.replace("confidence: confirmed}", "confidence: confirmed, general: true}"), "utf-8"
    )
    found = unreachable_rules(load_pack(folder))
    assert [(f.rule.criterion.id, f.blockers) for f in found] == [("t.cosmetic", ("t.pws",))]
