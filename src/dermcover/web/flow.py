"""The patient's check, step by step, with nothing kept on the server.

Everything the person has said so far travels in the page itself (a hidden `state` field holding
the case as JSON, plus which questions were answered and which passed over). Each step checks
the whole case again with the contract model and asks the engine what it still needs: so a
tampered or stale page can do no more than a bad API request, and closing the tab forgets it all.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from dermcover.case import Case
from dermcover.determination import Determination, Question
from dermcover.engine import determine
from dermcover.engine.spread import ALL_POLICIES
from dermcover.i18n import N_
from dermcover.inputs import describe
from dermcover.web.errors import FieldError
from dermcover.web.questions import AnswerError, Widget, get_path, set_path, widget_for

MAX_PROCEDURES = 3


@dataclass
class CheckState:
    case: dict[str, Any]
    answered: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    # The person does not know their plan: the result is the spread over every payer's pack.
    all_plans: bool = False

    @classmethod
    def start(cls, procedures: list[str], policy: str | None) -> CheckState:
        kinds = [kind for kind in procedures if kind][:MAX_PROCEDURES]
        if not kinds:
            raise AnswerError(N_("Pick the procedure you are considering."))
        case: dict[str, Any] = {"procedures": [{"kind": kind} for kind in kinds]}
        if policy == ALL_POLICIES:
            return cls(case, all_plans=True)
        if policy:
            case["payer"] = {"policy": policy}
        return cls(case)

    @classmethod
    def from_form(cls, raw: str | None) -> CheckState:
        try:
            return cls.from_form_data(json.loads(raw or ""))
        except ValueError:
            raise FieldError(
                "state: this page is out of date; start the check again", "state"
            ) from None

    @classmethod
    def from_form_data(cls, data: Any) -> CheckState:
        try:
            state = cls(
                case=dict(data["case"]),
                answered=[str(f) for f in data.get("answered", [])],
                skipped=[str(f) for f in data.get("skipped", [])],
                all_plans=bool(data.get("all_plans", False)),
            )
        except (ValueError, KeyError, TypeError):
            raise FieldError(
                "state: this page is out of date; start the check again", "state"
            ) from None
        return state

    def to_form(self) -> str:
        return json.dumps(
            {
                "case": self.case,
                "answered": self.answered,
                "skipped": self.skipped,
                "all_plans": self.all_plans,
            },
            separators=(",", ":"),
        )

    def checked_case(self) -> Case:
        try:
            return Case.model_validate(self.case)
        except ValidationError as exc:
            raise FieldError(describe(exc, Case, "state"), "state") from None

    def answer(self, widget: Widget, value: Any) -> None:
        """Put the answer into the case; if the case model refuses it, say why and undo."""
        before = get_path(self.case, widget.field)
        set_path(self.case, widget.field, value)
        try:
            Case.model_validate(self.case)
        except ValidationError as exc:
            set_path(self.case, widget.field, before)
            raise AnswerError(exc.errors()[0]["msg"].removeprefix("Value error, ")) from None
        self._forget(widget.field)
        self.answered.append(widget.field)

    def skip(self, field_path: str) -> None:
        self._forget(field_path)
        self.skipped.append(field_path)

    def reopen(self, field_path: str) -> None:
        """Take an answer back so the question is asked again."""
        if field_path in self.answered or field_path in self.skipped:
            self._forget(field_path)
            # A path this case does not have holds no answer to take back.
            with contextlib.suppress(AnswerError):
                set_path(self.case, field_path, None)

    def _forget(self, field_path: str) -> None:
        self.answered = [f for f in self.answered if f != field_path]
        self.skipped = [f for f in self.skipped if f != field_path]


@dataclass(frozen=True)
class Step:
    """Where the check stands: the determination so far and the next question, if any."""

    case: Case
    determination: Determination
    question: Widget | None
    open_questions: list[Question]
    number: int


def next_step(state: CheckState) -> Step:
    case = state.checked_case()
    determination = determine(case)
    still_open = [q for q in determination.questions if q.field not in state.skipped]
    question = widget_for(still_open[0].field, still_open[0].ask) if still_open else None
    return Step(
        case=case,
        determination=determination,
        question=question,
        open_questions=determination.questions,
        number=len(state.answered) + len(state.skipped) + 1,
    )


def answers(state: CheckState) -> list[tuple[str, Any]]:
    """What the person has told us, in the order they said it, for the summary."""
    return [(path, get_path(state.case, path)) for path in state.answered]
