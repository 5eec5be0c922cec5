"""A policy pack as the catalogue shows it: id, title, payer, review date, summary, sources, and
the plan documents whose members it decides.

One shape for the API's `/policies` and `dermcover policies --format json`."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from dermcover.engine.pack import Pack, SourceSpec
from dermcover.engine.plans import Plan, plan_library


class PolicySource(BaseModel):
    title: str
    date: date | None
    url: str | None
    confidence: str


class PlanSummary(BaseModel):
    """A plan document: one employer's or product's own exclusions, weighed before the pack."""

    id: str
    title: str
    reviewed: date
    summary: str
    sources: list[PolicySource]


class PolicySummary(BaseModel):
    id: str
    title: str
    payer: str
    reviewed: date
    summary: str
    sources: list[PolicySource]
    plans: list[PlanSummary] = []


def summary_of(pack: Pack) -> PolicySummary:
    spec = pack.spec
    plans = [plan for plan in plan_library().plans.values() if plan.spec.policy == pack.id]
    return PolicySummary(
        id=pack.id,
        title=spec.title,
        payer=spec.payer,
        reviewed=spec.reviewed,
        summary=spec.summary,
        sources=_sources(spec.sources),
        plans=[_plan_summary(plan) for plan in plans],
    )


def _plan_summary(plan: Plan) -> PlanSummary:
    spec = plan.spec
    return PlanSummary(
        id=spec.id,
        title=spec.title,
        reviewed=spec.reviewed,
        summary=spec.summary,
        sources=_sources(spec.sources),
    )


def _sources(sources: list[SourceSpec]) -> list[PolicySource]:
    return [
        PolicySource(title=s.title, date=s.date, url=s.url, confidence=s.confidence)
        for s in sources
    ]
