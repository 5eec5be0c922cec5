"""GET /api/v1/codes/icd10?q=...: ICD-10-CM codes from plain words, best match first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from dermcover.codes.search import search_icd10
from dermcover.web.errors import FieldError

router = APIRouter(tags=["codes"])


class IcdCode(BaseModel):
    code: str
    description: str
    billable: bool
    score: float


@router.get("/codes/icd10", summary="Find ICD-10-CM codes from plain words")
async def find_icd10(
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            description='Plain words or a code, e.g. "burn scar left hand" or "L57".',
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[IcdCode]:
    if not q.strip():
        raise FieldError(
            'query parameter q: the search is empty; give a few words, e.g. "actinic keratosis"',
            "q",
        )
    try:
        matches = search_icd10(q, limit)
    except ValueError as exc:
        raise FieldError(f"query parameter q = {q!r}: {exc}", "q") from None
    return [
        IcdCode(code=m.code, description=m.description, billable=m.billable, score=m.score)
        for m in matches
    ]
