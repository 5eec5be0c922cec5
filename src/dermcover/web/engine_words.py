"""The engine's sentences as a patient reads them: its reasons, next steps and the spread of
answers, in the page's language.

The engine answers in English, and its API, CLI and citations stay so. The patient pages look
each sentence up in the catalogue instead: a sentence the engine makes from a template
(`engine.decide.REASONS`, `engine.next_steps.STEPS`) is matched to it, the template translated
and its values put back, each translated in turn (a policy's criterion, the kind of a missing
record); a policy pack's own reason is a message whole. A sentence the catalogue does not have
stays in English, and the page says so (`Shown.english_left`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from dermcover.determination import Determination
from dermcover.engine.decide import PLAIN, REASONS
from dermcover.engine.next_steps import STEPS
from dermcover.engine.spread import Spread, summary
from dermcover.i18n import has_translation, translate, translate_made
from dermcover.web.labels import label


@dataclass
class Shown:
    """What the result page prints, in its language."""

    language: str
    english_left: bool = False
    reasons: list[list[str]] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)
    spread_summary: str = ""
    spread_reasons: dict[tuple[str, int], str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    why: dict[str, str] = field(default_factory=dict)
    policy_title: str = ""

    def _kept(self, english: str, translated: str | None) -> str:
        if translated is None:
            self.english_left = True
            return english
        return translated

    def _word(self, text: str) -> str:
        if not has_translation(self.language, text):
            self.english_left = True
        return translate(self.language, text)

    def _value(self, name: str, value: str) -> str:
        """One value put back into a translated sentence."""
        if name == "outcomes":
            joined = translate(self.language, " or ")
            return joined.join(self._word(part) for part in value.split(" or "))
        if name == "criterion":
            return self._word(value)
        if name == "items":
            parts = [label(item.replace(" ", "_")) for item in value.split(", ")]
            words = [self._word(part) for part in parts]
            return ", ".join(word[:1].lower() + word[1:] for word in words)
        if name == "payer":  # a payer's name, or the framework's "your health plan"
            return translate(self.language, value)
        return value  # a count

    def title(self, english: str) -> str:
        """A pack's title in the page's language, the English one after it in parentheses:
        it names the payer's documents, which a patient may look for or ask about."""
        if self.language == "en":
            return english
        translated = self._word(english)
        return translated if translated == english else f"{translated} ({english})"

    def reason(self, text: str) -> str:
        return self._kept(text, translate_made(self.language, text, REASONS, self._value))

    def step(self, text: str) -> str:
        return self._kept(text, translate_made(self.language, text, STEPS, self._value))


def shown(determination: Determination, spread: Spread | None, language: str) -> Shown:
    """The determination's (and the spread's) sentences for a page in `language`."""
    page = Shown(language)
    page.policy_title = page.title(determination.policy.title)
    page.reasons = [[page.reason(text) for text in line.reasons] for line in determination.lines]
    page.next_steps = [page.step(text) for text in determination.next_steps]
    page.notes = [page.reason(text) for text in determination.notes]
    page.why = {
        check.item.value: page.reason(check.why)
        for check in determination.documentation
        if check.why
    }
    if spread is not None:
        page.spread_summary = summary(spread.groups, spread.plans, partial(page._word))
        for group in spread.groups:
            for answer in group.answers:
                for number, text in enumerate(answer.reasons):
                    page.spread_reasons[(answer.policy, number)] = page.reason(text)
    return page


# For the catalogue: the words the engine's sentences are made of (see web.i18n_extract).
MESSAGES = (*REASONS, *STEPS, *PLAIN.values(), " or ")
