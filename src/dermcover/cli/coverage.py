"""`dermcover check`, `explain` and `schema`: the coverage commands (`policies` has its own
module)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dermcover.cli.app import OutputFormat, app, console, fail

if TYPE_CHECKING:
    from dermcover.case import Case

CaseArgument = Annotated[
    Path, typer.Argument(help="The case, as YAML or JSON (`-` reads standard input).")
]
PolicyOption = Annotated[
    str | None,
    typer.Option(
        "--policy",
        "-p",
        help="Policy pack id; default: the case's payer.policy, else generic. `all`: the plan "
        "is unknown, so decide under every payer's pack and show the spread.",
    ),
]

FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="text for people, json for systems.")
]


def read_case(path: Path) -> Case:
    from dermcover.case import Case
    from dermcover.inputs import load_model, load_model_text

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
    from dermcover.cli._coverage_view import print_spread, print_verdict
    from dermcover.engine import determine
    from dermcover.engine.spread import ALL_POLICIES, decide_spread

    if policy == ALL_POLICIES:
        spread = decide_spread(read_case(case))
        if output is OutputFormat.json:
            console.print_json(spread.model_dump_json(exclude_none=True))
        else:
            print_spread(spread)
        return
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
    from dermcover.cli._coverage_view import print_trace
    from dermcover.engine import determine

    determination = determine(read_case(case), policy, trace="full")
    if output is OutputFormat.json:
        console.print_json(determination.model_dump_json(exclude_none=True))
        return
    print_trace(determination)


# The documents of the public contract: name -> (module, model class).
SCHEMAS = {
    "case": ("dermcover.case", "Case"),
    "determination": ("dermcover.determination", "Determination"),
    "estimate-request": ("dermcover.estimate", "EstimateRequest"),
    "estimate": ("dermcover.estimate", "Estimate"),
}


@app.command()
def schema(
    name: Annotated[str, typer.Argument(help="Which document: " + ", ".join(SCHEMAS) + ".")],
) -> None:
    """Print the JSON Schema of a document in the public contract."""
    import importlib

    from pydantic import BaseModel

    if name not in SCHEMAS:
        fail(f"unknown schema {name!r}; allowed: {', '.join(SCHEMAS)}")
    module, model_name = SCHEMAS[name]
    model: type[BaseModel] = getattr(importlib.import_module(module), model_name)
    console.print_json(json.dumps(model.model_json_schema()))
