"""Finding CPT and HCPCS codes from plain words: "microneedling" -> 17999, "peel face" -> 15788.

The table is small (codes/procedures.py), so a search scores every entry. An entry is found by
the words of its own summary, its code, and the procedure kinds it can be billed for, each kind
spelt as words ("fractional ablative laser"). A kind with no code of its own (microneedling,
microdermabrasion, pico lasers) is billed with an unlisted code, so the unlisted codes are found
by those kinds too: a search for "microneedling" lists 17999 rather than nothing, which is how
clinics bill it (the payer research, section 2: "Microneedling has no CPT code").

Ranking: the share of the query's words an entry matches (a word in the summary or a kind counts
fully, a prefix of one counts half, so "micro" finds microneedling while it is being typed), then
entries whose kinds match outright above unlisted ones, then the table's order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from dermcover.case import ProcedureKind
from dermcover.codes.procedures import PROCEDURE_CODES, ProcedureCode
from dermcover.codes.search import NoWords

_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset({"a", "an", "and", "for", "of", "on", "or", "the", "to", "with"})
_PREFIX_WEIGHT = 0.5
_UNLISTED_FACTOR = 0.9


@dataclass(frozen=True, slots=True)
class ProcedureMatch:
    code: str
    system: str
    summary: str
    kinds: tuple[str, ...]
    score: float


def _words(text: str) -> list[str]:
    found = []
    for word in _WORD.findall(text.lower()):
        if word in _STOPWORDS:
            continue
        found.append(word[:-1] if len(word) > 3 and word.endswith("s") else word)
    return found


def _kinds_without_code() -> tuple[ProcedureKind, ...]:
    billed = {kind for entry in PROCEDURE_CODES.values() for kind in entry.kinds or ()}
    return tuple(kind for kind in ProcedureKind if kind.value not in billed)


@cache
def _vocabulary() -> dict[str, tuple[frozenset[str], tuple[str, ...]]]:
    """code -> (its searchable words, the kinds it is found by)."""
    orphans = tuple(kind.value for kind in _kinds_without_code())
    vocabulary = {}
    for code, entry in PROCEDURE_CODES.items():
        kinds = tuple(sorted(entry.kinds)) if entry.kinds is not None else orphans
        words = {*_words(entry.summary), code.lower()}
        for kind in kinds:
            words.update(_words(kind.replace("_", " ")))
            words.add(kind.replace("_", ""))
        vocabulary[code] = (frozenset(words), kinds)
    return vocabulary


def _strength(word: str, words: frozenset[str]) -> float:
    if word in words:
        return 1.0
    if len(word) >= 3 and any(candidate.startswith(word) for candidate in words):
        return _PREFIX_WEIGHT
    return 0.0


def search_procedures(query: str, limit: int = 10) -> list[ProcedureMatch]:
    """The table's codes that best match `query`, best first.

    Raises ValueError when the query has no word to search for or `limit` is below 1.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    compact = query.strip().upper()
    if compact in PROCEDURE_CODES:
        return [_match(PROCEDURE_CODES[compact], 1.0)]
    words = list(dict.fromkeys(_words(query)))
    if not words:
        raise NoWords(f"the query {query!r} has no words to search for")
    scored: list[tuple[float, int, ProcedureCode]] = []
    for order, (code, (vocabulary, _)) in enumerate(_vocabulary().items()):
        entry = PROCEDURE_CODES[code]
        score = sum(_strength(word, vocabulary) for word in words) / len(words)
        if code.lower().startswith(query.strip().lower()):
            score = max(score, 0.75)
        if score == 0:
            continue
        if entry.unlisted:
            score *= _UNLISTED_FACTOR
        scored.append((score, order, entry))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [_match(entry, score) for score, _, entry in scored[:limit]]


def _match(entry: ProcedureCode, score: float) -> ProcedureMatch:
    kinds = _vocabulary()[entry.code][1]
    return ProcedureMatch(
        code=entry.code,
        system=entry.system,
        summary=entry.summary,
        kinds=kinds,
        score=round(score, 4),
    )
