"""A pack that does not load says which file, which line, and what is wrong."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from dermcover.engine.library import load_pack
from dermcover.inputs import InputError

RULE = """\
rules:
  - id: t.rule
    stage: indication
    text: A rule
    citation: {{source: src, section: "2"}}
    when: {when}
    outcome: covered
    prior_authorization: required
    reason: Because.
"""


def load_error(folder: Path) -> str:
    with pytest.raises(InputError) as caught:
        load_pack(folder)
    return str(caught.value)


def line_of(message: str) -> int:
    found = re.search(r"policy\.yaml:(\d+):", message)
    assert found, f"no file:line in {message!r}"
    return int(found.group(1))


def test_a_good_pack_loads(write_pack: Any) -> None:
    pack = load_pack(write_pack(RULE.format(when="{fact: lesion_count, at_least: 15}")))
    assert pack.id == "t"
    assert [rule.criterion.id for rule in pack.rules] == ["t.rule"]
    assert pack.rules[0].criterion.citation == "Test policy, 2"


def test_unknown_fact_names_the_fact_the_file_and_the_line(write_pack: Any) -> None:
    message = load_error(write_pack(RULE.format(when="{fact: lesion_total, at_least: 15}")))
    assert "unknown fact 'lesion_total'" in message
    assert "lesion_count" in message  # says what is allowed
    assert line_of(message) == 13


def test_bad_enum_value_says_what_is_allowed(write_pack: Any) -> None:
    message = load_error(write_pack(RULE.format(when="{fact: cause, in: [burn, sunburn]}")))
    assert "'sunburn' is not a valid value" in message
    assert "trauma" in message
    assert line_of(message) == 13


def test_missing_citation_is_refused(write_pack: Any) -> None:
    body = """\
rules:
  - id: t.rule
    stage: indication
    text: A rule
    outcome: not_covered_cosmetic
    reason: Because.
"""
    message = load_error(write_pack(body))
    assert "rules[0].citation" in message
    assert "required field is missing" in message
    assert line_of(message) == 9


def test_citation_of_an_unlisted_source_is_refused(write_pack: Any) -> None:
    body = RULE.format(when="{fact: lesion_count, at_least: 1}").replace(
        "source: src", "source: nowhere"
    )
    message = load_error(write_pack(body))
    assert "source 'nowhere'" in message
    assert line_of(message) == 12


def test_rules_out_of_decision_order_are_refused(write_pack: Any) -> None:
    body = (
        RULE.format(when="{fact: lesion_count, at_least: 1}")
        + """\
  - id: t.late-cosmetic
    stage: cosmetic
    text: Cosmetic after an indication
    citation: {source: src, section: "3"}
    outcome: not_covered_cosmetic
    reason: Because.
"""
    )
    message = load_error(write_pack(body))
    assert "decision order" in message
    assert line_of(message) == 18  # the stage line of the second rule


def test_reference_to_an_undefined_criterion_is_refused(write_pack: Any) -> None:
    message = load_error(write_pack(RULE.format(when="t.nothing")))
    assert "'t.nothing'" in message and "does not define" in message


def test_criteria_that_refer_to_each_other_in_a_cycle_are_refused(write_pack: Any) -> None:
    body = """\
criteria:
  t.a:
    text: A
    citation: {source: src, section: "1"}
    when: {any: [t.b]}
  t.b:
    text: B
    citation: {source: src, section: "1"}
    when: {any: [t.a]}
""" + RULE.format(when="t.a")
    message = load_error(write_pack(body))
    assert "cycle" in message


def test_ids_must_carry_the_pack_id(write_pack: Any) -> None:
    body = RULE.format(when="{fact: lesion_count, at_least: 1}").replace("t.rule", "rule")
    assert "must start with the pack id" in load_error(write_pack(body))


def test_pack_id_must_match_its_folder(write_pack: Any) -> None:
    folder = write_pack(RULE.format(when="{fact: lesion_count, at_least: 1}"), pack_id="t")
    renamed = folder.rename(folder.parent / "other")
    assert "must match its folder name 'other'" in load_error(renamed)


def test_malformed_yaml_gives_the_line(write_pack: Any, tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "policy.yaml").write_text("id: broken\ntitle: [unclosed\n", encoding="utf-8")
    message = load_error(folder)
    assert "not valid YAML" in message


def test_a_covered_rule_must_say_whether_prior_authorization_is_needed(write_pack: Any) -> None:
    body = RULE.format(when="{fact: lesion_count, at_least: 1}").replace(
        "    prior_authorization: required\n", ""
    )
    assert "must say prior_authorization" in load_error(write_pack(body))


def undated_source(write_pack: Any, marker: str) -> str:
    folder = write_pack(RULE.format(when="{fact: lesion_count, at_least: 1}"))
    text = (folder / "policy.yaml").read_text(encoding="utf-8")
    (folder / "policy.yaml").write_text(text.replace("date: 2026-01-01,", marker), "utf-8")
    return load_error(folder)


def test_an_undated_source_must_say_when_it_was_read(write_pack: Any) -> None:
    message = undated_source(write_pack, "date: null, undated: true,")
    assert "sources[0]" in message
    assert "needs `checked: YYYY-MM-DD`" in message
    assert line_of(message) == 7


def test_an_undated_source_cannot_also_give_a_date(write_pack: Any) -> None:
    message = undated_source(write_pack, "date: 2026-01-01, undated: true, checked: 2026-02-01,")
    assert "marked undated but gives date 2026-01-01" in message


def test_a_question_on_a_criterion_that_tests_two_facts_is_refused(write_pack: Any) -> None:
    """The criterion's `ask` would be put to each fact: a state question on the age box."""
    body = """\
criteria:
  t.texas-child:
    text: A child in Texas
    citation: {source: src, section: "1"}
    when: {all: [{fact: member_state, is: TX}, {fact: age, at_most: 17}]}
    ask: "In which state do you live, and how old is the patient?"
""" + RULE.format(when="t.texas-child")
    message = load_error(write_pack(body))
    assert "t.texas-child.ask" in message
    assert "must read one fact; it reads age, member_state" in message


def test_a_question_on_a_criterion_that_tests_one_fact_loads(write_pack: Any) -> None:
    body = """\
criteria:
  t.texas:
    text: In Texas
    citation: {source: src, section: "1"}
    when: {fact: member_state, in: [TX]}
    ask: "In which state do you live?"
    patient_ask: "Which state do you live in?"
""" + RULE.format(when="t.texas")
    pack = load_pack(write_pack(body))
    assert pack.criteria["t.texas"].patient_ask == "Which state do you live in?"
