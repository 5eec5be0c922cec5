"""GET /api/v1/policies: the policy packs, with their sources and review dates."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from dermcover.engine import library
from dermcover.engine.pack import Pack

router = APIRouter(tags=["coverage"])


class PolicySource(BaseModel):
    title: str
    date: date | None
    url: str | None
    confidence: str


class PolicySummary(BaseModel):
    id: str
    title: str
    payer: str
    reviewed: date
    summary: str
    sources: list[PolicySource]


def summary_of(pack: Pack) -> PolicySummary:
    spec = pack.spec
    return PolicySummary(
        id=pack.id,
        title=spec.title,
        payer=spec.payer,
        reviewed=spec.reviewed,
        summary=spec.summary,
        sources=[
            PolicySource(title=s.title, date=s.date, url=s.url, confidence=s.confidence)
            for s in spec.sources
        ],
    )


@router.get("/policies", summary="List the policy packs")
async def list_policies() -> list[PolicySummary]:
    return [summary_of(pack) for pack in library().packs.values()]


@router.get("/policies/{policy_id}", summary="One policy pack")
async def get_policy(policy_id: str) -> PolicySummary:
    pack = library().packs.get(policy_id)
    if pack is None:
        raise HTTPException(
            404, f"no policy {policy_id!r}; available: {', '.join(library().packs)}"
        )
    return summary_of(pack)
