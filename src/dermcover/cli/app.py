"""The Typer application every command module registers on, and the CLI's shared helpers."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Any, NoReturn

import typer
from rich.console import Console
from typer.core import TyperGroup

console = Console()
errors = Console(stderr=True)

# Exit status for input the user must fix (the same status argument errors get).
EXIT_BAD_INPUT = 2


class Commands(TyperGroup):
    """The command group: any InputError a command raises becomes one line on stderr, status 2,
    whichever command (or nested group) it came from."""

    def invoke(self, ctx: Any) -> Any:  # Any: typer's own click Context type is private
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if not _is_input_error(exc):
                raise
            errors.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True, markup=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None


def _is_input_error(exc: Exception) -> bool:
    # An InputError can only have been raised once dermcover.inputs is imported; looking it up
    # there keeps pydantic and YAML out of the start-up of commands that never read input.
    inputs = sys.modules.get("dermcover.inputs")
    return inputs is not None and isinstance(exc, inputs.InputError)


app = typer.Typer(
    cls=Commands,
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


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


def fail(message: str) -> NoReturn:
    """Print a one-line error to stderr and exit with status 2."""
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_BAD_INPUT)
