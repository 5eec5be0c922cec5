"""Properties over generated cases, for every shipped pack:

- the engine never crashes, and a line is insufficient_information exactly when questions exist;
- turning a known fact into an unknown never changes a met or not_met criterion that does not
  depend on that fact.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from case_strategies import case_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dermcover.case import Case
from dermcover.determination import Outcome, Status
from dermcover.engine import determine, library

TODAY = date(2026, 11, 22)
PACK_IDS = sorted(library().packs)

# Case fields a test may forget: (path as the engine names it, how to remove it from the data).
FORGETTABLE = [
    "condition.kind",
    "condition.diagnoses",
    "condition.cause",
    "condition.severity",
    "condition.lesion_count",
    "condition.months_since_onset",
    "purpose",
    "impairment",
    "prior_treatments",
    "documentation",
    "provider.type",
    "provider.setting",
    "patient.age",
    "payer.plan_type",
    "payer.network",
    "procedures[0].site",
    "procedures[0].depth",
    "procedures[0].device_fda_cleared",
]


def forget(data: dict[str, Any], path: str) -> dict[str, Any]:
    """A copy of the case data with the field at `path` removed (made unknown)."""
    copy: dict[str, Any] = {
        k: ([dict(p) for p in v] if k == "procedures" else dict(v) if isinstance(v, dict) else v)
        for k, v in data.items()
    }
    head, _, leaf = path.rpartition(".")
    if not head:
        copy.pop(leaf, None)
    elif head == "procedures[0]":
        copy["procedures"][0].pop(leaf, None)
    elif isinstance(copy.get(head), dict):
        copy[head].pop(leaf, None)
    return copy


def depends_on(pack_id: str, criterion_id: str, line: int, path: str) -> bool:
    pack = library().get(pack_id)
    criterion = pack.criteria.get(criterion_id)
    if criterion is None:
        rules = [*pack.rules, pack.otherwise]
        criterion = next(rule.criterion for rule in rules if rule.criterion.id == criterion_id)
    fields = {field.replace("{i}", str(line)) for field in criterion.fields}
    return path in fields


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=case_data, pack_id=st.sampled_from(PACK_IDS))
def test_the_engine_never_crashes_and_asks_exactly_when_it_cannot_tell(
    data: dict[str, Any], pack_id: str
) -> None:
    result = determine(Case.model_validate(data), pack_id, today=TODAY, trace="full")
    assert len(result.lines) == len(data["procedures"])
    undecided = [line for line in result.lines if line.outcome is Outcome.insufficient_information]
    assert bool(undecided) == bool(result.questions)
    for line in result.lines:
        assert line.reasons
        assert all(criterion.citation for criterion in line.criteria)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=case_data, pack_id=st.sampled_from(PACK_IDS), path=st.sampled_from(FORGETTABLE))
def test_forgetting_a_fact_leaves_criteria_that_do_not_depend_on_it_alone(
    data: dict[str, Any], pack_id: str, path: str
) -> None:
    before = determine(Case.model_validate(data), pack_id, today=TODAY)
    after = determine(Case.model_validate(forget(data, path)), pack_id, today=TODAY)
    for index, (old, new) in enumerate(zip(before.lines, after.lines, strict=True)):
        now = {criterion.id: criterion.status for criterion in new.criteria}
        for criterion in old.criteria:
            if criterion.status is Status.unknown or criterion.id not in now:
                continue
            if depends_on(pack_id, criterion.id, index, path):
                continue
            assert now[criterion.id] is criterion.status, (
                f"{criterion.id} went from {criterion.status.value} to "
                f"{now[criterion.id].value} when {path} was forgotten"
            )
