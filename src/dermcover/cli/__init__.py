"""The `dermcover` command line: a thin shell over the domain modules.

Each command group lives in its own module of this package and registers itself on `app` when
imported; every module here is imported at start-up, so adding a command is adding a module.
"""

from __future__ import annotations

import importlib
import pkgutil

from dermcover.cli.app import app

__all__ = ["app", "main"]


def _register_commands() -> None:
    for module in pkgutil.iter_modules(__path__):
        if module.name != "app":
            importlib.import_module(f"{__name__}.{module.name}")


_register_commands()


def main() -> None:
    """Entry point of the `dermcover` command."""
    app()
