"""The patient's pages: "Will my insurance cover it?", asked one question at a time.

GET / starts; every later step is a POST to /check carrying the answers so far in the page, so
nothing about the person is kept on the server (see `web.flow`). The result page shows the
verdict per procedure and why, what to do next, and (once the person gives prices) a chart of
what they would pay under each scenario and way of paying.
"""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from dermcover.case import PlanType, ProcedureKind
from dermcover.engine import library
from dermcover.engine.library import DEFAULT_POLICY
from dermcover.engine.spread import ALL_POLICIES, decide_spread
from dermcover.estimate import Estimate
from dermcover.i18n import N_
from dermcover.inputs import MAX_INPUT_BYTES, InputError
from dermcover.money.estimator import build_estimate
from dermcover.web.answers import SavedAnswers, answers_text, read_answers, typed_values
from dermcover.web.costs import FIELDS, estimate_request
from dermcover.web.deps import verify_csrf
from dermcover.web.documents import (
    PHRASES,
    TITLES,
    DocumentFormat,
    DocumentInputs,
    DocumentKind,
    Refused,
    written,
)
from dermcover.web.engine_words import shown
from dermcover.web.errors import FieldError
from dermcover.web.flow import NOT_SURE, CheckState, Step, answers, next_step, widget_of
from dermcover.web.heavy import heavy_work
from dermcover.web.i18n import language_of
from dermcover.web.labels import label
from dermcover.web.papers import (
    PAPER_FIELDS,
    case_for_paper,
    paper_schedule,
    papers_that_apply,
)
from dermcover.web.questions import AnswerError, answer_value
from dermcover.web.refusal_words import refusal_shown
from dermcover.web.templating import templates

router = APIRouter(dependencies=[Depends(verify_csrf)])

StateField = Annotated[str, Form()]
EXTRA = ("diagnoses", "scheduled_on", "first_session", "every_weeks")


def _start_page(request: Request, error: str | None = None, status: int = 200) -> Response:
    packs = sorted(library().packs.values(), key=lambda pack: pack.id != DEFAULT_POLICY)
    said = refusal_shown([error] if error else [], language_of(request))
    return templates.TemplateResponse(
        request,
        "patient/start.html",
        {
            "procedures": [(kind.value, label(kind.value)) for kind in ProcedureKind],
            "insurers": [
                (ALL_POLICIES, NOT_SURE)
                if pack.id == DEFAULT_POLICY
                else (pack.id, pack.spec.payer)
                for pack in packs
            ],
            "error": said.reasons[0] if said.reasons else None,
            "error_in_english": said.english_left,
        },
        status_code=status,
    )


def _insurer(policy_id: str, payer: str) -> tuple[str, str]:
    """The framework stands for "not sure", which decides under every payer's pack."""
    return (ALL_POLICIES, NOT_SURE) if policy_id == DEFAULT_POLICY else (policy_id, payer)


@router.get("/")
async def start(request: Request) -> Response:
    return _start_page(request)


@router.get("/check")
@router.get("/check/costs")
@router.get("/check/papers")
@router.get("/check/save")
async def check_restart() -> Response:
    """A reload or a bookmark of a step: the answers travel in the form, not the address, so
    start again rather than answer 405."""
    return RedirectResponse("/", status_code=303)


