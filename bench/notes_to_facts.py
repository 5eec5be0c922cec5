"""Precision and recall of the note reader on the notes in docs/notes-to-facts/: the notes the
rules were written against (notes.yaml) and the held-out ones (held-out.yaml).

    python bench/notes_to_facts.py          # the tables for docs/notes-to-facts.md, and every miss
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import yaml

from dermcover.notes.proposals import read_note
from dermcover.notes.scoring import Score, expected_facts, proposed_facts

FOLDER = Path(__file__).resolve().parent.parent / "docs" / "notes-to-facts"
SETS = {"development": FOLDER / "notes.yaml", "held out": FOLDER / "held-out.yaml"}


def measure(path: Path) -> tuple[Score, int, float]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    score = Score()
    read_note("warm up")  # the first call builds the pipeline
    started = time.perf_counter()
    for entry in entries:
        reading = read_note(entry["note"])
        score.add(entry["fixture"], proposed_facts(reading), expected_facts(entry["expect"]))
    return score, len(entries), (time.perf_counter() - started) / len(entries)


def main() -> int:
    for name, path in SETS.items():
        print(f"## {name} ({path.name})\n")
        report(*measure(path))
        print()
    return 0


def report(score: Score, count: int, per_note: float) -> None:
    print(f"{count} notes, {per_note * 1000:.0f} ms a note\n")
    print("| field | proposed right | proposed wrong | missed | precision | recall |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in score.fields():
        print(
            f"| {name} | {score.true_positive[name]} | {score.false_positive[name]} "
            f"| {score.false_negative[name]} | {score.precision(name):.2f} "
            f"| {score.recall(name):.2f} |"
        )
    total = (
        sum(score.true_positive.values()),
        sum(score.false_positive.values()),
        sum(score.false_negative.values()),
    )
    print(
        f"| **all** | {total[0]} | {total[1]} | {total[2]} "
        f"| **{score.precision():.2f}** | **{score.recall():.2f}** |"
    )
    print("\nProposed wrong:")
    for source, fact in score.wrong:
        print(f"- {Path(source).parent.parent.name}/{Path(source).stem}: {fact[0]} = {fact[1]}")
    print("\nMissed:")
    for source, fact in score.misses:
        print(f"- {Path(source).parent.parent.name}/{Path(source).stem}: {fact[0]} = {fact[1]}")


if __name__ == "__main__":
    sys.exit(main())
