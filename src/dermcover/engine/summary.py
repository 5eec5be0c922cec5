"""A policy pack as the catalogue shows it: id, title, payer, review date, summary and sources.

One shape for the API's `/policies` and `dermcover policies --format json`."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from dermcover.engine.pack import Pack


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
