"""`dermcover policies`: list the packs, and the pack author's tools `test`, `lint`, `diff`."""

from __future__ import annotations

import json
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from dermcover.cli.app import OutputFormat, app, console, fail
from dermcover.determination import CriterionResult, Line, Status
from dermcover.engine.fixture_runner import FixtureRun, run_fixtures
from dermcover.engine.library import policies_dir
from dermcover.engine.lint import Finding, lint_pack
from dermcover.engine.pack_diff import CaseChange, diff_packs, fixtures_of_both
from dermcover.engine.pack_files import PackFolder, open_pack_folder, pack_folders

policies_app = typer.Typer(
    help="The policy packs: list them, run their fixtures, lint them, compare two versions.",
    no_args_is_help=False,
)
app.add_typer(policies_app, name="policies")

PackArgument = Annotated[
    str | None,
    typer.Argument(
        help="A pack id, or the path of a pack folder; default: every pack.",
        show_default=False,
    ),
]
TodayOption = Annotated[
    str | None,
    typer.Option(help="The day to check against, YYYY-MM-DD; default: today.", show_default=False),
]
FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="text or json.")]

MARK = {Status.met: "✔", Status.not_met: "✘", Status.unknown: "?"}


@policies_app.callback(invoke_without_command=True)
def policies(ctx: typer.Context) -> None:
    """List the policy packs with their sources and review dates (also `policies list`)."""
    if ctx.invoked_subcommand is None:
        list_packs()


@policies_app.command("list")
def list_packs() -> None:
    """List the policy packs with their sources and review dates."""
    table = Table(title="Policy packs", show_lines=True)
    table.add_column("id", style="bold")
    table.add_column("policy")
    table.add_column("reviewed")
    table.add_column("sources (date, confidence)")
    for folder in pack_folders(policies_dir()):
        pack = open_pack_folder(folder).pack
        sources = "\n".join(
            f"{source.title} ({source.date or 'undated'}, {source.confidence})"
            for source in pack.spec.sources
        )
        table.add_row(pack.id, pack.spec.title, str(pack.spec.reviewed), sources)
    console.print(table)


@policies_app.command("test")
def test(
    pack_id: PackArgument = None,
    today: TodayOption = None,
) -> None:
    """Run each pack's fixtures; print every failure with what the policy demands, what came,
    and the trace. Exit status 1 if any fixture fails."""
    day = _day(today)
    total = failed = 0
    for folder in _folders(pack_id):
        runs = run_fixtures(folder.pack, folder.fixtures, today=day)
        failures = [run for run in runs if not run.passed]
        for run in failures:
            _print_failure(folder, run)
        total += len(runs)
        failed += len(failures)
        status = "[red]FAIL[/]" if failures else "[green]ok[/]"
        console.print(
            f"{status} {folder.pack.id}: {len(runs)} fixtures, {len(runs) - len(failures)} "
            f"passed, {len(failures)} failed"
        )
    console.print(f"{total} fixtures, {total - failed} passed, {failed} failed")
    if failed:
        raise typer.Exit(1)


@policies_app.command("lint")
def lint(
    pack_id: PackArgument = None,
    output: FormatOption = OutputFormat.text,
    today: TodayOption = None,
) -> None:
    """Find what a pack claims that its fixtures or sources do not back: criteria no fixture
    shows met, not met and unknown; criteria no rule uses; undated or stale sources; rules that
    can never decide. Exit status 1 if there is any finding."""
    day = _day(today) or date.today()
    findings: list[Finding] = []
    folders = list(_folders(pack_id))
    for folder in folders:
        determinations = [run.determination for run in run_fixtures(folder.pack, folder.fixtures)]
        findings += lint_pack(folder.pack, determinations, today=day, locate=folder.locate)
    if output is OutputFormat.json:
        print(json.dumps([finding.model_dump(mode="json") for finding in findings], indent=2))
    else:
        for finding in findings:
            console.print(
                f"{escape(finding.location)}: [bold]{finding.category.value}[/] "
                f"{escape(finding.subject)}: {escape(finding.message)}",
                highlight=False,
                soft_wrap=True,
            )
        dirty = len({finding.pack for finding in findings})
        console.print(
            f"{len(findings)} findings in {dirty} of {len(folders)} packs", highlight=False
        )
    if findings:
        raise typer.Exit(1)


@policies_app.command("diff")
def diff(
    old: Annotated[
        str, typer.Argument(help="The old version: a pack folder, a pack id, or ID@REV (git).")
    ],
    new: Annotated[
        str, typer.Argument(help="The new version: a pack folder, a pack id, or ID@REV (git).")
    ],
    today: TodayOption = None,
) -> None:
    """Run two versions of a pack over the fixtures of both and print every case whose outcome
    changes, with the rule that decided it before and after. Exit status 1 if any changes."""
    with _version(old) as before, _version(new) as after:
        fixtures = fixtures_of_both(before.fixtures, after.fixtures)
        day = _day(today) or after.pack.spec.reviewed
        changes = diff_packs(before.pack, after.pack, fixtures, today=day)
        for change in changes:
            _print_change(change)
        console.print(
            f"{len(changes)} of {len(fixtures)} fixture cases change outcome ({old} -> {new})",
            highlight=False,
        )
    if changes:
        raise typer.Exit(1)


