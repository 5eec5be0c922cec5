"""The `dermcover` command line: a thin shell over the domain modules.

Each command group lives in its own module of this package and registers itself on `app` when
imported. Every public module here (a name without a leading underscore) is imported at start-up,
so adding a command is adding a module, and `dermcover --help` lists it with its help text.

Because every command module is imported by every command, a command module must be cheap to
import. Its top level holds only what Typer needs to declare the command: the standard library,
`typer`, `dermcover.cli.app` and small constants or enums. Everything the command *runs* is
imported inside the function that runs it:

    @app.command()
    def serve(...) -> None:
        \"\"\"Start the web service.\"\"\"
        import uvicorn

        from dermcover.web import create_app
        ...

This holds in particular for fastapi, starlette, uvicorn, sqlalchemy, alembic, weasyprint, jinja2,
polars, pyarrow, pyspark, fhir.resources, spacy/medspacy, the ICD-10-CM tables and
`dermcover.store`, `dermcover.web`, `dermcover.documents`; tests/cli/test_startup.py checks it
in a fresh interpreter. Pydantic models (`dermcover.case` and the like) are best imported there
too: each costs start-up time for every command. Types a helper's signature names but the module
does not otherwise need go under `if TYPE_CHECKING:`. Shared rendering code that needs the domain
models at module level goes in a module named with a leading underscore (`_coverage_view.py`): those
are not imported at start-up, only by the commands that use them.
"""

from __future__ import annotations

import importlib
import pkgutil

from dermcover.cli.app import app

__all__ = ["app", "main"]


def _register_commands() -> None:
    for module in pkgutil.iter_modules(__path__):
        if module.name != "app" and not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")


_register_commands()


def main() -> None:
    """Entry point of the `dermcover` command."""
    app()
