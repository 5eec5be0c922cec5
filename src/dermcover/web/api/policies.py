"""GET /api/v1/policies: the policy packs, with their sources and review dates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path

from dermcover.engine import library
from dermcover.engine.summary import PolicySummary, summary_of

router = APIRouter(tags=["coverage"])


@router.get("/policies", summary="List the policy packs")
async def list_policies() -> list[PolicySummary]:
    return [summary_of(pack) for pack in library().packs.values()]


@router.get("/policies/{policy_id}", summary="One policy pack")
async def get_policy(policy_id: Annotated[str, Path(max_length=64)]) -> PolicySummary:
    pack = library().packs.get(policy_id)
    if pack is None:
        raise HTTPException(
            404, f"no policy {policy_id!r}; available: {', '.join(library().packs)}"
        )
    return summary_of(pack)
