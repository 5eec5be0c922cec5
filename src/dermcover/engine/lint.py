"""The pack author's linter: what a pack claims that its fixtures or its sources do not back.

In the spirit of Regal, every finding has one shape (the pack, what it is about, a category, a
message, where it is) and each category is one small check:

- `untested-criterion`: a criterion (or a rule's condition) that no fixture shows met, not met
  and, where its facts can be missing, unknown;
- `unused-criterion`: a named criterion no rule refers to, directly or through another;
- `undated-source`: a source that citations rely on and that gives no date, unless it is
  marked `undated` (its text states none), which then needs the day it was read, `checked`;
- `stale-source`: a source neither dated nor `checked` in the twelve months before today (for
  an undated source, `checked` alone);
- `unreachable-rule`: a rule that can never decide, because earlier rules always decide first
  or its own condition can never be met (found by search, see `reachability`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from dermcover.determination import Determination, Status
from dermcover.engine.pack import CitationSpec, Pack
from dermcover.engine.reachability import unreachable_rules
from dermcover.engine.tree import Node, leaves, references
from dermcover.inputs import field_path

# Facts every procedure line always has: a criterion reading only these cannot be unknown.
ALWAYS_KNOWN = frozenset({"procedure_kind", "sessions"})

STALE_AFTER_MONTHS = 12

YamlPath = tuple[int | str, ...]
Locate = Callable[[YamlPath], str]


def _field_locator(path: YamlPath) -> str:
    return f"policy.yaml {field_path(path)}"


class Category(StrEnum):
    untested_criterion = "untested-criterion"
    unused_criterion = "unused-criterion"
    undated_source = "undated-source"
    stale_source = "stale-source"
    unreachable_rule = "unreachable-rule"


class Finding(BaseModel):
    """One thing to fix in a pack."""

    model_config = ConfigDict(frozen=True)

    pack: str
    subject: str = Field(description="The rule, criterion or source the finding is about.")
    category: Category
    message: str
    location: str = Field(description="Where in the pack: file and line, or file and field.")


def lint_pack(
    pack: Pack,
    determinations: Sequence[Determination],
    *,
    today: date,
    locate: Locate | None = None,
) -> list[Finding]:
    """Every finding for `pack`, given the determinations of its fixtures."""
    where = locate or _field_locator
    return [
        *untested_criteria(pack, determinations, where),
        *unused_criteria(pack, where),
        *undated_sources(pack, where),
        *stale_sources(pack, today, where),
        *unreachable(pack, where),
    ]


def untested_criteria(
    pack: Pack, determinations: Iterable[Determination], locate: Locate = _field_locator
) -> list[Finding]:
    seen: dict[str, set[Status]] = {}
    for determination in determinations:
        for line in determination.lines:
            for criterion in line.criteria:
                seen.setdefault(criterion.id, set()).add(criterion.status)
    used = used_criteria(pack)
    subjects: list[tuple[str, Node, YamlPath]] = [
        (cid, pack.trees[cid], ("criteria", cid)) for cid in pack.criteria if cid in used
    ]
    written = _written_positions(pack)
    subjects += [
        (rule.criterion.id, rule.criterion.when, ("rules", written[rule.criterion.id]))
        for rule in pack.rules
        if rule.criterion.when is not None
    ]
    findings = []
    for subject, node, path in subjects:
        wanted = [Status.met, Status.not_met]
        if _facts_read(pack, node) - ALWAYS_KNOWN:
            wanted.append(Status.unknown)
        missing = [status.value for status in wanted if status not in seen.get(subject, set())]
        if missing:
            findings.append(
                Finding(
                    pack=pack.id,
                    subject=subject,
                    category=Category.untested_criterion,
                    message=f"no fixture shows it {' or '.join(missing)}",
                    location=locate(path),
                )
            )
    return findings


def used_criteria(pack: Pack) -> set[str]:
    """The named criteria some rule reaches, directly or through other criteria."""
    used: set[str] = set()
    stack = [
        reference
        for rule in pack.rules
        if rule.criterion.when is not None
        for reference in references(rule.criterion.when)
    ]
    while stack:
        criterion_id = stack.pop()
        if criterion_id not in used:
            used.add(criterion_id)
            stack.extend(references(pack.trees[criterion_id]))
    return used


def unused_criteria(pack: Pack, locate: Locate = _field_locator) -> list[Finding]:
    used = used_criteria(pack)
    return [
        Finding(
            pack=pack.id,
            subject=criterion_id,
            category=Category.unused_criterion,
            message="no rule refers to this criterion, directly or through another",
            location=locate(("criteria", criterion_id)),
        )
        for criterion_id in pack.criteria
        if criterion_id not in used
    ]


def _citations(pack: Pack) -> list[CitationSpec]:
    spec = pack.spec
    return [
        *(criterion.citation for criterion in spec.criteria.values()),
        *(rule.citation for rule in spec.rules),
        spec.otherwise.citation,
    ]


def undated_sources(pack: Pack, locate: Locate = _field_locator) -> list[Finding]:
    cited: dict[str, int] = {}
    for citation in _citations(pack):
        cited[citation.source] = cited.get(citation.source, 0) + 1
    return [
        Finding(
            pack=pack.id,
            subject=source.id,
            category=Category.undated_source,
            message=f"{cited[source.id]} citation(s) rely on {source.title!r}, which has no "
            "date; give the revision or publication date the text states, or, if it states "
            "none, mark it `undated: true` with the day it was read as `checked`",
            location=locate(("sources", position, "date")),
        )
        for position, source in enumerate(pack.spec.sources)
        if source.date is None and not source.undated and source.id in cited
    ]


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (the month's last day where it is shorter)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has a 28th")


def stale_sources(pack: Pack, today: date, locate: Locate = _field_locator) -> list[Finding]:
    """Sources neither revised nor compared with the pack in the last twelve months."""
    cutoff = months_before(today, STALE_AFTER_MONTHS)
    findings = []
    for position, source in enumerate(pack.spec.sources):
        seen = max((d for d in (source.date, source.checked) if d is not None), default=None)
        if seen is None or seen >= cutoff:
            continue
        checked = f", last checked {source.checked.isoformat()}" if source.checked else ""
        dated = f"is dated {source.date.isoformat()}" if source.date else "is undated"
        findings.append(
            Finding(
                pack=pack.id,
                subject=source.id,
                category=Category.stale_source,
                message=f"{source.title!r} {dated}{checked}: more than "
                f"{STALE_AFTER_MONTHS} months before {today.isoformat()}; re-read the current "
                "text, update the pack, then its date (or `checked`, if it is unchanged)",
                location=locate(("sources", position, "checked" if source.undated else "date")),
            )
        )
    return findings


def unreachable(pack: Pack, locate: Locate = _field_locator) -> list[Finding]:
    findings = []
    for dead in unreachable_rules(pack):
        if dead.blockers:
            message = (
                "can never decide a line: whenever it is met, an earlier rule is met first ("
                + ", ".join(dead.blockers)
                + ")"
            )
        else:
            message = "can never decide a line: no facts make its condition met"
        findings.append(
            Finding(
                pack=pack.id,
                subject=dead.rule.criterion.id,
                category=Category.unreachable_rule,
                message=message,
                location=locate(("rules", _written_positions(pack)[dead.rule.criterion.id])),
            )
        )
    return findings


def _written_positions(pack: Pack) -> dict[str, int]:
    """Where each rule is written in policy.yaml (the engine may weigh them in another order)."""
    return {rule.id: position for position, rule in enumerate(pack.spec.rules)}


def _facts_read(pack: Pack, node: Node) -> set[str]:
    names = {leaf.fact.name for leaf in leaves(node)}
    for reference in references(node):
        names |= _facts_read(pack, pack.trees[reference])
    return names
