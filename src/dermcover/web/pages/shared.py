"""A result the patient shares by link: kept only when they ask, under an unguessable token in
the address (no patient data in it), shown to whoever has the link until it expires or the
patient deletes it. Names and identifiers are taken out before anything is kept."""

from __future__ import annotations

import copy
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from dermcover.store.shared_checks import SHARE_DAYS
from dermcover.web.answers import typed_values
from dermcover.web.deps import RecordsDep, verify_csrf
from dermcover.web.flow import CheckState, next_step
from dermcover.web.pages.patient import estimate_from_typed, render_step
from dermcover.web.papers import PAPER_FIELDS
from dermcover.web.templating import templates

router = APIRouter(dependencies=[Depends(verify_csrf)])

# What identifies a person or a clinic: never kept with a shared result.
_IDENTIFYING_PARTS = {"patient": ("name", "birth_date"), "payer": ("member_id", "plan_name")}


def without_identity(state: CheckState) -> dict[str, Any]:
    case = copy.deepcopy(state.case)
    for part, fields in _IDENTIFYING_PARTS.items():
        block = case.get(part)
        if isinstance(block, dict):
            for name in fields:
                block.pop(name, None)
    case.pop("provider", None)
    case.pop("id", None)
    kept = CheckState(case, state.answered, state.skipped, state.all_plans)
    kept.checked_case()
    return {
        "case": kept.case,
        "answered": kept.answered,
        "skipped": kept.skipped,
        "all_plans": kept.all_plans,
    }


@router.post("/check/share")
async def share(request: Request, store: RecordsDep, state: Annotated[str, Form()]) -> Response:
    form = await request.form()
    check_state = CheckState.from_form(state)
    costs = {k: v for k, v in typed_values(form).items() if k not in PAPER_FIELDS}
    token = store.shared.share(without_identity(check_state), costs)
    return RedirectResponse(f"/r/{token}", status_code=303)


@router.get("/r/{token}")
def shared_result(request: Request, token: str, store: RecordsDep) -> Response:
    found = store.shared.get(token)
    if found is None:
        return templates.TemplateResponse(
            request,
            "error.html",
            {"status": 404, "detail": "This link has expired or was deleted."},
            status_code=404,
        )
    state = CheckState.from_form_data(found.state)
    step = next_step(state)
    extra: dict[str, Any] = {
        "typed": found.costs,
        "shared": {"token": token, "expires_at": found.expires_at, "days": SHARE_DAYS},
    }
    extra["estimate"] = estimate_from_typed(step, found.costs)
    return render_step(request, state, step, extra=extra)


@router.post("/r/{token}/delete")
def forget(token: str, store: RecordsDep) -> Response:
    store.shared.forget(token)
    return RedirectResponse("/", status_code=303)
