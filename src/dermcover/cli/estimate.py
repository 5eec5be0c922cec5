"""`dermcover estimate`: what the patient pays under each scenario, and how to fund it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from dermcover.cli.app import OutputFormat, app


@app.command()
def estimate(
    request: Annotated[
        Path, typer.Argument(help="The estimate request, as YAML or JSON (`-` reads stdin).")
    ],
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="text for people, json for systems.")
    ] = OutputFormat.text,
) -> None:
    """What the patient pays in or out of network, self-pay or as a package; how to fund it."""
    from dermcover.cli._estimate_view import print_estimate
    from dermcover.estimate import EstimateRequest, estimate_json
    from dermcover.inputs import load_model, load_model_text
    from dermcover.money.estimator import build_estimate

    if str(request) == "-":
        loaded = load_model_text(EstimateRequest, sys.stdin.read(), "<stdin>")
    else:
        loaded = load_model(EstimateRequest, request)
    result = build_estimate(loaded)
    if output is OutputFormat.json:
        sys.stdout.write(estimate_json(result) + "\n")
        return
    print_estimate(result)
