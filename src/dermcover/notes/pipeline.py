"""The medspaCy pipeline that reads a note: sentences (PyRuSH), the vocabulary's phrases (the
target matcher) and ConText (negation, hypothetical, family and historical mentions).

Everything is rule-based and ships with the packages: `medspacy.load()` with no model name
builds a blank English tokenizer and loads no statistical model, so nothing is downloaded when
a note is read. spaCy is heavy to import, so it is imported the first time a note is read, not
when this module is.

The sentencizer logs every token it sees at DEBUG level through loguru; a note is patient data,
so that logging is switched off before the pipeline is built.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from dermcover.notes.vocabulary import terms

if TYPE_CHECKING:
    from spacy.language import Language

LABEL = "TERM"


@cache
def pipeline() -> Language:
    from loguru import logger

    for noisy in ("PyRuSH", "medspacy", "PyFastNER", "quicksectx"):
        logger.disable(noisy)

    import medspacy
    from medspacy.target_matcher import TargetRule

    nlp: Language = medspacy.load()
    phrases = sorted({term.phrase.lower() for term in terms()})
    matcher: Any = nlp.get_pipe("medspacy_target_matcher")
    matcher.add([TargetRule(phrase, LABEL) for phrase in phrases])
    return nlp