# ---------------------------------------------------------------------------------------------


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--today: {text!r} is not a date; use YYYY-MM-DD")


def _folders(pack_id: str | None) -> Iterator[PackFolder]:
    if pack_id is None:
        for folder in pack_folders(policies_dir()):
            yield open_pack_folder(folder)
        return
    yield open_pack_folder(_folder_of(pack_id))


def _folder_of(pack_id: str) -> Path:
    as_path = Path(pack_id)
    if (as_path / "policy.yaml").is_file():
        return as_path
    folder = policies_dir() / pack_id
    if not (folder / "policy.yaml").is_file():
        known = ", ".join(folder.name for folder in pack_folders(policies_dir()))
        fail(f"unknown policy pack {pack_id!r}: not a pack folder nor a pack id; known: {known}")
    return folder


@contextmanager
def _version(spec: str) -> Iterator[PackFolder]:
    """A pack folder, a pack id, or `ID@REV`: the pack as git holds it at revision REV."""
    if "@" not in spec or (Path(spec) / "policy.yaml").is_file():
        yield open_pack_folder(_folder_of(spec))
        return
    pack_id, revision = spec.rsplit("@", 1)
    root = _git("rev-parse", "--show-toplevel", cwd=policies_dir()).decode().strip()
    inside = policies_dir().resolve().relative_to(Path(root).resolve()) / pack_id
    archive = _git("archive", "--format=tar", revision, "--", inside.as_posix(), cwd=Path(root))
    with tempfile.TemporaryDirectory(prefix="dermcover-pack-") as temp:
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(temp, filter="data")
        folder = Path(temp) / inside
        if not (folder / "policy.yaml").is_file():
            fail(f"{spec}: revision {revision} has no pack {pack_id} ({inside.as_posix()})")
        yield open_pack_folder(folder)


def _git(*args: str, cwd: Path) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        fail("git is not installed; give two pack folders instead of ID@REV")
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        fail(f"git {args[0]}: {message[0] if message else 'failed'}")
    return done.stdout


def _print_failure(folder: PackFolder, run: FixtureRun) -> None:
    console.print(
        f"\n[bold red]FAIL[/] {folder.pack.id}/{run.name}: {escape(run.fixture.name)}",
        highlight=False,
    )
    console.print(f"  clause: {escape(run.fixture.clause)}", highlight=False, soft_wrap=True)
    for mismatch in run.mismatches:
        subject = "questions asked" if mismatch.subject == "questions" else mismatch.subject
        console.print(
            f"  {escape(subject)}: expected {escape(mismatch.expected)}, "
            f"got {escape(mismatch.got)}",
            highlight=False,
            soft_wrap=True,
        )
    console.print("  trace:")
    for number, line in enumerate(run.determination.lines, start=1):
        _print_trace(number, line)


def _print_trace(number: int, line: Line) -> None:
    kind = line.procedure.kind.value if line.procedure.kind else "procedure"
    decided = f", decided by {line.decided_by}" if line.decided_by else ""
    console.print(f"    line {number} ({kind}): {line.outcome.value}{decided}", highlight=False)
    for criterion in line.criteria:
        _print_criterion(criterion)


def _print_criterion(criterion: CriterionResult) -> None:
    decides = f" -> {criterion.outcome.value}" if criterion.outcome is not None else ""
    console.print(
        f"      {MARK[criterion.status]} {criterion.id} ({criterion.status.value}){decides}",
        highlight=False,
    )
    for fact in criterion.facts or []:
        shown = "unknown" if fact.value is None else json.dumps(fact.value)
        console.print(
            f"          {MARK[fact.status]} {fact.fact} {escape(json.dumps(fact.test))}: "
            f"{escape(shown)}",
            highlight=False,
            soft_wrap=True,
        )


def _print_change(change: CaseChange) -> None:
    console.print(
        f"\n[bold]{escape(change.fixture)}[/]: {escape(change.name)}\n"
        f"  {change.before.value} -> {change.after.value}",
        highlight=False,
    )
    for line in change.lines:
        console.print(
            f"  line {line.index + 1} ({escape(line.procedure)}): {line.before.value} "
            f"(decided by {line.decided_before or 'no rule: questions open'}) -> "
            f"{line.after.value} (decided by {line.decided_after or 'no rule: questions open'})",
            highlight=False,
            soft_wrap=True,
        )
        for criterion_id, was, now in line.criteria:
            console.print(
                f"      {escape(criterion_id)}: {_status(was)} -> {_status(now)}", highlight=False
            )


def _status(status: Status | None) -> str:
    return status.value if status is not None else "not weighed"
