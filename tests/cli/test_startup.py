"""Every command starts without the web, database and document stacks: `dermcover.cli` and each
command's `--help` import none of them, and `--help` still lists every command with its help."""

from __future__ import annotations

import json
import subprocess
import sys

import typer
from typer.testing import CliRunner

from dermcover.cli import app

# What a command imports only inside the function that runs it (see the cli package docstring).
HEAVY = (
    "fastapi",
    "starlette",
    "uvicorn",
    "sqlalchemy",
    "alembic",
    "weasyprint",
    "polars",
    "pyarrow",
    "pyspark",
    "fhir",
    "spacy",
    "medspacy",
    "simple_icd_10_cm",
    "dermcover.store",
    "dermcover.web",
    "dermcover.documents",
)

# Imports the CLI, asks each command (and group) for its --help, then names what got loaded.
SCRIPT = """
import json, sys
import typer
import dermcover.cli

root = typer.main.get_command(dermcover.cli.app)
def paths(group, prefix):
    for name, command in group.commands.items():
        yield [*prefix, name]
        if hasattr(command, "commands"):
            yield from paths(command, [*prefix, name])
asked = [[]] + list(paths(root, []))
for args in asked:
    try:
        root.main([*args, "--help"], prog_name="dermcover", standalone_mode=False)
    except SystemExit:
        pass
heavy = sorted(m for m in sys.modules if m.split(".")[0] in PREFIXES or m.startswith(DERMCOVER))
print(json.dumps({"asked": asked, "heavy": heavy}))
"""


def loaded_by_help() -> dict[str, list[str] | list[list[str]]]:
    prefixes = {name for name in HEAVY if not name.startswith("dermcover.")}
    dermcover = tuple(name for name in HEAVY if name.startswith("dermcover."))
    script = f"PREFIXES = {sorted(prefixes)!r}\nDERMCOVER = {dermcover!r}\n" + SCRIPT
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    result: dict[str, list[str] | list[list[str]]] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_no_command_help_imports_the_web_database_or_document_stacks() -> None:
    result = loaded_by_help()
    assert ["serve"] in result["asked"]
    assert ["users", "add"] in result["asked"]
    assert result["heavy"] == []


def test_help_lists_every_command_with_its_help() -> None:
    root = typer.main.get_command(app)
    assert isinstance(root, typer.core.TyperGroup)
    # The listing is a box; its rows wrap. Read it as running text.
    listing = " ".join(CliRunner().invoke(app, ["--help"]).stdout.replace("│", " ").split())
    assert {"check", "serve", "document", "codes", "users"} <= set(root.commands)
    for name, command in root.commands.items():
        summary = " ".join(command.get_short_help_str(limit=1000).split())
        assert summary
        assert f" {name} {summary}" in listing
