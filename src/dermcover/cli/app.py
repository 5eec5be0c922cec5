"""The Typer application every command module registers on, and the CLI's shared helpers."""

from __future__ import annotations

from enum import StrEnum
from typing import NoReturn

import typer
from rich.console import Console

app = typer.Typer(
    name="dermcover",
    help=(
        "Will insurance pay for this skin procedure? If not, what will it cost and how can it "
        "be paid for? Every command takes a case or request as YAML or JSON."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

console = Console()
errors = Console(stderr=True)

# Exit status for input the user must fix (the same status argument errors get).
EXIT_BAD_INPUT = 2


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


def fail(message: str) -> NoReturn:
    """Print a one-line error to stderr and exit with status 2."""
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_BAD_INPUT)
