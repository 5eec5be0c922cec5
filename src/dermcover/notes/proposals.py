"""From a visit note to proposed case facts, each with the sentence it came from.

The pipeline (notes/pipeline.py) finds the vocabulary's phrases and ConText marks the ones that
are negated ("no pain", "denies itching"), hypothetical, about a relative, or history. What is
proposed, and from what:

- the condition kind, and the ICD-10-CM code its words name where one fits (notes/vocabulary.py),
  plus any valid ICD-10-CM code written in the note itself;
- the number of lesions ("12 actinic keratoses");
- the site of the procedure, preferring a site named beside the condition or the procedure;
- the severity, when a sentence that names the condition grades it;
- documented impairments; pain only where the sentence says painkillers are needed, since that
  is the fact the policies weigh;
- treatments already tried, with how they went and for how long ("tretinoin for 6 months without
  improvement"), when the sentence speaks of them as done, not planned;
- documentation on file, unless the sentence says it is still to be obtained;
- the procedure planned.

Nothing negated, hypothetical or about a relative is proposed; such mentions are returned as set
aside, so staff can see why a word in the note produced nothing. A proposal is a suggestion for
staff to accept or correct: none of this enters a case on its own.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dermcover.case import ConditionKind
from dermcover.codes import icd10
from dermcover.notes.pipeline import pipeline
from dermcover.notes.vocabulary import CONDITION_CODES, Term, terms

if TYPE_CHECKING:
    from spacy.tokens import Span

MAX_NOTE_CHARACTERS = 20_000

SINGLE = (
    "condition.kind",
    "condition.lesion_count",
    "condition.severity",
    "procedures.kind",
    "procedures.site",
)


@dataclass(frozen=True, slots=True)
class Evidence:
    """The sentence a proposal came from, and where in it the words were."""

    sentence: str
    start: int
    end: int

    @property
    def before(self) -> str:
        return self.sentence[: self.start]

    @property
    def words(self) -> str:
        return self.sentence[self.start : self.end]

    @property
    def after(self) -> str:
        return self.sentence[self.end :]


@dataclass(frozen=True, slots=True)
class TreatmentTried:
    name: str
    outcome: str | None
    months: float | None


@dataclass(frozen=True, slots=True)
class Proposal:
    field: str  # the case field: condition.kind, impairment, prior_treatments, ...
    value: str | int | TreatmentTried
    evidence: Evidence
    preferred: bool = True  # False: a second candidate for a field that takes one value


@dataclass(frozen=True, slots=True)
class SetAside:
    words: str
    reason: str
    sentence: str


@dataclass
class NoteReading:
    proposals: list[Proposal] = field(default_factory=list)
    set_aside: list[SetAside] = field(default_factory=list)

    def accepted_by_default(self) -> list[Proposal]:
        return [p for p in self.proposals if p.preferred]


class NoteTooLong(ValueError):
    pass


_NUMBER_WORDS = {
    word: number
    for number, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
_NUMBER = r"(\d{1,3}(?:\.\d)?|" + "|".join(_NUMBER_WORDS) + ")"
_LESION_COUNT = re.compile(
    rf"\b{_NUMBER}\s+(?:[a-z-]+\s+){{0,3}}?(?:lesions|keratoses|aks|warts|hemangiomas|keloids|scars"
    r"|spots|plaques)\b",
    re.IGNORECASE,
)
_LESION_TOTAL = re.compile(rf"\b(?:lesion count|total of)\s*:?\s*{_NUMBER}\b", re.IGNORECASE)
_DURATION = re.compile(
    rf"(?:\bfor|\bx|×|\bover|\bafter)\s*(?:about\s+|approximately\s+|the past\s+)?{_NUMBER}"
    r"[\s-]*(day|week|month|year)s?\b"
    rf"|\b{_NUMBER}[\s-]*(day|week|month|year)s?\s+(?:course|trial)",
    re.IGNORECASE,
)
_MONTHS_PER = {"day": 1 / 30, "week": 1 / 4, "month": 1.0, "year": 12.0}
_OUTCOMES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "not_tolerated",
        re.compile(
            r"could not tolerate|couldn't tolerate|intoleran|not tolerated|"
            r"(stopped|discontinued)\b[^.;]*\b(irritation|side effects|dryness|burning)",
            re.IGNORECASE,
        ),
    ),
    ("contraindicated", re.compile(r"contraindicat|cannot be used|not a candidate", re.I)),
    ("partial", re.compile(r"partial|some improvement|modest improvement|mild improvement", re.I)),
    (
        "failed",
        re.compile(
            r"fail|without (?:\w+ )?(?:improvement|benefit|response)|"
            r"no (?:\w+ )?(?:improvement|benefit|response)|did not (?:respond|improve|help|work)|"
            r"didn't (?:respond|improve|help|work)|ineffective|refractory|persist|despite|recur",
            re.IGNORECASE,
        ),
    ),
    ("success", re.compile(r"\bresolved|\bcleared|good response|worked well", re.I)),
)
_PAST = re.compile(
    r"\b(tried|trial|failed|used|completed|prior|previous(?:ly)?|despite|history of|had|"
    r"has had|was treated|were treated|underwent|s/p|after|treated with|without|no improvement|"
    r"did not|didn't|could not|stopped|discontinued|course of)\b",
    re.IGNORECASE,
)
_FUTURE = re.compile(
    r"\b(will|plan|planned|plans|recommend(?:ed)?|start|begin|consider|schedule[d]?|to obtain|"
    r"to be obtained|pending|request(?:ing|ed)?|propose[d]?|candidate for|would)\b",
    re.IGNORECASE,
)
_ANALGESIC = re.compile(
    r"analgesic|painkiller|pain medication|ibuprofen|acetaminophen|naproxen|nsaid|tramadol|"
    r"opioid|oxycodone|hydrocodone",
    re.IGNORECASE,
)
_PAIN = re.compile(r"\bpain(ful)?\b", re.IGNORECASE)
_MOTION = re.compile(
    r"\b(range of motion|rom|flexion|extension|movement|mobility)\b[^.;]*?"
    r"\b(is |are )?(limited|restricted|reduced|decreased)\b",
    re.IGNORECASE,
)
_CODE = re.compile(r"\b([A-TV-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?)\b")


def _by_phrase() -> dict[str, list[Term]]:
    table: dict[str, list[Term]] = {}
    for term in terms():
        table.setdefault(term.phrase.lower(), []).append(term)
    return table


_TERMS = _by_phrase()


def _number(text: str) -> float:
    lowered = text.lower()
    return float(_NUMBER_WORDS[lowered]) if lowered in _NUMBER_WORDS else float(text)


def _evidence(span: Span) -> Evidence:
    sentence = span.sent
    return Evidence(
        sentence=sentence.text,
        start=span.start_char - sentence.start_char,
        end=span.end_char - sentence.start_char,
    )


def _context_reason(span: Span, category: str) -> str | None:
    if span._.is_negated:
        return "negated"
    if span._.is_family:
        return "about a relative"
    if span._.is_hypothetical:
        return "hypothetical"
    if category == "condition" and span._.is_historical:
        return "history"
    return None


def read_note(text: str) -> NoteReading:
    """The facts a note supports, each with its sentence; see the module docstring."""
    if len(text) > MAX_NOTE_CHARACTERS:
        raise NoteTooLong(
            f"the note is {len(text):,} characters; at most {MAX_NOTE_CHARACTERS:,} are read"
        )
    with warnings.catch_warnings():
        # medspaCy's target matcher keeps an empty token matcher beside its phrase matcher.
        warnings.filterwarnings("ignore", message=r"\[W036\]")
        doc = pipeline()(_unwrapped(text))
    reading = NoteReading()
    found: list[tuple[Span, Term]] = []
    for span in doc.ents:
        for term in _TERMS.get(span.text.lower(), ()):
            found.append((span, term))
    _conditions(found, reading)
    _codes_written(doc.sents, reading)
    _counts(found, reading)
    _sites(found, reading)
    _severity(found, reading)
    _impairments(found, doc.sents, reading)
    _treatments(found, reading)
    _documentation(found, reading)
    _procedures(found, reading)
    return _ordered(reading)


def _unwrapped(text: str) -> str:
    """Lines wrapped inside a paragraph joined again, so that a phrase broken across two lines
    ("fractional\n CO2 laser") is still one phrase; blank lines still part paragraphs."""
    return re.sub(r"[ \t]*\n[ \t]*(?=\S)(?<!\n\n)", " ", text.replace("\r\n", "\n")).strip()


def _propose(
    reading: NoteReading, field_: str, value: str | int | TreatmentTried, evidence: Evidence
) -> None:
    if any(p.field == field_ and p.value == value for p in reading.proposals):
        return
    preferred = field_ not in SINGLE or not any(p.field == field_ for p in reading.proposals)
    if field_ == "prior_treatments" and isinstance(value, TreatmentTried):
        for existing in reading.proposals:
            same = isinstance(existing.value, TreatmentTried) and existing.value.name == value.name
            if same:
                return
    reading.proposals.append(Proposal(field_, value, evidence, preferred))


def _set_aside(reading: NoteReading, span: Span, reason: str) -> None:
    entry = SetAside(span.text, reason, span.sent.text)
    if entry not in reading.set_aside:
        reading.set_aside.append(entry)


def _usable(
    found: Iterable[tuple[Span, Term]], category: str, reading: NoteReading
) -> Iterator[tuple[Span, Term]]:
    for span, term in found:
        if term.category != category:
            continue
        reason = _context_reason(span, category)
        if reason is not None:
            _set_aside(reading, span, reason)
            continue
        yield span, term


def _conditions(found: list[tuple[Span, Term]], reading: NoteReading) -> None:
    for span, term in _usable(found, "condition", reading):
        evidence = _evidence(span)
        _propose(reading, "condition.kind", term.value, evidence)
        code = CONDITION_CODES.get(ConditionKind(term.value))
        if code is not None:
            _propose(reading, "condition.diagnoses", code, evidence)


def _codes_written(sentences: Iterable[Span], reading: NoteReading) -> None:
    for sentence in sentences:
        for match in _CODE.finditer(sentence.text):
            code = icd10.normalise(match[1])
            if icd10.is_valid(code):
                evidence = Evidence(sentence.text, match.start(1), match.end(1))
                _propose(reading, "condition.diagnoses", code, evidence)


def _sentences_with(found: list[tuple[Span, Term]], categories: set[str]) -> set[int]:
    return {span.sent.start for span, term in found if term.category in categories}


def _counts(found: list[tuple[Span, Term]], reading: NoteReading) -> None:
    sentences = {span.sent.start: span.sent for span, _ in found}
    for sentence in sentences.values():
        for pattern in (_LESION_COUNT, _LESION_TOTAL):
            for match in pattern.finditer(sentence.text):
                count = _number(match[1])
                if count.is_integer():
                    evidence = Evidence(sentence.text, match.start(), match.end())
                    _propose(reading, "condition.lesion_count", int(count), evidence)


def _sites(found: list[tuple[Span, Term]], reading: NoteReading) -> None:
    anchored = _sentences_with(found, {"condition", "procedure"})
    sites = list(_usable(found, "site", reading))
    sites.sort(key=lambda pair: (pair[0].sent.start not in anchored, pair[0].start))
    for span, term in sites:
        _propose(reading, "procedures.site", term.value, _evidence(span))


def _severity(found: list[tuple[Span, Term]], reading: NoteReading) -> None:
    anchored = _sentences_with(found, {"condition"})
    for span, term in _usable(found, "severity", reading):
        if span.sent.start in anchored:
            _propose(reading, "condition.severity", term.value, _evidence(span))


def _impairments(
    found: list[tuple[Span, Term]], sentences: Iterable[Span], reading: NoteReading
) -> None:
    for span, term in _usable(found, "impairment", reading):
        if _FUTURE.search(span.sent.text) and "risk" in span.sent.text.lower():
            continue
        _propose(reading, "impairment", term.value, _evidence(span))
    negated = {entry.sentence for entry in reading.set_aside if entry.reason == "negated"}
    for sentence in sentences:
        pain = _PAIN.search(sentence.text)
        if pain and _ANALGESIC.search(sentence.text) and sentence.text not in negated:
            if re.search(r"\b(no|denies|without)\b[^.;]*\bpain", sentence.text, re.I):
                continue
            evidence = Evidence(sentence.text, pain.start(), pain.end())
            _propose(reading, "impairment", "pain_requiring_analgesics", evidence)
        motion = _MOTION.search(sentence.text)
        if motion and sentence.text not in negated:
            evidence = Evidence(sentence.text, motion.start(), motion.end())
            _propose(reading, "impairment", "restricted_range_of_motion", evidence)


def _outcome(text: str) -> str | None:
    for outcome, pattern in _OUTCOMES:
        if pattern.search(text):
            return outcome
    return None


def _months(sentence: str, after: int) -> float | None:
    matches = list(_DURATION.finditer(sentence))
    if not matches:
        return None
    following = [m for m in matches if m.start() >= after]
    match = following[0] if following else matches[-1]
    number, unit = (match[1], match[2]) if match[1] else (match[3], match[4])
    return round(_number(number) * _MONTHS_PER[unit.lower()], 1)


def _window(span: Span, neighbours: list[Span]) -> tuple[str, int]:
    """The part of the sentence that speaks of this treatment: from its own words (or the
    sentence's start, when no treatment is named before it) to the next treatment named.
    Returns the text and where the treatment's own words end in it."""
    sentence = span.sent
    start, end = sentence.start_char, sentence.end_char
    for other in neighbours:
        if other.sent.start != sentence.start or other is span:
            continue
        if other.end_char <= span.start_char:
            start = max(start, span.start_char)
        elif other.start_char >= span.end_char:
            end = min(end, other.start_char)
    text = sentence.doc.text[start:end]
    return text, span.end_char - start


def _treatments(found: list[tuple[Span, Term]], reading: NoteReading) -> None:
    spans = [span for span, term in found if term.category == "treatment"]
    for span, term in found:
        if term.category != "treatment":
            continue
        sentence = span.sent.text
        window, own_end = _window(span, spans)
        outcome = _outcome(window) or _outcome(sentence)
        if span._.is_negated and outcome is None:
            _set_aside(reading, span, "negated")
            continue
        if span._.is_family or (span._.is_hypothetical and outcome is None):
            _set_aside(reading, span, "hypothetical")
            continue
        past = _PAST.search(sentence) or outcome is not None
        if not past:
            if _FUTURE.search(sentence):
                _set_aside(reading, span, "planned, not yet tried")
            continue
        months = _months(window, own_end)
        if months is None and re.search(r"\b(each|both)\b", sentence, re.IGNORECASE):
            months = _months(sentence, span.end_char - span.sent.start_char)
        tried = TreatmentTried(term.value, outcome, months)
        _propose(reading, "prior_treatments", tried, _evidence(span))


def _documentation(found: list[tuple[Span, Term]], reading: NoteReading) -> None:
    for span, term in _usable(found, "documentation", reading):
        if _FUTURE.search(span.sent.text) and not _PAST.search(span.sent.text):
            _set_aside(reading, span, "still to be obtained")
            continue
        _propose(reading, "documentation", term.value, _evidence(span))


def _procedures(found: list[tuple[Span, Term]], reading: NoteReading) -> None:
    tried = {p.evidence.sentence for p in reading.proposals if p.field == "prior_treatments"}
    candidates = list(_usable(found, "procedure", reading))
    candidates.sort(key=lambda pair: (not _FUTURE.search(pair[0].sent.text), pair[0].start))
    for span, term in candidates:
        if span.sent.text in tried and not _FUTURE.search(span.sent.text):
            continue
        _propose(reading, "procedures.kind", term.value, _evidence(span))


_FIELD_ORDER = (
    "procedures.kind",
    "procedures.site",
    "condition.kind",
    "condition.diagnoses",
    "condition.severity",
    "condition.lesion_count",
    "impairment",
    "prior_treatments",
    "documentation",
)


def _ordered(reading: NoteReading) -> NoteReading:
    rank = {name: number for number, name in enumerate(_FIELD_ORDER)}
    reading.proposals.sort(key=lambda p: rank.get(p.field, len(rank)))
    return reading
