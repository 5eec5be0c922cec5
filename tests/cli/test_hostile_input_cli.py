"""The command line never shows a traceback: values that look like Rich markup, nesting
hundreds deep and numbers thousands of digits long all get one line and exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dermcover.cli import app

runner = CliRunner()

FILES = {
    "markup.yaml": 'id: "[/x]"\npatient: {age: "[bold]x[/x]"}\nprocedures: [{kind: "[/x]"}]\n',
    "markup-policy.yaml": 'payer: {policy: "[/x]"}\nprocedures: [{kind: microneedling}]\n',
    "deep.yaml": "a: " + "[" * 300 + "]" * 300 + "\n",
    "deep.json": '{"a": ' + "[" * 300 + "]" * 300 + "}\n",
    "huge.yaml": "procedures: [{kind: microneedling, sessions: " + "9" * 5000 + "}]\n",
    "huge.json": '{"procedures": [{"kind": "microneedling", "sessions": ' + "9" * 5000 + "}]}\n",
    "aliases.yaml": "a: &a [x, x]\nb: [*a, *a]\n",
}
SAYS = {
    "markup.yaml": "[bold]x[/x]",
    "markup-policy.yaml": "unknown policy '[/x]'",
    "deep.yaml": "nested deeper than 32 levels",
    "deep.json": "nested deeper than 32 levels",
    "huge.yaml": "a number of 5,000 digits; at most 30 are allowed",
    "huge.json": "a number of 5,000 digits; at most 30 are allowed",
    "aliases.yaml": "YAML aliases (*name) are not allowed",
}


@pytest.mark.parametrize("command", ["check", "explain", "estimate"])
@pytest.mark.parametrize("name", list(FILES))
def test_hostile_files_get_one_line_and_status_2(tmp_path: Path, command: str, name: str) -> None:
    path = tmp_path / name
    path.write_text(FILES[name], encoding="utf-8")
    result = runner.invoke(app, [command, str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    if command != "estimate" or name not in ("markup.yaml", "markup-policy.yaml"):
        assert SAYS[name] in lines[0]
