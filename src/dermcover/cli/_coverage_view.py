"""How a determination reads on a terminal: the verdict at a glance (`check`) and the criteria
trace (`explain`). Imported by those commands when they run, not at start-up."""

from __future__ import annotations

import json

from rich.markup import escape
from rich.text import Text
from rich.tree import Tree

from dermcover.cli.app import console
from dermcover.determination import CriterionResult, Determination, Line, Outcome, Status
from dermcover.engine.spread import Spread

VERDICT_STYLE = {
    Outcome.covered: ("✔", "green", "Covered"),
    Outcome.covered_with_prior_auth: ("✔", "green", "Covered once prior authorization is approved"),
    Outcome.not_covered_cosmetic: ("✘", "red", "Not covered: cosmetic"),
    Outcome.not_covered_investigational: ("✘", "red", "Not covered: investigational"),
    Outcome.not_covered_not_medically_necessary: (
        "✘",
        "red",
        "Not covered: not medically necessary",
    ),
    Outcome.insufficient_information: ("?", "yellow", "Cannot tell yet: questions open"),
    Outcome.mixed: ("•", "cyan", "Mixed: see each procedure"),
}
STATUS_STYLE = {
    Status.met: ("✔", "green"),
    Status.not_met: ("✘", "red"),
    Status.unknown: ("?", "yellow"),
}


def print_trace(determination: Determination) -> None:
    """Every criterion weighed, per procedure, with its citation and the facts behind it."""
    console.print(
        f"[bold]{escape(determination.policy.title)}[/] (reviewed {determination.policy.reviewed})"
    )
    for number, line in enumerate(determination.lines, start=1):
        icon, colour, verdict = VERDICT_STYLE[line.outcome]
        tree = Tree(f"[bold]{number}. {_procedure(line)}[/]  [{colour}]{icon} {verdict}[/]")
        # The trace lists each rule after the named criteria it weighed first: show those
        # criteria inside the rule.
        pending: list[CriterionResult] = []
        for criterion in line.criteria:
            if criterion.outcome is None:
                pending.append(criterion)
                continue
            rule = _criterion_node(tree, criterion)
            for named in pending:
                _criterion_node(rule, named)
            pending = []
        console.print(tree)


def _criterion_node(parent: Tree, criterion: CriterionResult) -> Tree:
    mark, style = STATUS_STYLE[criterion.status]
    label = f"[{style}]{mark}[/] [dim]{criterion.id}[/] {escape(criterion.text)}"
    if criterion.outcome is not None:
        label = f"[bold]{label}[/]  [dim]→ {criterion.outcome.value} ({criterion.stage})[/]"
    node = parent.add(label)
    node.add(f"[dim italic]{escape(criterion.citation)}[/]")
    for fact in criterion.facts or []:
        fmark, fstyle = STATUS_STYLE[fact.status]
        shown = "unknown" if fact.value is None else json.dumps(fact.value)
        node.add(
            f"[{fstyle}]{fmark}[/] {fact.fact} {escape(json.dumps(fact.test))}: {escape(shown)}"
        )
    return node


ACRONYMS = {"prp": "PRP", "rf": "RF"}


def kind_label(kind: str) -> str:
    """`prp_injection` -> `PRP injection`: a procedure or condition kind for people."""
    words = [ACRONYMS.get(word, word) for word in kind.split("_")]
    first = words[0] if words[0].isupper() else words[0].capitalize()
    return " ".join([first, *words[1:]])


def _procedure(line: Line) -> str:
    kind = kind_label(line.procedure.kind.value) if line.procedure.kind else "Procedure"
    code = f" ({line.procedure.code})" if line.procedure.code else ""
    sessions = f", {line.procedure.sessions} sessions" if line.procedure.sessions > 1 else ""
    return f"{kind}{code}{sessions}"


def print_verdict(determination: Determination) -> None:
    """The verdict a person reads at a glance: per procedure, why, what next, what is open."""
    icon, colour, verdict = VERDICT_STYLE[determination.outcome]
    console.print(
        Text.assemble(
            (f"{icon} {verdict}", f"bold {colour}"), f"  under {determination.policy.title}"
        )
    )
    for number, line in enumerate(determination.lines, start=1):
        icon, colour, verdict = VERDICT_STYLE[line.outcome]
        console.print(f"\n[bold]{number}. {_procedure(line)}[/]: [{colour}]{icon} {verdict}[/]")
        for reason in line.reasons:
            console.print(f"   {escape(reason)}")
    if determination.next_steps:
        console.print("\n[bold]What to do next[/]")
        for step in determination.next_steps:
            console.print(f"  → {escape(step)}")
    for note in determination.notes:
        console.print(f"\n[dim]Note: {escape(note)}[/]")
    if determination.questions:
        console.print("\n[bold yellow]Questions still open[/]")
        for question in determination.questions:
            console.print(f"  • {escape(question.ask)} [dim]({question.field})[/]")
    if determination.code_issues:
        console.print("\n[bold]Code problems[/]")
        for issue in determination.code_issues:
            style = "red" if issue.severity.value == "error" else "yellow"
            console.print(
                f"  [{style}]{issue.severity.value}[/] {issue.code}: {escape(issue.message)}"
            )
    if determination.documentation:
        heading = (
            "Documentation for prior authorization"
            if determination.may_need_prior_authorization
            else "Documentation the record should hold"
        )
        console.print(f"\n[bold]{heading}[/]")
        for check_item in determination.documentation:
            mark = "[green]✔ on file[/]" if check_item.status == "present" else "[red]✘ missing[/]"
            console.print(f"  {mark}  {check_item.item.value.replace('_', ' ')}")


def print_spread(spread: Spread) -> None:
    """The plan is unknown: what each payer we know would say, likeliest answer first."""
    console.print(f"[bold]{escape(spread.summary)}[/]")
    for group in spread.groups:
        icon, colour, verdict = VERDICT_STYLE[group.outcome]
        if group.outcome is Outcome.mixed and not group.covers_any:
            icon, colour, verdict = "✘", "red", "Not covered: each procedure refused"
        console.print(f"\n[{colour}]{icon} {verdict}[/]: {escape(', '.join(group.payers))}")
        open_questions = list(dict.fromkeys(q for a in group.answers for q in a.questions))
        for answer in group.answers:
            if not answer.questions:
                for reason in answer.reasons:
                    console.print(f"   {escape(answer.payer)}: {escape(reason)}")
        if open_questions:
            console.print("   Questions that would settle it:")
            for question in open_questions:
                console.print(f"   • {escape(question)}")
    console.print(
        "\nAsk your plan which policy applies, then check again under it "
        "(`--policy ID`; `dermcover policies` lists them)."
    )
