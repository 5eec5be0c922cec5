"""Plan documents: one employer's or one product's own exclusions, decided before the policy.

A payer's medical policy says what is medically necessary; the member's plan document (the
certificate of coverage or summary plan description) can still exclude it, and differs per
employer plan. A plan document is a folder `plans/<id>/` with `plan.yaml`: its sources, named
criteria and exclusion rules in the pack format, and the policy pack it sits over. A case names
one with `payer.plan`; its rules are weighed before every rule of the pack.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dermcover.case import Impairment
from dermcover.engine.library import load_folder
from dermcover.engine.pack import (
    CitationSpec,
    CriterionSpec,
    OtherwiseSpec,
    Pack,
    PackSpec,
    RuleSpec,
    SourceSpec,
    Stage,
    compile_pack,
)
from dermcover.inputs import InputError

PLANS_ENV = "DERMCOVER_PLANS"


class PlanSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str
    payer: str
    policy: str = Field(description="The policy pack this plan's members are decided under.")
    patient_label: str | None = Field(
        default=None,
        description="How a member would know the plan, in plain words, completing the patient's "
        'choice "My employer plan is ..."; absent: the title.',
    )
    reviewed: dt.date
    summary: str
    sources: list[SourceSpec] = Field(min_length=1)
    functional_impairments: list[Impairment] | None = None
    criteria: dict[str, CriterionSpec] = Field(default_factory=dict)
    rules: list[RuleSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _only_exclusions(self) -> PlanSpec:
        for rule in self.rules:
            if rule.stage is not Stage.exclusion or rule.outcome == "covered":
                raise ValueError(
                    f"rule {rule.id}: a plan document holds exclusions only "
                    "(stage exclusion, an outcome that is not covered)"
                )
        return self


@dataclass(frozen=True)
class Plan:
    """A compiled plan document: its rules and criteria, in the form a pack's are."""

    spec: PlanSpec
    compiled: Pack

    @property
    def id(self) -> str:
        return self.spec.id


def compile_plan(spec: PlanSpec) -> Plan:
    """Check a plan document with the pack checks (citations, ids, trees, references)."""
    as_pack = PackSpec(
        id=spec.id,
        title=spec.title,
        payer=spec.payer,
        reviewed=spec.reviewed,
        summary=spec.summary,
        sources=spec.sources,
        functional_impairments=spec.functional_impairments,
        criteria=spec.criteria,
        rules=spec.rules,
        otherwise=OtherwiseSpec(
            outcome="not_covered_not_medically_necessary",
            text="(a plan document has no otherwise: the policy pack decides)",
            citation=CitationSpec(source=spec.sources[0].id, section="-"),
            reason="-",
        ),
    )
    return Plan(spec, compile_pack(as_pack))


_COMBINED: dict[tuple[int, int], tuple[Pack, Plan, Pack]] = {}


def with_plan(pack: Pack, plan: Plan) -> Pack:
    """The pack as a member of `plan` meets it: the plan's exclusions first, then the pack."""
    key = (id(pack), id(plan))
    known = _COMBINED.get(key)
    if known is not None and known[0] is pack and known[1] is plan:
        return known[2]
    combined = pack.model_copy(
        update={
            "criteria": {**plan.compiled.criteria, **pack.criteria},
            "trees": {**plan.compiled.trees, **pack.trees},
            "rules": (*plan.compiled.rules, *pack.rules),
        }
    )
    _COMBINED[key] = (pack, plan, combined)
    return combined


def load_plan(folder: Path) -> Plan:
    """Load and check one plan document; a problem is an InputError naming file and line."""
    return load_folder(folder, "plan.yaml", PlanSpec, compile_plan)


@dataclass(frozen=True)
class PlanLibrary:
    """Every plan document in a folder, by id."""

    folder: Path
    plans: dict[str, Plan]

    def get(self, plan_id: str) -> Plan:
        plan = self.plans.get(plan_id)
        if plan is None:
            known = ", ".join(sorted(self.plans)) or "none"
            raise InputError(f"payer.plan: unknown plan {plan_id!r}; available: {known}")
        return plan


def plans_dir() -> Path:
    """Where the plan documents live: $DERMCOVER_PLANS, else the project's `plans/` folder."""
    configured = os.environ.get(PLANS_ENV)
    return Path(configured) if configured else Path(__file__).resolve().parents[3] / "plans"


@cache
def _load_plans(folder: Path) -> PlanLibrary:
    if not folder.is_dir():
        return PlanLibrary(folder, {})
    plans = {
        plan_folder.name: load_plan(plan_folder)
        for plan_folder in sorted(folder.iterdir())
        if (plan_folder / "plan.yaml").is_file()
    }
    return PlanLibrary(folder, plans)


def plan_library(folder: Path | None = None) -> PlanLibrary:
    """The plan documents in `folder` (default: `plans_dir()`), loaded once per process."""
    return _load_plans((folder or plans_dir()).resolve())
