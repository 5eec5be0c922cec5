"""Finding ICD-10-CM codes from plain words: "burn scar left hand" -> T23.002S and its kin.

A small token index over the official descriptions and inclusion terms, built once on first use
(about two seconds, most of it loading the tables) and kept for the life of the process; after
that a query takes milliseconds.

Ranking, in order of weight:

- how much of the query a code matches, each word weighted by its rarity in the tables (so
  "keratosis" counts for more than "left"), a word found only in an inclusion term counting a
  little less than one in the description, and a synonym a little less than the word itself;
- billable codes above headers at an equal match (a header cannot go on a claim);
- shorter descriptions above longer ones: "Actinic keratosis" beats a description that merely
  mentions both words among many others;
- at a near-equal match, the skin chapter (L00-L99) a little above the rest, since that is where
  most of this domain's diagnoses live ("hair loss": alopecia areata before syphilitic alopecia).

Patients and clinics do not speak the tables' language, so the query passes through two small
vocabularies first: `PHRASES` rewrites lay or clinical phrases into the tables' wording
("melasma" -> "chloasma", "stretch marks" -> "striae"), and `SYNONYMS` lets one word also match
others ("scar" also matches "sequela", which is how ICD-10-CM names a burn scar). A query that
looks like a code ("L57", "t23302") lists that code and the codes under it.
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import marshal
import math
import os
import re
import sys
import tempfile
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from dermcover.codes import icd10


class NoWords(ValueError):
    """A query with nothing to search for once stop words and punctuation are set aside."""


@dataclass(frozen=True, slots=True)
class IcdMatch:
    """One search hit. `score` runs from 0 to 1 and only orders the hits of one query."""

    code: str
    description: str
    billable: bool
    score: float


PHRASES: dict[str, str] = {
    # ICD-10-CM has no acne-scar code: the scar is coded L90.5 (with the acne code beside it).
    "acne scars": "acne scar conditions fibrosis skin",
    "acne scar": "acne scar conditions fibrosis skin",
    "acne scarring": "acne scar conditions fibrosis skin",
    "melasma": "chloasma",
    "stretch marks": "striae",
    "stretch mark": "striae",
    "hair loss": "alopecia",
    "balding": "alopecia",
    "port wine stain": "portwine nevus",
    "port-wine stain": "portwine nevus",
    "port wine": "portwine",
    "photoaging": "chronic exposure nonionizing radiation",
    "photodamage": "chronic exposure nonionizing radiation",
    "sun damage": "chronic exposure nonionizing radiation",
    "sun damaged skin": "chronic exposure nonionizing radiation",
    "age spots": "lentigo",
    "age spot": "lentigo",
    "sun spots": "lentigo",
    "sunspots": "lentigo",
    "liver spots": "lentigo",
    "lentigines": "lentigo",
    "spider veins": "telangiectasia",
    "broken capillaries": "telangiectasia",
    "post inflammatory": "postinflammatory",
    "post-inflammatory": "postinflammatory",
    "pih": "postinflammatory hyperpigmentation",
    "bcc": "basal cell carcinoma",
    "ak": "actinic keratosis",
    "aks": "actinic keratosis",
}

SYNONYMS: dict[str, tuple[str, ...]] = {
    "scar": ("sequela", "cicatrix"),
    "wart": ("verruca",),
    "diabetic": ("diabetes",),
    "hive": ("urticaria",),
}

_STOPWORDS = frozenset(
    {"a", "an", "and", "at", "by", "due", "for", "in", "of", "on", "or", "the", "to", "with"}
)
_WORD = re.compile(r"[a-z0-9]+")
_CODE_SHAPE = re.compile(r"^[A-Z]\d[0-9A-Z](\.?[0-9A-Z]{1,4})?$")

_INCLUSION_WEIGHT = 0.8
_SYNONYM_WEIGHT = 0.9
_HEADER_FACTOR = 0.9
_EXTRA_WORD_PENALTY = 0.03
_SKIN_CHAPTER, _SKIN_FACTOR = "L", 1.05
_SAVED_PREFIX = "icd10-search-"


def _stem(word: str) -> str:
    """A crude singular: enough that "scars", "keratoses" and "burns" find their codes."""
    if len(word) > 5 and word.endswith("oses"):
        return word[:-4] + "osis"
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("ae"):
        return word[:-1]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "is", "us")):
        return word[:-1]
    return word


def _words(text: str) -> list[str]:
    return [_stem(word) for word in _WORD.findall(text.lower()) if word not in _STOPWORDS]


def _rewrite(query: str) -> str:
    text = f" {query.lower()} "
    for phrase in sorted(PHRASES, key=len, reverse=True):
        text = re.sub(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", PHRASES[phrase], text)
    return text


class _Index:
    """Postings per word and the little each code needs for ranking, by its place in the
    tables; codes and descriptions stay in the ICD-10-CM table until a hit is shown (that keeps
    a server process's index to a few megabytes)."""

    def __init__(self) -> None:
        self.size = 0
        self.billable = bytearray()
        self.skin = bytearray()
        self.lengths = array("H")
        self.in_description: dict[str, array[int]] = {}
        self.in_inclusion: dict[str, array[int]] = {}

    @classmethod
    def built(cls, entries: Iterable[icd10.Entry]) -> _Index:
        index = cls()
        index.add(entries)
        return index

    def add(self, entries: Iterable[icd10.Entry]) -> None:
        for entry in entries:
            position = entry.position
            own = set(_words(entry.description))
            included = {w for term in entry.inclusion_terms for w in _words(term)} - own
            self.size = position + 1
            self.billable.append(entry.billable)
            self.skin.append(entry.code.startswith(_SKIN_CHAPTER))
            self.lengths.append(len(own))
            for word in own:
                self.in_description.setdefault(sys.intern(word), array("I")).append(position)
            for word in included:
                self.in_inclusion.setdefault(sys.intern(word), array("I")).append(position)

    def saved(self) -> dict[str, Any]:
        """The index as plain values `marshal` can write."""
        return {
            "size": self.size,
            "billable": bytes(self.billable),
            "skin": bytes(self.skin),
            "lengths": self.lengths.tobytes(),
            "in_description": {w: p.tobytes() for w, p in self.in_description.items()},
            "in_inclusion": {w: p.tobytes() for w, p in self.in_inclusion.items()},
        }

    @classmethod
    def from_saved(cls, saved: dict[str, Any]) -> _Index:
        index = cls()
        index.size = int(saved["size"])
        index.billable = bytearray(saved["billable"])
        index.skin = bytearray(saved["skin"])
        index.lengths.frombytes(saved["lengths"])
        for field, postings in (
            ("in_description", index.in_description),
            ("in_inclusion", index.in_inclusion),
        ):
            for word, blob in saved[field].items():
                postings[sys.intern(word)] = _postings(blob)
        return index

    def found(self, word: str) -> int:
        return len(self.in_description.get(word, ())) + len(self.in_inclusion.get(word, ()))

    def weight(self, word: str) -> float:
        """How much matching `word` is worth: rare words more (a smoothed inverse frequency).

        A word the tables never use is weighed by its rarest synonym instead.
        """
        candidates = [word] if self.found(word) else list(_synonyms(word)) or [word]
        rarest = min(self.found(candidate) for candidate in candidates)
        return math.log((self.size + 1) / (rarest + 1)) + 1.0

    def matches(self, word: str) -> dict[int, float]:
        """Each code the word (or a synonym) matches, with how well it matches (at most 1)."""
        found: dict[int, float] = {}
        alternatives = [(word, 1.0)] + [(other, _SYNONYM_WEIGHT) for other in _synonyms(word)]
        for alternative, weight in alternatives:
            for postings, field_weight in (
                (self.in_description, 1.0),
                (self.in_inclusion, _INCLUSION_WEIGHT),
            ):
                strength = weight * field_weight
                for position in postings.get(alternative, ()):
                    if found.get(position, 0.0) < strength:
                        found[position] = strength
        return found


def _synonyms(word: str) -> tuple[str, ...]:
    return tuple(_stem(other) for other in SYNONYMS.get(word, ()))


def _postings(blob: bytes) -> array[int]:
    postings = array("I")
    postings.frombytes(blob)
    return postings


@cache
def _index() -> _Index:
    """The index, read from the cache folder when this module and the ICD-10-CM release it was
    built from are the ones it was saved by, else built from the table (about a second) and
    saved for the next process."""
    saved = _saved_index()
    try:
        return _Index.from_saved(marshal.loads(saved.read_bytes()))
    except (OSError, EOFError, ValueError, TypeError, KeyError):
        pass
    index = _Index.built(icd10.entries())
    with contextlib.suppress(OSError):
        _save(saved, index)
    return index


def _saved_index() -> Path:
    """Where the index is saved: named by a digest of this module's source (its words, stems
    and stop words make the index) and of the table's stamp, so no stale index is ever read."""
    from dermcover.codes.icd10_table import cache_dir, stamp

    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(repr(sorted(stamp().items())).encode())
    return cache_dir() / f"{_SAVED_PREFIX}{digest.hexdigest()[:16]}.marshal"


def _save(path: Path, index: _Index) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(handle, "wb") as out:
        marshal.dump(index.saved(), out)
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)
    for older in path.parent.glob(f"{_SAVED_PREFIX}*.marshal"):
        if older != path:
            older.unlink(missing_ok=True)


