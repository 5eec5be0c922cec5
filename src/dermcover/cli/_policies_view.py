"""What `dermcover policies test`, `lint` and `diff` print, and how they find a pack's versions.

Imported only by those commands when they run (it needs the domain models at module level).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path

from rich.markup import escape

from dermcover.cli.app import console, fail
from dermcover.determination import CriterionResult, Line, Status
from dermcover.engine.fixture_runner import FixtureRun
from dermcover.engine.library import policies_dir
from dermcover.engine.pack_diff import CaseChange
from dermcover.engine.pack_files import (
    PACK_FILE,
    PLAN_FILE,
    PackFolder,
    open_pack_folder,
    open_plan_folder,
    pack_folders,
    plan_folders,
)
from dermcover.engine.plans import plans_dir
from dermcover.engine.revisions import folder_at
from dermcover.inputs import InputError

MARK = {Status.met: "✔", Status.not_met: "✘", Status.unknown: "?"}


def day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--today: {text!r} is not a date; use YYYY-MM-DD")


def folders(pack_id: str | None) -> Iterator[PackFolder]:
    """Every pack, then every plan document; or the one `pack_id` names."""
    if pack_id is None:
        for folder in pack_folders(policies_dir()):
            yield open_pack_folder(folder)
        for folder in plan_folders(plans_dir()):
            yield open_plan_folder(folder)
        return
    yield open_folder(pack_id)


def open_folder(pack_id: str) -> PackFolder:
    """A pack or plan document named by its folder's path or by its id."""
    as_path = Path(pack_id)
    if (as_path / PLAN_FILE).is_file() and not (as_path / PACK_FILE).is_file():
        return open_plan_folder(as_path)
    if (as_path / PACK_FILE).is_file():
        return open_pack_folder(as_path)
    if (policies_dir() / pack_id / PACK_FILE).is_file():
        return open_pack_folder(policies_dir() / pack_id)
    if (plans_dir() / pack_id / PLAN_FILE).is_file():
        return open_plan_folder(plans_dir() / pack_id)
    known = ", ".join(folder.name for folder in pack_folders(policies_dir()))
    plans = ", ".join(folder.name for folder in plan_folders(plans_dir())) or "none"
    fail(
        f"unknown policy pack {pack_id!r}: not a pack or plan document folder nor an id; "
        f"known: {known}; plan documents: {plans}"
    )


@contextmanager
def version(spec: str) -> Iterator[PackFolder]:
    """A pack or plan document folder, an id, or `ID@REV`: the pack or plan document as git
    holds it at revision REV."""
    as_path = Path(spec)
    if "@" not in spec or (as_path / PACK_FILE).is_file() or (as_path / PLAN_FILE).is_file():
        yield open_folder(spec)
        return
    item_id, revision = spec.rsplit("@", 1)
    is_plan = (plans_dir() / item_id / PLAN_FILE).is_file()
    home, filename = (plans_dir(), PLAN_FILE) if is_plan else (policies_dir(), PACK_FILE)
    with ExitStack() as stack:
        try:  # only finding and opening the version: the caller's errors are its own
            folder = stack.enter_context(folder_at(home / item_id, revision, filename))
            opened = open_plan_folder(folder) if is_plan else open_pack_folder(folder)
        except InputError as exc:
            fail(f"{spec}: {exc}")
        yield opened


def print_failure(folder: PackFolder, run: FixtureRun) -> None:
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


def print_change(change: CaseChange) -> None:
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
