"""The small policy pack the document tests decide under (see `support.TEST_PACK`)."""

from __future__ import annotations

import pytest

from dermcover.engine.library import load_pack
from dermcover.engine.pack import Pack

from .support import TEST_PACK


@pytest.fixture(scope="session")
def test_pack(tmp_path_factory: pytest.TempPathFactory) -> Pack:
    folder = tmp_path_factory.mktemp("packs") / "t"
    folder.mkdir()
    (folder / "policy.yaml").write_text(TEST_PACK, encoding="utf-8")
    return load_pack(folder)
