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

from dermcover.case import Case, PlanType
from dermcover.determination import Determination, Question
from dermcover.engine import determine
from dermcover.engine.plans import Plan, plan_library
from dermcover.engine.spread import ALL_POLICIES
from dermcover.i18n import N_
from dermcover.inputs import describe
from dermcover.web.errors import FieldError
from dermcover.web.questions import (
    NOT_LISTED,
    AnswerError,
    Option,
    Widget,
    get_path,
    set_path,
    widget_for,
)

MAX_PROCEDURES = 3
NOT_SURE = "Not listed, or not sure"
PLAN_FIELD = "payer.plan"
PLAN_ASK = (
    "Which plan are you covered by? An employer's plan can exclude treatments the insurer's "
    "medical policy would cover, so where we hold the plan's own list, we check it too."
)


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
    plan = _plan_question(state, case)
    open_questions = [plan, *determination.questions] if plan else determination.questions
    still_open = [q for q in open_questions if q.field not in state.skipped]
    return Step(
        case=case,
        determination=determination,
        question=widget_of(still_open[0], case) if still_open else None,
        open_questions=open_questions,
        number=len(state.answered) + len(state.skipped) + 1,
    )


def widget_of(question: Question, case: Case) -> Widget:
    """How the patient's page asks `question`: in its plain words where the engine has them."""
    if question.field == PLAN_FIELD:
        options = [Option(plan.id, plan_choice(plan)) for plan in plans_for(case)]
        return Widget(PLAN_FIELD, question.ask, "choice", [*options, Option(NOT_LISTED, NOT_SURE)])
    return widget_for(question.field, question.patient_ask or question.ask)


def plans_for(case: Case) -> list[Plan]:
    """The plan documents held for the case's insurer: its members may be under one of them."""
    policy = case.payer.policy if case.payer is not None else None
    return [plan for plan in plan_library().plans.values() if plan.spec.policy == policy]


def plan_choice(plan: Plan) -> str:
    return f"My employer plan is {plan.spec.patient_label or plan.spec.title}"


def _plan_question(state: CheckState, case: Case) -> Question | None:
    """The plan document is asked first, where the insurer has any: its exclusions come before
    the medical policy. "Not listed, or not sure" is an answer: the medical policy alone decides,
    and the result says the plan's own exclusions were not checked."""
    if PLAN_FIELD in state.answered or PLAN_FIELD in state.skipped:
        return None
    plan_type = case.payer.plan_type if case.payer is not None else None
    if plan_type in (PlanType.medicare, PlanType.self_pay) or not plans_for(case):
        return None
    return Question(field=PLAN_FIELD, ask=PLAN_ASK, fields=[PLAN_FIELD])


def answers(state: CheckState) -> list[tuple[str, Any]]:
    """What the person has told us, in the order they said it, for the summary."""
    return [(path, _said(state, path)) for path in state.answered]


def _said(state: CheckState, path: str) -> Any:
    value = get_path(state.case, path)
    if path == PLAN_FIELD:
        plan = plan_library().plans.get(value) if isinstance(value, str) else None
        return plan_choice(plan) if plan is not None else NOT_SURE
    return value
