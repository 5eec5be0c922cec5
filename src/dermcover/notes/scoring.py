"""Precision and recall of the note reader against hand-labelled facts.

A fact is a field and one value: `("impairment", "itching")`. A field that takes one value
counts once; a list counts each item. A treatment tried is one fact of name, outcome and
months together, so a right name with a wrong duration counts as a miss and a false proposal;
months match within 0.1 (the note reader counts four weeks as a month). What is scored is what
staff get by accepting every proposal the review page ticks (the first candidate for a field
that takes one value).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dermcover.notes.proposals import NoteReading, TreatmentTried

Fact = tuple[str, str]


def _treatment_text(tried: TreatmentTried) -> str:
    months = "-" if tried.months is None else f"{tried.months:g}"
    return f"{tried.name} {tried.outcome or '-'} {months}"


def proposed_facts(reading: NoteReading) -> set[Fact]:
    facts: set[Fact] = set()
    for proposal in reading.accepted_by_default():
        value = proposal.value
        text = _treatment_text(value) if isinstance(value, TreatmentTried) else str(value)
        facts.add((proposal.field, text))
    return facts


def expected_facts(expect: Mapping[str, Any]) -> set[Fact]:
    facts: set[Fact] = set()
    for name, value in expect.items():
        for item in value if isinstance(value, list) else [value]:
            facts.add((name, str(item)))
    return facts


def _same(proposed: Fact, expected: Fact) -> bool:
    if proposed[0] != expected[0]:
        return False
    if proposed[0] != "prior_treatments":
        return proposed[1] == expected[1]
    *name_p, months_p = proposed[1].split()
    *name_e, months_e = expected[1].split()
    if name_p != name_e:
        return False
    if "-" in (months_p, months_e):
        return months_p == months_e
    return abs(float(months_p) - float(months_e)) <= 0.1


@dataclass
class Score:
    true_positive: Counter[str] = field(default_factory=Counter)
    false_positive: Counter[str] = field(default_factory=Counter)
    false_negative: Counter[str] = field(default_factory=Counter)
    misses: list[tuple[str, Fact]] = field(default_factory=list)
    wrong: list[tuple[str, Fact]] = field(default_factory=list)

    def add(self, source: str, proposed: Iterable[Fact], expected: Iterable[Fact]) -> None:
        unmatched = list(expected)
        for fact in proposed:
            hit = next((e for e in unmatched if _same(fact, e)), None)
            if hit is None:
                self.false_positive[fact[0]] += 1
                self.wrong.append((source, fact))
            else:
                unmatched.remove(hit)
                self.true_positive[fact[0]] += 1
        for fact in unmatched:
            self.false_negative[fact[0]] += 1
            self.misses.append((source, fact))

    def fields(self) -> list[str]:
        names = set(self.true_positive) | set(self.false_positive) | set(self.false_negative)
        return sorted(names)

    def precision(self, name: str | None = None) -> float:
        tp, fp = self._sum(self.true_positive, name), self._sum(self.false_positive, name)
        return tp / (tp + fp) if tp + fp else 1.0

    def recall(self, name: str | None = None) -> float:
        tp, fn = self._sum(self.true_positive, name), self._sum(self.false_negative, name)
        return tp / (tp + fn) if tp + fn else 1.0

    @staticmethod
    def _sum(counts: Counter[str], name: str | None) -> int:
        return counts[name] if name is not None else sum(counts.values())
