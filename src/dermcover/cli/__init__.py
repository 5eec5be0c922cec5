"""The `dermcover` command line: a thin shell over the domain modules.

Each command group lives in its own module and registers itself on `app`; importing them here is
what makes them part of the CLI.
"""

from __future__ import annotations

import dermcover.cli.codes  # noqa: F401  (registers codes search, codes show)
import dermcover.cli.users  # noqa: F401  (registers users add)
from dermcover.cli import coverage  # noqa: F401  (registers check, explain, policies, schema)
from dermcover.cli import deadlines  # noqa: F401  (registers deadlines)
from dermcover.cli import estimate  # noqa: F401  (registers estimate)
from dermcover.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the `dermcover` command."""
    app()
