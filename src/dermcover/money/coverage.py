"""What a coverage determination means for the insured scenarios.

The estimate prices one procedure: the case's first procedure line (it also gives the session
count). So that line's outcome decides, not the case's overall outcome, and `mixed` (which only
an overall outcome can be) decides nothing on its own; it is read as uncertain only when there is
no line to read.

- covered, covered_with_prior_auth: the plan pays under its cost sharing.
- not_covered_*: the patient pays the self-pay price for every session; nothing accumulates.
- insufficient_information (and a line-less mixed): **uncertain**. The scenario is priced as if
  covered, `covered` is None (unknown, as in the case format), and the not-covered figure is shown
  beside it, so the patient sees both ends. Ranking uses the not-covered figure (see `cheapest`).
- no case: the plan is assumed to cover the service, and the scenario says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from dermcover.determination import Determination, Outcome, PriorAuthorizationNeed

NOT_COVERED_REASONS = {
    Outcome.not_covered_cosmetic: "excluded as cosmetic",
    Outcome.not_covered_investigational: "excluded as investigational for this indication",
    Outcome.not_covered_not_medically_necessary: "medical-necessity criteria not met",
}


@dataclass(frozen=True)
class CoverageFinding:
    covered: bool | None
    reason: str
    outcome: Outcome | None = None
    prior_authorization: PriorAuthorizationNeed | None = None

    @property
    def session_note(self) -> str:
        """The short form a session row shows."""
        if self.outcome in NOT_COVERED_REASONS:
            return f"not covered: {NOT_COVERED_REASONS[self.outcome]}"
        return "not covered"


ASSUMED_COVERED = CoverageFinding(
    covered=True,
    reason="assumed covered: no case was given, so no coverage determination was made",
)


def coverage_from(determination: Determination | None) -> CoverageFinding:
    """The coverage the insured scenarios are priced under."""
    if determination is None:
        return ASSUMED_COVERED
    line = determination.lines[0] if determination.lines else None
    outcome = line.outcome if line is not None else determination.outcome
    prior_authorization = line.prior_authorization if line is not None else None
    policy = determination.policy.title
    if outcome.is_covered:
        reason = f"covered under {policy}"
        if outcome is Outcome.covered_with_prior_auth:
            reason += ", once prior authorization is approved"
        return CoverageFinding(True, reason, outcome, prior_authorization)
    if outcome in NOT_COVERED_REASONS:
        reason = f"not covered under {policy}: {NOT_COVERED_REASONS[outcome]}"
        return CoverageFinding(False, reason, outcome, prior_authorization)
    if outcome is Outcome.insufficient_information:
        asks = "; ".join(question.ask for question in determination.questions[:3])
        reason = f"uncertain under {policy}: the answer waits on facts the case does not give"
        if asks:
            reason += f" ({asks})"
        return CoverageFinding(None, reason, outcome, prior_authorization)
    reason = f"uncertain under {policy}: the procedure lines were decided differently"
    return CoverageFinding(None, reason, outcome, prior_authorization)
