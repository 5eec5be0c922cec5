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
from dermcover.deadlines import good_faith_estimate as gfe_deadlines
from dermcover.documents import gfe
from dermcover.documents import labels as paper_labels
from dermcover.engine.decide import PLAN_NOT_CHECKED
from dermcover.engine.facts import FACTS
from dermcover.engine.library import DEFAULT_POLICY, library, policies_dir
from dermcover.engine.plans import plan_library, plans_dir
from dermcover.engine.spread import SUMMARY_WORDS
from dermcover.web import engine_words, labels, refusal_words
from dermcover.web.documents import PHRASES, TITLES
from dermcover.web.flow import NOT_SURE, PLAN_ASK, plan_choice
from dermcover.web.questions import TREATMENT_OUTCOMES, TREATMENTS

Message = tuple[int, str, str, list[str]]


def _asks(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("ask", "patient_ask") and isinstance(value, str):
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
    found.extend(fact.patient_ask for fact in FACTS.values() if fact.patient_ask)
    # The Good Faith Estimate's words made from values (see documents.gfe).
    for vocabulary in (case_model.ProcedureKind, case_model.ConditionKind, case_model.Site):
        found.extend(paper_labels.kind(member) for member in vocabulary)
    found.extend([gfe.RIGHT_TO_ESTIMATE, *gfe.INTERVAL_WORDS, *gfe_deadlines.NOTES])
    for pack in sorted(policies_dir().glob("*/policy.yaml")):
        found.extend(_asks(yaml.safe_load(pack.read_text(encoding="utf-8"))))
    for plan_file in sorted(plans_dir().glob("*/plan.yaml")):
        found.extend(_asks(yaml.safe_load(plan_file.read_text(encoding="utf-8"))))
    # What the result page shows of the engine's answer (see web.engine_words).
    found.extend([*engine_words.MESSAGES, *SUMMARY_WORDS, PLAN_NOT_CHECKED])
    found.extend(refusal_words.MESSAGES)  # why a paper cannot be written yet
    found.append(library().get(DEFAULT_POLICY).spec.payer)  # "your health plan", in a next step
    for _, loaded in sorted(library().packs.items()):
        found.append(loaded.spec.title)  # "Under …" on the result page
        for rule in (*loaded.rules, loaded.otherwise):
            found.append(rule.reason)
            if rule.outcome.is_covered and rule.procedures is not None:
                found.append(rule.criterion.text.rstrip("."))
        found.extend(entry.why for entry in loaded.spec.documentation)
    for _, plan in sorted(plan_library().plans.items()):  # a plan's exclusions, weighed first
        found.extend(rule.reason for rule in plan.compiled.rules)
        found.append(plan_choice(plan))  # the patient's choice of plan document
    found.append(PLAN_ASK)
    # Two-letter state codes and other abbreviations stay as they are in every language.
    return list(dict.fromkeys(t for t in found if t and not (t.isupper() and len(t) <= 3)))


def extract_domain(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[Message]:
    """Babel's extractor interface; the file it is pointed at only anchors the messages."""
    for text in domain_messages():
        yield 1, "gettext", text, []
