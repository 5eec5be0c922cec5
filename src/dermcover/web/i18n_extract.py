"""A Babel extractor for the words the pages show that are not written in a template: the
labels of the case model's values, the field names, the verdicts, the answer choices, and the
questions the engine and the policy packs ask. Registered in babel.cfg; run by
`make translations` (pybabel extract), never by the service."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import IO, Any

import yaml

from dermcover import case as case_model
from dermcover.engine.facts import FACTS
from dermcover.engine.library import policies_dir
from dermcover.web import labels
from dermcover.web.documents import PHRASES, TITLES
from dermcover.web.pages.patient import NOT_SURE
from dermcover.web.questions import TREATMENT_OUTCOMES, TREATMENTS

Message = tuple[int, str, str, list[str]]


def _asks(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "ask" and isinstance(value, str):
                yield value
            else:
                yield from _asks(value)
    elif isinstance(data, list):
        for item in data:
            yield from _asks(item)


def domain_messages() -> list[str]:
    found: list[str] = []
    for name in dir(case_model):
        value = getattr(case_model, name)
        if isinstance(value, type) and issubclass(value, StrEnum) and value is not StrEnum:
            found.extend(labels.label(member) for member in value)
    found.extend(labels.label(name) for name in TREATMENTS)
    found.extend(labels.WORDS.values())
    found.extend(labels.FIELDS.values())
    found.extend(text for _, text in labels.VERDICTS.values())
    found.extend(TREATMENT_OUTCOMES.values())
    found.extend([*TITLES.values(), *PHRASES.values(), NOT_SURE])
    found.extend(fact.ask for fact in FACTS.values())
    for pack in sorted(policies_dir().glob("*/policy.yaml")):
        found.extend(_asks(yaml.safe_load(pack.read_text(encoding="utf-8"))))
    # Two-letter state codes and other abbreviations stay as they are in every language.
    return list(dict.fromkeys(t for t in found if t and not (t.isupper() and len(t) <= 3)))


def extract_domain(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[Message]:
    """Babel's extractor interface; the file it is pointed at only anchors the messages."""
    for text in domain_messages():
        yield 1, "gettext", text, []
