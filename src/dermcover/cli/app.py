"""The Typer application every command module registers on, and the CLI's shared helpers."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

# Typer carries its own copy of click; its usage errors are of that copy's class.
from typer._click.exceptions import BadParameter, NoArgsIsHelpError, UsageError
from typer.core import TyperGroup

console = Console()
errors = Console(stderr=True)

# Exit status for input the user must fix (the same status argument errors get).
EXIT_BAD_INPUT = 2


class Commands(TyperGroup):
    """The command group: any InputError a command raises, and any usage error (an unknown
    command, a bad `--format`, a missing option), becomes one line on stderr, status 2,
    whichever command (or nested group) it came from."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except NoArgsIsHelpError as exc:
            help_only(exc)
        except UsageError as exc:
            fail(usage_message(exc))

    def invoke(self, ctx: Any) -> Any:  # Any: typer's own click Context type is private
        try:
            return super().invoke(ctx)
        except NoArgsIsHelpError as exc:
            help_only(exc)
        except UsageError as exc:
            fail(usage_message(exc))
        except Exception as exc:
            if not _is_input_error(exc):
                raise
            fail(str(exc))


def help_only(exc: NoArgsIsHelpError) -> NoReturn:
    """A command group run without a command: its help is the answer (shown as it is made),
    with the status of a usage error, and no error line of its own."""
    if exc.format_message().strip():
        exc.show()
    raise typer.Exit(EXIT_BAD_INPUT)


def usage_message(exc: UsageError) -> str:
    """Click's own words on one line, with where to look for help. A value the option's type
    refused is named, as the forms name it (`--chunk = '5': ...`): the type's own words say
    only what is allowed."""
    text = " ".join(exc.format_message().replace("Value error, ", "").split())
    given = _refused_input(exc)
    named = given is not None and repr(given) in exc.message
    if given is not None and not named and isinstance(exc, BadParameter) and exc.param:
        hint = exc.param.get_error_hint().replace("'", "")
        text = f"{hint} = {given!r}: " + " ".join(exc.message.replace("Value error, ", "").split())
    command = exc.ctx.command_path if exc.ctx is not None else "dermcover"
    return f"{text} (see `{command} --help`)"


def _refused_input(exc: UsageError) -> Any:
    """The value a type's validation refused (pydantic's errors carry it), or None."""
    errors = getattr(exc.__cause__, "errors", None)
    if not callable(errors):
        return None
    found = errors()
    return found[0].get("input") if found and isinstance(found[0], dict) else None


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
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def counted(number: int, noun: str) -> str:
    """A count and its noun, agreeing: `1 row`, `0 rows`, `1,250 rows`."""
    return f"{number:,} {noun if number == 1 else noun + 's'}"
