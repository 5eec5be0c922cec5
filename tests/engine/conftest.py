"""Helpers for engine tests: write a small pack to a folder and load it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

PACK_HEAD = """\
id: {id}
title: Test pack
payer: Test plan
reviewed: 2026-01-01
summary: A pack for tests.
sources:
  - {{id: src, title: Test policy, date: 2026-01-01, confidence: confirmed}}
"""

OTHERWISE = """\
otherwise:
  outcome: not_covered_cosmetic
  text: Anything else is cosmetic
  citation: {source: src, section: "1"}
  reason: Anything else is cosmetic.
"""


@pytest.fixture
def write_pack(tmp_path: Path) -> Any:
    """write_pack(body, pack_id="t") -> the pack's folder; policy.yaml is head + body (+ an
    `otherwise`)."""

    def write(body: str, pack_id: str = "t", otherwise: bool = True) -> Path:
        folder = tmp_path / pack_id
        folder.mkdir(exist_ok=True)
        text = PACK_HEAD.format(id=pack_id) + body + (OTHERWISE if otherwise else "")
        yaml.safe_load(text)  # the test's own text must at least be YAML
        (folder / "policy.yaml").write_text(text, encoding="utf-8")
        return folder

    return write
