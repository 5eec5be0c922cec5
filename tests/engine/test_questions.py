"""Every question the engine can put to a person asks one thing: one question mark, at the end."""

from __future__ import annotations

import pytest

from dermcover.engine import library
from dermcover.engine.facts import FACTS


def _every_question() -> list[tuple[str, str]]:
    asks = [(f"fact {name}", fact.ask) for name, fact in FACTS.items()]
    for pack in library().packs.values():
        for criterion_id, criterion in pack.spec.criteria.items():
            if criterion.ask:
                asks.append((criterion_id, criterion.ask))
    return asks


@pytest.mark.parametrize(("where", "ask"), _every_question())
def test_a_question_asks_one_thing(where: str, ask: str) -> None:
    assert ask.count("?") == 1, f"{where}: {ask!r} asks more than one thing"
