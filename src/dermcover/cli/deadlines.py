"""`dermcover deadlines`: every due date that follows from one event, and the rule behind it."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.markup import escape
from rich.table import Table

from dermcover.cli.app import OutputFormat, app, console, fail
from dermcover.deadlines.kinds import EVENT_HELP, Event, PlanKind

if TYPE_CHECKING:
    from dermcover.deadlines.events import Deadlines

OPTION_FOR_FIELD = {
    "service_date": "--service-date",
    "window_days": "--window-days",
    "plan": "--plan",
    "event": "EVENT",
}
EnumT = TypeVar("EnumT", bound=StrEnum)


def parse_date(option: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option} = {text!r}: not a date that exists; use YYYY-MM-DD, e.g. 2025-04-01")


def parse_time(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        fail(f"--time = {text!r}: not a time of day; use HH:MM, e.g. 09:00")


def parse_choice(option: str, text: str, choices: type[EnumT]) -> EnumT:
    try:
        return choices(text)
    except ValueError:
        allowed = ", ".join(choice.value for choice in choices)
        fail(f"{option} = {text!r}: not known; allowed: {allowed}")


def shown(due: date | datetime) -> str:
    if isinstance(due, datetime):
        return due.strftime("%a %Y-%m-%d %H:%M")
    return due.strftime("%a %Y-%m-%d")


def print_deadlines(result: Deadlines) -> None:
    plan = f" ({result.plan.value})" if result.plan is not None else ""
    console.print(f"[bold]{result.event.value}[/] on {shown(result.on)}{plan}")
    if result.due:
        table = Table(show_lines=True)
        table.add_column("due", style="bold", no_wrap=True)
        table.add_column("what")
        table.add_column("rule", style="dim")
        for due in result.due:
            what = escape(due.rule)
            if due.rolled_from is not None:
                what += f"\n[dim]moved from {shown(due.rolled_from)}, not a business day[/]"
            if due.note:
                what += f"\n[dim]{escape(due.note)}[/]"
            table.add_row(shown(due.due), what, escape(due.citation))
        console.print(table)
    for note in result.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")


@app.command()
def deadlines(
    event: Annotated[
        str,
        typer.Argument(
            help="What happened: "
            + "; ".join(f"{name.value} ({text})" for name, text in EVENT_HELP.items())
        ),
    ],
    on: Annotated[str, typer.Option("--date", help="When it happened, YYYY-MM-DD.")],
    plan: Annotated[
        str | None,
        typer.Option(help="Kind of plan: " + ", ".join(p.value for p in PlanKind) + "."),
    ] = None,
    at: Annotated[
        str | None, typer.Option("--time", help="Time of receipt, HH:MM, for hour clocks.")
    ] = None,
    service_date: Annotated[
        str | None, typer.Option(help="Service date, YYYY-MM-DD (scheduled, scope-change).")
    ] = None,
    claim_type: Annotated[
        str | None,
        typer.Option(help="urgent, pre_service or post_service; default: all three."),
    ] = None,
    window_days: Annotated[
        int | None, typer.Option(help="A state plan's external-review window, in days.")
    ] = None,
    observed_holidays: Annotated[
        bool, typer.Option(help="Count the Friday/Monday a weekend holiday is observed on.")
    ] = False,
    closed: Annotated[
        list[str] | None,
        typer.Option(help="A day the clinic is closed, YYYY-MM-DD; repeat for more."),
    ] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="text for people, json for systems.")
    ] = OutputFormat.text,
) -> None:
    """Every due date that follows from EVENT, each with the rule and citation it comes from."""
    from dermcover.deadlines.calendar import BusinessCalendar
    from dermcover.deadlines.erisa import ClaimType
    from dermcover.deadlines.events import EventDetails, EventError, deadlines_for

    details = EventDetails(
        at=parse_time(at) if at is not None else time(0, 0),
        service_date=parse_date("--service-date", service_date) if service_date else None,
        claim_type=parse_choice("--claim-type", claim_type, ClaimType) if claim_type else None,
        window_days=window_days,
        calendar=BusinessCalendar.for_clinic(
            [parse_date("--closed", day) for day in closed or []],
            observed_holidays=observed_holidays,
        ),
    )
    if window_days is not None and window_days < 1:
        fail(f"--window-days = {window_days}: must be at least 1")
    try:
        result = deadlines_for(
            parse_choice("EVENT", event, Event),
            parse_date("--date", on),
            parse_choice("--plan", plan, PlanKind) if plan else None,
            details,
        )
    except EventError as exc:
        fail(f"{OPTION_FOR_FIELD.get(exc.field, exc.field)}: {exc}")
    if output is OutputFormat.json:
        console.print_json(result.model_dump_json())
        return
    print_deadlines(result)
