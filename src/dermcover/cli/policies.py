"""`dermcover policies`: list the packs, and the pack author's tools `test`, `lint`, `diff`."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from dermcover.cli.app import OutputFormat, app, console, counted, fail

if TYPE_CHECKING:
    from rich.table import Table

    from dermcover.engine.lint import Finding
    from dermcover.engine.pack_files import PackFolder
    from dermcover.engine.summary import PolicySource

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


@policies_app.callback(invoke_without_command=True)
def policies(ctx: typer.Context, output: FormatOption = OutputFormat.text) -> None:
    """List the policy packs with their sources and review dates (also `policies list`)."""
    if ctx.invoked_subcommand is None:
        list_packs(output)


@policies_app.command("list")
def list_packs(output: FormatOption = OutputFormat.text) -> None:
    """List the policy packs with their sources and review dates."""
    from dermcover.engine.library import policies_dir
    from dermcover.engine.pack_files import open_pack_folder, pack_folders
    from dermcover.engine.summary import summary_of

    packs = [open_pack_folder(folder).pack for folder in pack_folders(policies_dir())]
    summaries = [summary_of(pack) for pack in packs]
    if output is OutputFormat.json:
        console.print_json(json.dumps([summary.model_dump(mode="json") for summary in summaries]))
        return

    rows = [
        [summary.id, summary.title, str(summary.reviewed), _sources(summary.sources)]
        for summary in summaries
    ]
    console.print(_table("Policy packs", ["id", "policy", "reviewed", SOURCES], rows))
    plan_rows = [
        [plan.id, summary.id, plan.title, str(plan.reviewed), _sources(plan.sources)]
        for summary in summaries
        for plan in summary.plans
    ]
    if plan_rows:
        title = "Plan documents (weighed before their pack)"
        console.print(_table(title, ["id", "pack", "plan", "reviewed", SOURCES], plan_rows))


SOURCES = "sources (date, confidence)"


def _table(title: str, columns: list[str], rows: list[list[str]]) -> Table:
    from rich.table import Table

    table = Table(title=title, show_lines=True)
    for number, column in enumerate(columns):
        table.add_column(column, style="bold" if number == 0 else None)
    for row in rows:
        table.add_row(*row)
    return table


def _sources(sources: list[PolicySource]) -> str:
    return "\n".join(
        f"{source.title} ({source.date or 'undated'}, {source.confidence})" for source in sources
    )


@policies_app.command("test")
def test(
    pack_id: PackArgument = None,
    today: TodayOption = None,
) -> None:
    """Run the fixtures of each pack and plan document and show every failure with its trace.

    Each failure names the fixture, what was checked, what the policy demands and what came,
    then every rule and criterion weighed with the facts behind it. A plan document's fixtures
    are decided as its members' cases are: the plan's exclusions, then its policy pack. Exit
    status 1 if any fixture fails.
    """
    from dermcover.cli._policies_view import day as _day
    from dermcover.cli._policies_view import folders, print_failure

    day = _day(today)
    total = failed = 0
    for folder in folders(pack_id):
        runs = folder.run_fixtures(today=day)
        failures = [run for run in runs if not run.passed]
        for run in failures:
            print_failure(folder, run)
        total += len(runs)
        failed += len(failures)
        status = "[red]FAIL[/]" if failures else "[green]ok[/]"
        shown = f"plan document {folder.pack.id}" if folder.plan is not None else folder.pack.id
        console.print(
            f"{status} {shown}: {counted(len(runs), 'fixture')}, {len(runs) - len(failures)} "
            f"passed, {len(failures)} failed"
        )
    console.print(f"{counted(total, 'fixture')}, {total - failed} passed, {failed} failed")
    if failed:
        raise typer.Exit(1)


@policies_app.command("lint")
def lint(
    pack_id: PackArgument = None,
    output: FormatOption = OutputFormat.text,
    today: TodayOption = None,
) -> None:
    """Find what a pack or plan document claims that its fixtures or sources do not back.

    Criteria no fixture shows met, not met and unknown; criteria no rule uses; undated or stale
    sources; rules that can never decide. Exit status 1 if there is any finding.
    """
    from rich.markup import escape

    from dermcover.cli._policies_view import day as _day
    from dermcover.cli._policies_view import folders
    from dermcover.engine.lint import lint_pack

    day = _day(today) or date.today()
    findings: list[Finding] = []
    checked = list(folders(pack_id))
    for folder in checked:
        determinations = [run.determination for run in folder.run_fixtures()]
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
        console.print(
            f"{counted(len(findings), 'finding')} in {_where(findings, checked)}", highlight=False
        )
    if findings:
        raise typer.Exit(1)


def _where(findings: list[Finding], checked: list[PackFolder]) -> str:
    """`2 of 7 packs`, `1 of 2 plan documents`, or both joined by `and`."""
    dirty = {finding.pack for finding in findings}
    packs = {folder.pack.id for folder in checked if folder.plan is None}
    plans = {folder.pack.id for folder in checked if folder.plan is not None}
    parts = []
    if packs or not plans:
        parts.append(f"{len(dirty & packs)} of {counted(len(packs), 'pack')}")
    if plans:
        parts.append(f"{len(dirty & plans)} of {counted(len(plans), 'plan document')}")
    return " and ".join(parts)


@policies_app.command("diff")
def diff(
    old: Annotated[
        str,
        typer.Argument(
            help="The old version: a pack or plan document folder, an id, or ID@REV (git)."
        ),
    ],
    new: Annotated[
        str,
        typer.Argument(
            help="The new version: a pack or plan document folder, an id, or ID@REV (git)."
        ),
    ],
    today: TodayOption = None,
) -> None:
    """Show every fixture case two versions of a pack or plan document decide differently.

    Both versions decide the fixtures of both; each change names the rule that decided each line
    before and after. Two versions of a plan document are each weighed before the pack they sit
    over. Exit status 1 if any case changes.
    """
    from dermcover.cli._policies_view import day as _day
    from dermcover.cli._policies_view import print_change, version
    from dermcover.engine.pack_diff import diff_packs, fixtures_of_both

    with version(old) as before, version(new) as after:
        if (before.plan is None) is not (after.plan is None):
            fail(f"{old} and {new}: compare a pack with a pack, or a plan document with a plan")
        fixtures = fixtures_of_both(before.fixtures, after.fixtures)
        day = _day(today) or after.pack.spec.reviewed
        changes = diff_packs(
            before.under or before.pack,
            after.under or after.pack,
            fixtures,
            today=day,
            plans=(before.plan, after.plan),
        )
        for change in changes:
            print_change(change)
        console.print(
            f"{len(changes)} of {len(fixtures)} fixture cases change outcome ({old} -> {new})",
            highlight=False,
        )
    if changes:
        raise typer.Exit(1)