def search_icd10(query: str, limit: int = 10) -> list[IcdMatch]:
    """The ICD-10-CM codes that best match `query`, best first (see the module docstring).

    Raises ValueError when the query has no word to search for or `limit` is below 1.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    compact = query.strip().upper()
    if _CODE_SHAPE.match(compact):
        return _by_code(icd10.normalise(compact), limit)
    words = list(dict.fromkeys(_words(_rewrite(query))))
    if not words:
        raise NoWords(f"the query {query!r} has no words to search for")
    index = _index()
    weights = {word: index.weight(word) for word in words}
    total = sum(weights.values())
    scores: dict[int, float] = {}
    matched: dict[int, int] = {}
    for word in words:
        for position, strength in index.matches(word).items():
            scores[position] = scores.get(position, 0.0) + weights[word] * strength / total
            matched[position] = matched.get(position, 0) + 1

    def ranked(position: int) -> float:
        extra = max(index.lengths[position] - matched[position], 0)
        factor = 1.0 if index.billable[position] else _HEADER_FACTOR
        if index.skin[position]:
            factor *= _SKIN_FACTOR
        return scores[position] * factor / (1.0 + _EXTRA_WORD_PENALTY * extra)

    best = heapq.nsmallest(limit, scores, key=lambda position: (-ranked(position), position))
    return _matches([(position, min(ranked(position), 1.0)) for position in best])


def _by_code(prefix: str, limit: int) -> list[IcdMatch]:
    hits = icd10.with_prefix(prefix)
    hits.sort(key=lambda hit: (hit[1] != prefix, len(hit[1]), hit[0]))
    return _matches([(position, len(prefix) / len(code)) for position, code in hits[:limit]])


def _matches(ranked: list[tuple[int, float]]) -> list[IcdMatch]:
    shown = icd10.at_positions(position for position, _ in ranked)
    return [
        IcdMatch(
            code=shown[position][0],
            description=shown[position][1],
            billable=shown[position][2],
            score=round(score, 4),
        )
        for position, score in ranked
    ]
