"""Why a paper cannot be written yet, or the costs cannot be worked out, as a patient reads it,
in the page's language.

The documents and the estimate give their reasons in English and in the case file's terms
(`provider.npi is missing`), and the API and CLI keep them so. On a patient page in another
language each reason is matched to the template it was made from (the documents' `REFUSALS`, the
cost form's `MESSAGES`), translated, and its values put back: a missing case field by the name of
the form field the patient fills in, a kind of plan by its label. A reason the catalogue does not
have (a code check's message, a typed value the case refuses) stays in English, and the page says
so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dermcover.documents import clinical, gfe, lmn, parties
from dermcover.estimate import PRICE_PROBLEMS
from dermcover.i18n import has_translation, translate, translate_made
from dermcover.web import costs, questions
from dermcover.web.labels import label

# The most general last: the first template a reason matches is the one used.
TEMPLATES = (
    *gfe.REFUSALS,
    *clinical.REFUSALS,
    lmn.NO_INTERVAL,
    parties.MISSING,
    *questions.MESSAGES,
    *costs.MESSAGES,
)

# A case field a paper needs -> the label of the field the patient fills in for it
# (templates/patient/_papers.html).
FORM_LABELS = {
    "patient.name": "Full name",
    "patient.birth_date": "Date of birth",
    "provider.name": "Clinician's name",
    "provider.credentials": "Credentials",
    "provider.npi": "NPI",
    "provider.tin": "Tax ID (TIN)",
    "provider.address": "Address",
    "provider.state": "State",
}

A_PLAN = "a health plan"

# For the catalogue (web.i18n_extract).
MESSAGES = (*TEMPLATES, *FORM_LABELS.values(), A_PLAN, *costs.FORM_LABELS.values(), *PRICE_PROBLEMS)


@dataclass
class Refusal:
    """The reasons as the page prints them; `english_left` when any stays in English."""

    reasons: list[str] = field(default_factory=list)
    english_left: bool = False


def refusal_shown(reasons: list[str], language: str) -> Refusal:
    """The reasons (or a form's one error) in `language`, as far as the catalogue has them."""
    shown = Refusal()

    def value(name: str, english: str) -> str:
        if name == "path":
            return translate(language, FORM_LABELS.get(english, english))
        if name == "coverage":  # a kind of plan, or "health" when the plan's kind is not known
            word = A_PLAN if english == "health" else label(english.replace(" ", "_"))
            if not has_translation(language, word):
                shown.english_left = True
            return translate(language, word)
        # A cost form's field, why the prices fall short, the kind of number an answer needs.
        if name in ("field", "problem", "kind"):
            if not has_translation(language, english):
                shown.english_left = True
            return translate(language, english)
        if name == "message":  # a code check's own sentence, English in every language
            shown.english_left = shown.english_left or language != "en"
        return english  # a count, a code or what was typed

    for reason in reasons:
        if not reason:
            continue
        translated = translate_made(language, reason, TEMPLATES, value)
        if translated is None:
            shown.english_left = True
        shown.reasons.append(reason if translated is None else translated)
    return shown
