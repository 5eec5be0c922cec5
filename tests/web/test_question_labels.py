"""Every control a question puts on the page has a label of its own, whatever the question's
kind, in both languages: a screen reader names each box, not only the question above them."""

from __future__ import annotations

from html.parser import HTMLParser
from types import SimpleNamespace

import pytest

from dermcover.engine.facts import FACTS
from dermcover.i18n import gettext_for
from dermcover.web.questions import widget_for
from dermcover.web.templating import templates


class Controls(HTMLParser):
    """The form controls of a fragment, each with whether something labels it."""

    def __init__(self) -> None:
        super().__init__()
        self.depth_in_label = 0
        self.controls: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "label":
            self.depth_in_label += 1
        elif tag in ("input", "select", "textarea") and named.get("type") != "hidden":
            labelled = bool(
                self.depth_in_label
                or (named.get("aria-label") or "").strip()
                or named.get("aria-labelledby")
            )
            self.controls.append((named.get("name") or tag, labelled))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.depth_in_label -= 1


# Every case field a question can ask about, with the question's words.
ASKED = {path: fact.ask for fact in FACTS.values() for path in fact.fields_for(0)}


def rendered(field: str, language: str) -> str:
    gettext, ngettext = gettext_for(language)
    widget = widget_for(field, ASKED[field])
    step = SimpleNamespace(question=widget, number=1)
    template = templates.env.get_template("patient/_widget.html")
    return template.render(step=step, lang=language, _=gettext, gettext=gettext, ngettext=ngettext)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("field", sorted(ASKED))
def test_every_control_of_every_question_has_its_own_label(field: str, language: str) -> None:
    parser = Controls()
    parser.feed(rendered(field, language))
    assert parser.controls, f"{field}: the question puts no control on the page"
    unlabelled = [name for name, labelled in parser.controls if not labelled]
    assert unlabelled == [], f"{field}: no label for {unlabelled}"
    assert 'id="question-ask"' in rendered(field, language)  # what aria-labelledby points to
