"""GET /api/v1/codes/icd10?q=... and /api/v1/codes/procedures?q=...: ICD-10-CM codes and the
CPT/HCPCS table's codes from plain words, best match first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from dermcover.codes.procedure_search import search_procedures
from dermcover.codes.search import NoWords, search_icd10
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
            pattern=r"\S",
            description='Plain words or a code, e.g. "burn scar left hand" or "L57".',
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[IcdCode]:
    _not_blank(q, "actinic keratosis")
    try:
        matches = search_icd10(q, limit)
    except NoWords:
        return []  # only stop words or punctuation: nothing matches, which is an answer
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
            pattern=r"\S",
            description='Plain words or a code, e.g. "microneedling" or "15788".',
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[ProcedureCodeHit]:
    _not_blank(q, "microneedling")
    try:
        matches = search_procedures(q, limit)
    except NoWords:
        return []
    return [
        ProcedureCodeHit(
            code=m.code, system=m.system, summary=m.summary, kinds=list(m.kinds), score=m.score
        )
        for m in matches
    ]


def _not_blank(q: str, example: str) -> None:
    if not q.strip():
        raise FieldError(
            f'query parameter q: the search is empty; give a few words, e.g. "{example}"', "q"
        )
