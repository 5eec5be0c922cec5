"""`dermcover codes search` and `dermcover codes show`: looking codes up by words or by code."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from dermcover.cli.app import OutputFormat, app, console, fail
from dermcover.codes import icd10

if TYPE_CHECKING:
    from dermcover.codes.procedures import ProcedureCode

codes_app = typer.Typer(
    name="codes",
    help="Look up ICD-10-CM diagnosis codes and the CPT/HCPCS procedure codes dermcover knows.",
    no_args_is_help=True,
)
app.add_typer(codes_app, name="codes")

FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="text for people, json for systems.")
]


@codes_app.command()
def search(
    query: Annotated[str, typer.Argument(help='Plain words, e.g. "burn scar left hand".')],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=200, help="How many.")] = 10,
    output: FormatOption = OutputFormat.text,
) -> None:
    """Find ICD-10-CM codes from plain words, best match first."""
    from dermcover.codes.search import search_icd10

    if not query.strip():
        fail('the search query is empty; give a few words, e.g. "actinic keratosis"')
    try:
        matches = search_icd10(query, limit)
    except ValueError as exc:
        fail(str(exc))
    if output is OutputFormat.json:
        console.print_json(json.dumps([asdict(match) for match in matches]))
        return
    if not matches:
        console.print(f"No ICD-10-CM code matches {escape(query)!r}.")
        return
    table = Table("Code", "Description", "Billable", "Score", title="ICD-10-CM (April 2026)")
    for match in matches:
        billable = "yes" if match.billable else "[yellow]header[/]"
        table.add_row(match.code, escape(match.description), billable, f"{match.score:.2f}")
    console.print(table)


@codes_app.command()
def show(
    code: Annotated[str, typer.Argument(help="An ICD-10-CM code (L57.0 or l570) or a CPT code.")],
    output: FormatOption = OutputFormat.text,
) -> None:
    """Show one code: its description, whether it can be billed, and what lies under it."""
    from dermcover.codes.checks import NOT_CODES, who_only_message
    from dermcover.codes.procedures import lookup

    compact = code.strip().upper()
    if not compact:
        fail("the code is empty; give an ICD-10-CM, CPT or HCPCS code, e.g. L57.0 or 15789")
    if compact in NOT_CODES:
        fail(NOT_CODES[compact])
    procedure = lookup(compact)
    if procedure is not None:
        _show(_procedure_facts(procedure), output)
        return
    if icd10.is_valid(compact):
        _show(_diagnosis_facts(icd10.normalise(compact)), output)
        return
    who_only = who_only_message(compact)
    if who_only is not None:
        fail(who_only)
    fail(
        f"{code.strip()} is neither an ICD-10-CM code nor a CPT or HCPCS code dermcover knows; "
        'to find a diagnosis code by its words, try: dermcover codes search "..."'
    )


def _procedure_facts(entry: ProcedureCode) -> dict[str, Any]:
    return {
        "code": entry.code,
        "system": entry.system,
        "description": entry.summary,
        "procedure_kinds": sorted(entry.kinds) if entry.kinds is not None else None,
        "depth": entry.depth,
        "facial": entry.facial,
        "unlisted": entry.unlisted,
    }


def _diagnosis_facts(code: str) -> dict[str, Any]:
    from dermcover.codes.conditions import rule_for

    rule = rule_for(code)
    return {
        "code": code,
        "system": "ICD-10-CM",
        "description": icd10.describe(code),
        "billable": icd10.is_billable(code),
        "also_called": icd10.inclusion_terms(code),
        "condition_kind": rule.implies.value if rule is not None and rule.implies else None,
        "children": [
            {"code": child, "description": icd10.describe(child)} for child in icd10.children(code)
        ],
    }


def _show(facts: dict[str, Any], output: OutputFormat) -> None:
    if output is OutputFormat.json:
        console.print_json(json.dumps(facts))
        return
    console.print(f"[bold]{facts['code']}[/]  {escape(facts['description'] or '')}")
    if facts["system"] == "ICD-10-CM":
        _print_diagnosis(facts)
    else:
        _print_procedure(facts)


def _print_diagnosis(facts: dict[str, Any]) -> None:
    if facts["billable"]:
        console.print("ICD-10-CM, billable")
    else:
        console.print("ICD-10-CM header: [yellow]cannot be billed[/]; choose a code under it")
    if facts["also_called"]:
        console.print("Also called: " + escape(", ".join(facts["also_called"])))
    if facts["condition_kind"]:
        console.print(f"dermcover reads it as condition kind: {facts['condition_kind']}")
    if facts["children"]:
        table = Table("Code", "Description", title="Codes under it")
        for child in facts["children"]:
            table.add_row(child["code"], escape(child["description"] or ""))
        console.print(table)


def _print_procedure(facts: dict[str, Any]) -> None:
    console.print(f"{facts['system']} (described in dermcover's own words)")
    if facts["unlisted"]:
        console.print(
            "Unlisted-procedure code: the claim needs a narrative and the records behind it."
        )
    if facts["procedure_kinds"]:
        console.print("Procedure kinds: " + ", ".join(facts["procedure_kinds"]))
    if facts["depth"]:
        console.print(f"Depth: {facts['depth']}")
    if facts["facial"] is not None:
        console.print("Site: " + ("face" if facts["facial"] else "off the face"))