def render_step(
    request: Request,
    state: CheckState,
    step: Step,
    *,
    error: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    plan_type = step.case.payer.plan_type if step.case.payer else None
    context = {
        "papers": papers_that_apply(step.determination, plan_type is not PlanType.self_pay),
        "titles": TITLES,
        "phrases": PHRASES,
        "paper_fields": PAPER_FIELDS,
        "state": state.to_form(),
        "step": step,
        "answers": answers(state),
        "skipped": [q for q in step.open_questions if q.field in state.skipped],
        **(extra or {}),
    }
    said = refusal_shown([error] if error else [], language_of(request))
    context["error"] = said.reasons[0] if said.reasons else None
    context["error_in_english"] = said.english_left
    if step.question is None and state.all_plans:
        context["spread"] = decide_spread(step.case)
    if step.question is None:
        context["shown"] = shown(step.determination, context.get("spread"), language_of(request))
    page = "patient/question.html" if step.question is not None else "patient/result.html"
    refused = extra is not None and extra.get("refused")
    status = 422 if error or refused else 200
    return templates.TemplateResponse(request, page, context, status_code=status)


@router.post("/check")
async def check(request: Request) -> Response:
    """One step of the check: start it, answer or pass over a question, or change an answer."""
    form = await request.form()
    action = str(form.get("action") or "")
    if action == "start":
        try:
            state = CheckState.start(
                [str(kind) for kind in form.getlist("procedure")], str(form.get("policy") or "")
            )
            return render_step(request, state, next_step(state))
        except AnswerError as exc:
            return _start_page(request, str(exc), 422)
    state = CheckState.from_form(str(form.get("state") or ""))
    step = next_step(state)
    field = str(form.get("field") or "")
    error = None
    asked = next((q for q in step.open_questions if q.field == field), None)
    if action == "answer" and asked is not None:
        widget = widget_of(asked, step.case)
        try:
            state.answer(widget, answer_value(widget, form))
        except AnswerError as exc:
            error = str(exc)
    elif action == "skip" and asked is not None:
        state.skip(field)
    elif action == "change":
        state.reopen(field)
    return render_step(request, state, next_step(state), error=error)


@router.post("/check/costs")
async def costs(request: Request, state: StateField) -> Response:
    """The result again, with what each way of getting and paying for the care would cost."""
    form = await request.form()
    check_state = CheckState.from_form(state)
    step = next_step(check_state)
    typed = {name: str(form.get(name) or "") for name in FIELDS}
    try:
        estimate = build_estimate(estimate_request(step.case, form), step.determination)
    except AnswerError as exc:
        return render_step(
            request, check_state, step, error=str(exc), extra={"typed": typed, "cost_error": True}
        )
    return render_step(request, check_state, step, extra={"typed": typed, "estimate": estimate})


@router.post("/check/save")
async def save_answers(request: Request, state: StateField) -> Response:
    """Every answer and number given, as a file downloaded to the patient's device; the
    server keeps none of it (see `web.answers`)."""
    form = await request.form()
    check_state = CheckState.from_form(state)
    check_state.checked_case()
    typed = typed_values(form)
    try:
        case = case_for_paper(check_state.case, typed)
    except AnswerError as exc:
        step = next_step(check_state)
        return render_step(request, check_state, step, error=str(exc), extra={"typed": typed})
    saved = SavedAnswers(
        case=case,
        costs=typed,
        answered=check_state.answered,
        skipped=check_state.skipped,
        all_plans=check_state.all_plans,
    )
    return Response(
        answers_text(saved),
        media_type="application/yaml",
        headers={"Content-Disposition": 'attachment; filename="my-coverage-check.yaml"'},
    )


@router.post("/check/resume")
async def resume(request: Request) -> Response:
    """Carry on from a saved answers file: the check where it stood, the numbers as typed."""
    form = await request.form()
    upload = form.get("answers")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _start_page(request, N_("Choose the saved answers file to carry on from."), 422)
    raw = await upload.read(MAX_INPUT_BYTES + 1)
    if len(raw) > MAX_INPUT_BYTES:
        message = f"{upload.filename}: larger than {MAX_INPUT_BYTES:,} bytes; is it the right file?"
        return _start_page(request, message, 422)
    try:
        saved = read_answers(raw.decode("utf-8", errors="replace"), upload.filename)
    except InputError as exc:
        return _start_page(request, str(exc), 422)
    check_state = CheckState(
        case=saved.case.model_dump(mode="json", exclude_none=True),
        answered=saved.answered,
        skipped=saved.skipped,
        all_plans=saved.all_plans,
    )
    step = next_step(check_state)
    extra: dict[str, Any] = {"typed": saved.costs, "resumed": True}
    extra["estimate"] = estimate_from_typed(step, saved.costs)
    return render_step(request, check_state, step, extra=extra)


def estimate_from_typed(step: Step, typed: dict[str, str]) -> Estimate | None:
    """The costs worked out again from numbers typed earlier, when the check is at its result
    and they make an estimate (else the form shows them, to be corrected and sent)."""
    if step.question is not None or not typed:
        return None
    with contextlib.suppress(AnswerError):
        return build_estimate(estimate_request(step.case, typed), step.determination)
    return None


@router.post("/check/papers")
async def papers(request: Request, state: StateField) -> Response:
    """A letter of medical necessity or a Good Faith Estimate as a PDF, or the result page
    saying what the paper still needs."""
    form = await request.form()
    check_state = CheckState.from_form(state)
    step = next_step(check_state)
    typed = {name: str(form.get(name) or "") for name in (*FIELDS, *PAPER_FIELDS, *EXTRA)}
    try:
        kind = DocumentKind(str(form.get("kind") or ""))
    except ValueError:
        raise FieldError("kind: pick a paper", "kind") from None
    try:
        case = case_for_paper(check_state.case, form)
        inputs = DocumentInputs(
            schedule=paper_schedule(form, self_pay=bool(form.get("self_pay_requested"))),
            estimate=estimate_request(case, form) if kind is DocumentKind.gfe else None,
        )
        # The estimate is the patient's paper, in the page's language; letters go to the
        # insurer in English (documents.LANGUAGES).
        language = language_of(request)
        return await heavy_work(request).run(
            written, kind, case, inputs, DocumentFormat.pdf, language=language
        )
    except Refused as refusal:
        reasons = refusal.reasons
    except (AnswerError, InputError) as exc:
        reasons = [str(exc)]
    refused = {"title": PHRASES[kind], "shown": refusal_shown(reasons, language_of(request))}
    return render_step(request, check_state, step, extra={"typed": typed, "refused": refused})
