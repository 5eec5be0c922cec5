"""GET /api/v1/codes/icd10?q=... and /api/v1/codes/procedures?q=...: ICD-10-CM codes and the
CPT/HCPCS table's codes from plain words, best match first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from dermcover.codes.procedure_search import search_procedures
from dermcover.codes.search import search_icd10
from dermcover.web.errors import FieldError

router = APIRouter(tags=["codes"])


class IcdCode(BaseModel):
    code: str
    description: str
    billable: bool
    score: float


class ProcedureCodeHit(BaseModel):
    code: str
    system: str
    summary: str = Field(description="dermcover's own short words, not a code set's descriptor.")
    kinds: list[str] = Field(description="The procedure kinds the code can be billed for.")
    score: float


@router.get("/codes/icd10", summary="Find ICD-10-CM codes from plain words")
def find_icd10(
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


@router.get("/codes/procedures", summary="Find CPT and HCPCS codes from plain words")
def find_procedures(
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            description='Plain words or a code, e.g. "microneedling" or "15788".',
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[ProcedureCodeHit]:
    try:
        matches = search_procedures(q, limit)
    except ValueError as exc:
        raise FieldError(f"query parameter q = {q!r}: {exc}", "q") from None
    return [
        ProcedureCodeHit(
            code=m.code, system=m.system, summary=m.summary, kinds=list(m.kinds), score=m.score
        )
        for m in matches
    ]
