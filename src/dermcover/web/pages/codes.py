"""GET /codes: look a diagnosis code up in plain words, the page the patient's code question
links to. Nothing typed here is kept; the search is the same as the API's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from dermcover.codes.search import search_icd10
from dermcover.web.templating import templates

router = APIRouter()

RESULTS = 15


@router.get("/codes")
def code_lookup(request: Request, q: Annotated[str, Query(max_length=200)] = "") -> Response:
    query = q.strip()
    error = None
    matches = []
    if query:
        try:
            matches = search_icd10(query, RESULTS)
        except ValueError:
            error = f"“{query[:60]}” has no words to search for; try a few words, e.g. acne scars."
    return templates.TemplateResponse(
        request,
        "patient/codes.html",
        {"query": query, "matches": matches, "error": error},
        status_code=422 if error else 200,
    )
