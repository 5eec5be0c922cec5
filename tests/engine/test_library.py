"""The policy library: packs found by folder, each read once and only when asked for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dermcover.engine.library import POLICIES_ENV, library
from dermcover.inputs import InputError

RULE = """\
rules:
  - id: good.rule
    stage: indication
    text: A rule
    citation: {source: src, section: "2"}
    when: {fact: lesion_count, at_least: 1}
    outcome: covered
    prior_authorization: required
    reason: Because.
"""


@pytest.fixture
def folder(write_pack: Any, tmp_path: Path) -> Path:
    write_pack(RULE, pack_id="good")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "policy.yaml").write_text("id: broken\ntitle: [unclosed\n", encoding="utf-8")
    return tmp_path


def test_a_pack_loads_although_another_in_the_folder_is_broken(folder: Path) -> None:
    packs = library(folder)
    assert sorted(packs.packs) == ["broken", "good"]
    assert packs.get("good").id == "good"


def test_loading_every_pack_names_the_broken_one(folder: Path) -> None:
    with pytest.raises(InputError, match=r"broken/policy\.yaml:\d+: not valid YAML"):
        library(folder).load_all()


def test_an_unknown_policy_lists_the_ones_there_are(folder: Path) -> None:
    with pytest.raises(InputError, match="unknown policy 'nope'; available: broken, good"):
        library(folder).get("nope")


def test_a_pack_is_read_once(folder: Path) -> None:
    assert library(folder).get("good") is library(folder).get("good")


def test_the_default_follows_the_environment(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(POLICIES_ENV, str(folder))
    assert sorted(library().packs) == ["broken", "good"]
    monkeypatch.delenv(POLICIES_ENV)
    assert "generic" in library().packs
