"""A pack folder as its author sees it: the pack, its fixtures, and lines for findings."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from dermcover.engine.pack_files import (
    PackFolder,
    open_pack_folder,
    open_plan_folder,
    pack_folders,
    plan_folders,
)
from dermcover.engine.plans import plans_dir
from dermcover.inputs import InputError

RULE = """\
rules:
  - id: t.rule
    stage: indication
    text: A rule
    citation: {source: src, section: "2"}
    when: {fact: lesion_count, at_least: 15}
    outcome: covered
    prior_authorization: required
    reason: Because.
"""


def test_a_folder_opens_with_its_fixtures_and_locates_fields(write_pack: Any) -> None:
    folder = write_pack(RULE)
    (folder / "fixtures").mkdir()
    (folder / "fixtures" / "many.yaml").write_text(
        "name: Many\nclause: '2'\ncase: {procedures: [{kind: chemical_peel}]}\n"
        "expect: {outcome: not_covered_cosmetic}\n",
        encoding="utf-8",
    )
    opened = open_pack_folder(folder)
    assert opened.pack.id == "t"
    assert [name for name, _ in opened.fixtures] == ["many"]
    assert opened.locate(("rules", 0)).endswith("policy.yaml:9")
    assert opened.locate(("nowhere",)).endswith("policy.yaml:1")


def test_a_folder_without_policy_yaml_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=re.escape("not a policy pack (no policy.yaml)")):
        open_pack_folder(tmp_path)


def test_a_bad_fixture_names_its_file(write_pack: Any) -> None:
    folder = write_pack(RULE)
    (folder / "fixtures").mkdir()
    (folder / "fixtures" / "bad.yaml").write_text("name: Bad\n", encoding="utf-8")
    with pytest.raises(InputError, match=re.escape("bad.yaml")):
        open_pack_folder(folder)


def test_pack_folders_lists_only_folders_with_a_pack(write_pack: Any, tmp_path: Path) -> None:
    write_pack(RULE, pack_id="t")
    (tmp_path / "notes").mkdir()
    assert [folder.name for folder in pack_folders(tmp_path)] == ["t"]
    with pytest.raises(InputError, match="does not exist"):
        pack_folders(tmp_path / "missing")


def test_a_folder_without_plan_yaml_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=re.escape("not a plan document (no plan.yaml)")):
        open_plan_folder(tmp_path)


def test_the_shipped_plan_documents_open_over_their_packs() -> None:
    opened = [open_plan_folder(folder) for folder in plan_folders(plans_dir())]
    assert {folder.pack.id for folder in opened} >= {"uhc-mmc-2026", "uhc-coc-sample"}
    for folder in opened:
        assert folder.plan is not None and folder.under is not None
        assert folder.under.id == folder.plan.spec.policy
        assert folder.locate(("rules", 0)).endswith(f"{folder.pack.id}/plan.yaml:{_line(folder)}")
        assert folder.fixtures


def test_plan_folders_is_empty_where_there_is_no_folder(tmp_path: Path) -> None:
    assert plan_folders(tmp_path / "missing") == []


def _line(folder: PackFolder) -> int:
    lines = folder.policy_file.read_text(encoding="utf-8").splitlines()
    return lines.index("rules:") + 2  # the first rule, on the line after `rules:`
