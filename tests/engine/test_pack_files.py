"""A pack folder as its author sees it: the pack, its fixtures, and lines for findings."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from dermcover.engine.pack_files import open_pack_folder, pack_folders
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
