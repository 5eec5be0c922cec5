"""`dermcover check`, `explain`, `policies` and `schema`: the coverage commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from dermcover.case import Case
from dermcover.cli.app import OutputFormat, app, console, fail
from dermcover.determination import CriterionResult, Determination, Line, Outcome, Status
from dermcover.engine import determine, library
from dermcover.engine.summary import summary_of
from dermcover.estimate import Estimate, EstimateRequest
from dermcover.inputs import load_model, load_model_text

CaseArgument = Annotated[
    Path, typer.Argument(help="The case, as YAML or JSON (`-` reads standard input).")
]
PolicyOption = Annotated[
    str | None,
    typer.Option(
        "--policy", "-p", help="Policy pack id; default: the case's payer.policy, else generic."
    ),
]

FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="text for people, json for systems.")
]

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


def read_case(path: Path) -> Case:
    if str(path) == "-":
        return load_model_text(Case, sys.stdin.read(), "<stdin>")
    return load_model(Case, path)


@app.command()
def check(
    case: CaseArgument,
    policy: PolicyOption = None,
    output: FormatOption = OutputFormat.text,
) -> None:
    """Decide whether each procedure in CASE is covered, and say why and what to do next."""
    determination = determine(read_case(case), policy)
    if output is OutputFormat.json:
        console.print_json(determination.model_dump_json(exclude_none=True))
        return
    print_verdict(determination)


@app.command()
def explain(
    case: CaseArgument, policy: PolicyOption = None, output: FormatOption = OutputFormat.text
) -> None:
    """Print the full criteria trace: every criterion weighed, its citation and the facts."""
    determination = determine(read_case(case), policy, trace="full")
    if output is OutputFormat.json:
        console.print_json(determination.model_dump_json(exclude_none=True))
        return
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


@app.command()
def policies(output: FormatOption = OutputFormat.text) -> None:
    """List the policy packs with their sources and review dates."""
    if output is OutputFormat.json:
        summaries = [summary_of(pack).model_dump(mode="json") for pack in library().packs.values()]
        console.print_json(json.dumps(summaries))
        return
    table = Table(title="Policy packs", show_lines=True)
    table.add_column("id", style="bold")
    table.add_column("policy")
    table.add_column("reviewed")
    table.add_column("sources (date, confidence)")
    for pack in library().packs.values():
        sources = "\n".join(
            f"{source.title} ({source.date or 'undated'}, {source.confidence})"
            for source in pack.spec.sources
        )
        table.add_row(pack.id, pack.spec.title, str(pack.spec.reviewed), sources)
    console.print(table)


SCHEMAS: dict[str, type[BaseModel]] = {
    "case": Case,
    "determination": Determination,
    "estimate-request": EstimateRequest,
    "estimate": Estimate,
}


@app.command()
def schema(
    name: Annotated[str, typer.Argument(help="Which document: " + ", ".join(SCHEMAS) + ".")],
) -> None:
    """Print the JSON Schema of a document in the public contract."""
    model = SCHEMAS.get(name)
    if model is None:
        fail(f"unknown schema {name!r}; allowed: {', '.join(SCHEMAS)}")
    console.print_json(json.dumps(model.model_json_schema()))


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
