"""`dermcover batch`: a file of cases in, one result per line out, refused rows in a rejects
file with their row and the one-line error, a summary, and impact analysis between pack
versions. The expected outcomes are the fixtures' own (what the policy text demands)."""

from __future__ import annotations

import errno
import gc
import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from typer.testing import CliRunner

from dermcover.batch import json_array, sources
from dermcover.batch.allocator import FOR_BATCH, SETTINGS
from dermcover.batch.lines import unread_columns
from dermcover.batch.run import programs_of
from dermcover.batch.run import run as batch_run
from dermcover.batch.sinks import FolderSink, LineSink, RejectSink
from dermcover.batch.sources import chunks
from dermcover.cli import app
from dermcover.engine import library
from dermcover.engine.compile.derived import DerivedValues
from dermcover.engine.compile.flat import rows_of
from dermcover.engine.compile.polars import Decider, frame_of
from dermcover.engine.fixtures import load_fixtures
from dermcover.engine.plans import plan_library
from dermcover.inputs import InputError

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def fixture_cases(pack_id: str) -> list[tuple[dict[str, Any], list[str]]]:
    """Each fixture's case (under its pack) with the line outcomes the policy demands."""
    packs = library()
    out = []
    for _, fixture in load_fixtures(packs.folder / pack_id):
        expected = fixture.expect.lines or [fixture.expect.outcome] * len(fixture.case.procedures)
        data = fixture.case.model_dump(mode="json", exclude_none=True)
        data.setdefault("payer", {})["policy"] = pack_id
        out.append((data, [outcome.value for outcome in expected]))
    return out


BAD_KIND = {"id": "bad-kind", "procedures": [{"kind": "tattoo_laser"}]}
BAD_POLICY = {
    "id": "bad-policy",
    "payer": {"policy": "nosuch"},
    "procedures": [{"kind": "chemical_peel"}],
}


def test_a_file_with_bad_rows_is_decided_and_the_bad_rows_are_rejected(tmp_path: Path) -> None:
    cases = fixture_cases("aetna")[:8]
    lines = [json.dumps(case) for case, _ in cases[:3]]
    lines += [json.dumps(BAD_KIND), "{not json", json.dumps(BAD_POLICY)]
    lines += [json.dumps(case) for case, _ in cases[3:]]
    source = tmp_path / "cases.ndjson"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "results.parquet"

    code, stdout, _ = run("batch", str(source), "--out", str(out))

    assert code == 0
    rejects = [
        json.loads(line) for line in (tmp_path / "results.rejects.ndjson").read_text().splitlines()
    ]
    assert [reject["row"] for reject in rejects] == [4, 5, 6]
    assert rejects[0]["case_id"] == "bad-kind"
    assert rejects[0]["error"].startswith(f"{source}:4: procedures[0].kind = 'tattoo_laser': ")
    assert "allowed: microneedling" in rejects[0]["error"]
    assert rejects[1]["error"].startswith(f"{source}:5: not valid JSON")
    assert "payer.policy = 'nosuch': unknown policy; available: aetna" in rejects[2]["error"]
    assert all("\n" not in reject["error"] for reject in rejects)

    results = pl.read_parquet(out)
    expected = [outcome for _, outcomes in cases for outcome in outcomes]
    assert results["outcome"].to_list() == expected
    assert sorted(set(results["row"])) == [1, 2, 3, 7, 8, 9, 10, 11]
    assert re.search(r"rejected rows\s*│\s*3\s*│", stdout)
    assert re.search(rf"decided\s*│\s*{len(expected)}\s*│\s*{len(cases)}\s*│", stdout)
    for outcome in set(expected):
        assert re.search(rf"{outcome}\s*│\s*{expected.count(outcome)}\s*│", stdout)
    assert "11 rows read" in stdout
    # The paths whole, however wide: a person copies them from here.
    assert f"results in {out}; 3 rejects in {tmp_path / 'results.rejects.ndjson'}\n" in stdout


# Cases refused for what one or several of their sections hold, or for values the section
# checks never see (a number where text belongs, a key the case does not know).
REFUSED = [
    {"id": "ages", "patient": {"age": 200}, "procedures": [{"kind": "chemical_peel"}]},
    {
        "id": "several",
        "patient": {"age": 200},
        "condition": {"lesion_count": -1},
        "procedures": [{"kind": "microneedling", "sessions": 0}, {"kind": "nosuch"}],
    },
    {"id": "second-line", "procedures": [{"kind": "chemical_peel"}, {"code": ""}]},
    {
        "id": "treatment",
        "prior_treatments": [{"name": "cryotherapy", "kind": "retinoid"}],
        "procedures": [{"kind": "cryotherapy"}],
    },
    {
        "id": "not-a-day",
        "patient": {"birth_date": "2020-02-30"},
        "procedures": [{"kind": "chemical_peel"}],
    },
    {
        "id": "future",
        "patient": {"birth_date": "2999-01-01"},
        "procedures": [{"kind": "chemical_peel"}],
    },
    {"id": "code-as-number", "procedures": [{"code": 15789}]},
    {"id": "unknown-key", "procedures": [{"kind": "chemical_peel"}], "colour": "blue"},
    {
        "id": "none-listed",
        "condition": {"diagnoses": ["L57.0", None]},
        "procedures": [{"kind": "chemical_peel"}],
    },
    {"id": "no-lines", "procedures": []},
]


def test_a_refused_case_gets_the_error_check_gives_its_file(tmp_path: Path) -> None:
    """Whether a case is refused by a section check or by the case model, its reject carries
    what `dermcover check` says of the same case as a file of its own, every problem counted;
    the good cases around them are decided."""
    good = fixture_cases("aetna")[:2]
    source = tmp_path / "cases.ndjson"
    lines = [good[0][0], *REFUSED, good[1][0]]
    source.write_text("".join(json.dumps(case) + "\n" for case in lines), encoding="utf-8")

    code, _, _ = run("batch", str(source), "--out", str(tmp_path / "out.ndjson"))

    assert code == 0
    rejects = [json.loads(x) for x in (tmp_path / "out.rejects.ndjson").read_text().splitlines()]
    assert [r["row"] for r in rejects] == list(range(2, 2 + len(REFUSED)))
    for reject, case in zip(rejects, REFUSED, strict=True):
        alone = tmp_path / f"{case['id']}.json"
        alone.write_text(json.dumps(case), encoding="utf-8")
        checked, _, said = run("check", str(alone))
        assert checked != 0
        assert said.startswith(f"error: {alone}:1: ")
        told = said.removeprefix(f"error: {alone}:1: ").strip()
        assert reject["error"] == f"{source}:{reject['row']}: {told}"
        assert reject["case_id"] == case["id"]
    results = pl.read_ndjson(tmp_path / "out.ndjson")
    assert results["outcome"].to_list() == good[0][1] + good[1][1]


# JSON lines that hold what a case file may not, each with the error it gets.
HOSTILE = [
    (
        '{"id": "a", "procedures": [{"kind": "chemical_peel", "code": "\\ud800"}]}',
        "procedures[0].code: text holds a lone surrogate (not Unicode text)",
    ),
    (
        '{"id": "a", "id": "b", "procedures": [{"kind": "chemical_peel"}]}',
        "duplicate field 'id': give each field once",
    ),
    (
        '{"id": "a\\u0000", "procedures": [{"kind": "chemical_peel"}]}',
        "id: text holds a NUL character, which no field allows",
    ),
    (
        '{"patient": {"age": 1%s}, "procedures": [{"kind": "chemical_peel"}]}' % ("0" * 4999),
        "patient.age: a number of 5,000 digits; at most 30 are allowed",
    ),
]


@pytest.mark.parametrize("layout", ["ndjson", "json"])
def test_json_a_case_file_may_not_hold_is_refused_row_by_row(tmp_path: Path, layout: str) -> None:
    """A text with a NUL or half a surrogate pair, a field named twice, a number of
    thousands of digits: each row is refused with what is wrong and where, never a crash,
    and the rows around them are decided."""
    good = '{"id": "ok", "procedures": [{"kind": "chemical_peel"}]}'
    emoji = '{"id": "\\ud83d\\ude00", "procedures": [{"kind": "chemical_peel"}]}'
    texts = [good, *(text for text, _ in HOSTILE), emoji]
    source = tmp_path / f"cases.{layout}"
    if layout == "ndjson":
        texts.append("[" * 50_000 + "]" * 50_000)
        source.write_text("\n".join(texts) + "\n", encoding="utf-8")
    else:
        source.write_text("[" + ",\n".join(texts) + "]", encoding="utf-8")

    code, _, _ = run("batch", str(source), "--out", str(tmp_path / "out.ndjson"))

    assert code == 0
    rejects = [json.loads(x) for x in (tmp_path / "out.rejects.ndjson").read_text().splitlines()]
    where = (
        (lambda row: f"{source}:{row}")
        if layout == "ndjson"
        else (lambda row: f"{source} row {row}")
    )
    told = [f"{where(n)}: {error}" for n, (_, error) in enumerate(HOSTILE, start=2)]
    if layout == "ndjson":
        told.append(f"{where(len(texts))}: nested deeper than 32 levels (the limit)")
    assert [r["error"] for r in rejects] == told
    results = pl.read_ndjson(tmp_path / "out.ndjson")
    assert results["case_id"].to_list() == ["ok", "\N{GRINNING FACE}"]


def test_an_ndjson_line_longer_than_a_case_may_be_is_refused_and_read_past(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A line past the size a case may take (as in a JSON array) is refused without being
    held whole, and the lines after it are decided, their numbers still their lines'."""
    monkeypatch.setattr(json_array, "MOST", 1 << 11)
    monkeypatch.setattr(sources, "_BLOCK", 100)  # the rest of the long line read in pieces
    good = '{"id": "ok", "procedures": [{"kind": "chemical_peel"}]}'
    long = json.dumps({"id": "x" * 5000, "procedures": [{"kind": "chemical_peel"}]})
    source = tmp_path / "cases.ndjson"
    source.write_text("\n".join([good, long, good, long]), encoding="utf-8")  # no last newline

    code, _, _ = run("batch", str(source), "--out", str(tmp_path / "out.ndjson"))

    assert code == 0
    rejects = [json.loads(x) for x in (tmp_path / "out.rejects.ndjson").read_text().splitlines()]
    too_long = "a case takes more than 2,048 bytes of JSON text, the most one case may take"
    assert [r["error"] for r in rejects] == [f"{source}:{n}: {too_long}" for n in (2, 4)]
    assert pl.read_ndjson(tmp_path / "out.ndjson")["row"].to_list() == [1, 3]


def test_loosely_spelled_cases_are_decided_as_their_plain_spelling(tmp_path: Path) -> None:
    """Numbers as text, codes in lower case, nulls for unknown, a whole number where a
    decimal belongs: the case model reads them as a case file's, and the lines are decided
    as the fixtures' own cases are."""
    cases = fixture_cases("aetna")
    loose = []
    for case, _ in cases:
        case = json.loads(json.dumps(case))
        for line in case["procedures"]:
            line["sessions"] = str(line.get("sessions", 1))
            if "code" in line:
                line["code"] = f" {line['code'].lower()} "
            line["depth"] = line.get("depth")
        condition = case.setdefault("condition", {})
        if condition.get("diagnoses"):
            condition["diagnoses"] = [code.lower() for code in condition["diagnoses"]]
        if "body_surface_percent" in condition:
            condition["body_surface_percent"] = int(condition["body_surface_percent"])
        case["purpose"] = case.get("purpose")
        loose.append(case)
    assert any(case["condition"].get("diagnoses") for case in loose)
    source = tmp_path / "cases.ndjson"
    source.write_text("".join(json.dumps(case) + "\n" for case in loose), encoding="utf-8")

    code, _, _ = run("batch", str(source), "--out", str(tmp_path / "out.parquet"))

    assert code == 0
    assert (tmp_path / "out.rejects.ndjson").read_text() == ""
    results = pl.read_parquet(tmp_path / "out.parquet")
    assert results["outcome"].to_list() == [o for _, outcomes in cases for o in outcomes]


def test_a_line_broken_off_is_refused_at_its_end_not_the_next_lines_start(
    tmp_path: Path,
) -> None:
    broken = '{"procedures": [{"kind": "microneedling"}'  # 41 characters, the last `}`
    source = tmp_path / "cases.ndjson"
    source.write_text(f"{broken}\n{broken}", encoding="utf-8")  # the last line unended

    code, _, stderr = run("batch", str(source), "--out", str(tmp_path / "out.parquet"))

    assert code == 0, stderr
    rejects = [json.loads(line) for line in (tmp_path / "out.rejects.ndjson").open()]
    assert [reject["error"] for reject in rejects] == [
        f"{source}:{row}: not valid JSON (Expecting ',' delimiter, column 42)" for row in (1, 2)
    ]


def test_the_summary_counts_one_row_and_one_reject_in_the_singular(tmp_path: Path) -> None:
    source = tmp_path / "one.ndjson"
    source.write_text('{"procedures": [{"kind": "tattoo_laser"}]}\n', encoding="utf-8")
    out = tmp_path / "out.parquet"

    code, stdout, stderr = run("batch", str(source), "--out", str(out))

    assert code == 0, stderr
    assert "1 row read in" in stdout
    assert f"; 1 reject in {tmp_path / 'out.rejects.ndjson'}" in stdout


@pytest.mark.parametrize("ending", ["\n", ""], ids=["last line ended", "last line unended"])
def test_the_progress_bar_knows_an_ndjson_files_rows(tmp_path: Path, ending: str) -> None:
    cases = [json.dumps(case) for case, _ in fixture_cases("aetna")[:5]]
    source = tmp_path / "cases.ndjson"
    source.write_text("\n".join([*cases[:2], "", *cases[2:]]) + ending, encoding="utf-8")

    code, stdout, stderr = run("batch", str(source), "--out", str(tmp_path / "out.parquet"))

    assert code == 0, stderr
    assert "6 rows read" in stdout  # the blank line is a row, skipped
    assert re.search(r"deciding .* 6/6 ", stderr), stderr  # a total, not 6/?


@pytest.mark.parametrize("name", ["cases.ndjson.gz", "cases.jsonl.gz", "cases.json.gz"])
def test_gzip_compressed_cases_are_decided_as_they_decompress(tmp_path: Path, name: str) -> None:
    cases = fixture_cases("aetna")[:6]
    if name.startswith("cases.json."):
        text = json.dumps([case for case, _ in cases])
    else:
        text = "".join(json.dumps(case) + "\n" for case, _ in cases)
    source = tmp_path / name
    source.write_bytes(gzip.compress(text.encode("utf-8")))

    code, stdout, stderr = run("batch", str(source), "--out", str(tmp_path / "out.parquet"))

    assert code == 0, stderr
    results = pl.read_parquet(tmp_path / "out.parquet")
    assert results["outcome"].to_list() == [o for _, outcomes in cases for o in outcomes]
    assert "6 rows read" in stdout
    if not name.startswith("cases.json."):
        assert re.search(r"deciding .* 6/6 ", stderr), stderr  # its lines counted


@pytest.mark.parametrize("name", ["cases.ndjson.gz", "cases.json.gz"])
def test_a_compressed_file_cut_short_stops_the_run_at_its_row(tmp_path: Path, name: str) -> None:
    cases = [case for case, _ in fixture_cases("aetna")] * 40
    if name.startswith("cases.json."):
        text = json.dumps(cases)
    else:
        text = "".join(json.dumps(case) + "\n" for case in cases)
    whole = gzip.compress(text.encode("utf-8"))
    source = tmp_path / name
    source.write_bytes(whole[: len(whole) * 2 // 3])
    out = tmp_path / "out.parquet"

    code, _, stderr = run("batch", str(source), "--out", str(out))

    assert code == 2
    message = stderr.strip().splitlines()[-1]
    assert re.fullmatch(
        rf"error: {re.escape(str(source))}: cannot be read from row [0-9,]+ on "
        r"\(Compressed file ended before the end-of-stream marker was reached\); "
        r"the run stops there",
        message,
    ), message
    assert sorted(path.name for path in tmp_path.iterdir()) == [name]  # nothing written


def plan_fixture_cases(plan_id: str) -> list[tuple[dict[str, Any], list[str]]]:
    """A plan document's fixtures with the line outcomes the plan and its policy demand."""
    out = []
    for _, fixture in load_fixtures(plan_library().folder / plan_id):
        expected = fixture.expect.lines or [fixture.expect.outcome] * len(fixture.case.procedures)
        data = fixture.case.model_dump(mode="json", exclude_none=True)
        out.append((data, [outcome.value for outcome in expected]))
    return out


def test_cases_naming_a_plan_are_decided_under_its_exclusions(tmp_path: Path) -> None:
    cases = plan_fixture_cases("uhc-mmc-2026")
    unknown = {"id": "no-plan", "payer": {"plan": "nosuch-plan"}, "procedures": [{"code": "17000"}]}
    elsewhere = {
        "id": "other-policy",
        "payer": {"policy": "aetna", "plan": "uhc-mmc-2026"},
        "procedures": [{"code": "17000"}],
    }
    rows = [row for case, _ in cases for row in rows_of(case)]
    rows += rows_of(unknown) + rows_of(elsewhere)
    source = tmp_path / "flat.parquet"
    frame_of(rows).write_parquet(source)
    out = tmp_path / "results.ndjson"

    code, _, _ = run("batch", str(source), "--out", str(out))

    assert code == 0
    results = pl.read_ndjson(out)
    assert results["outcome"].to_list() == [o for _, outcomes in cases for o in outcomes]
    assert set(results["policy"]) == {"uhc"}
    rejects = [
        json.loads(line) for line in out.with_suffix(".rejects.ndjson").read_text().splitlines()
    ]
    assert [reject["case_id"] for reject in rejects] == ["no-plan", "other-policy"]
    assert (
        "payer.plan: unknown plan 'nosuch-plan'; available: uhc-coc-sample" in rejects[0]["error"]
    )
    assert (
        "plan 'uhc-mmc-2026' sits over policy 'uhc', but the case is decided under 'aetna'"
        in (rejects[1]["error"])
    )


def test_a_line_no_pack_can_decide_refuses_its_whole_case_row_by_row(tmp_path: Path) -> None:
    """A flat case whose second line names a policy that does not exist: that row is refused
    with the policy's error, and its first line, which alone could be decided, is refused as
    not decided because of it. No row of the input goes missing from both outputs."""
    cases = fixture_cases("aetna")[:4]
    rows = [
        row
        for number, (case, _) in enumerate(cases)
        for row in rows_of({**case, "id": f"case-{number}"})
    ]
    two_lines = {**cases[0][0], "id": "two-lines", "procedures": [{"code": "17000"}] * 2}
    added = rows_of(two_lines)
    added[1]["payer.policy"] = "nosuch"
    rows += added
    source = tmp_path / "lines.parquet"
    frame_of(rows).write_parquet(source)

    code, _, _ = run("batch", str(source), "--out", str(tmp_path / "out.ndjson"))

    assert code == 0
    rejects = [json.loads(x) for x in (tmp_path / "out.rejects.ndjson").read_text().splitlines()]
    first, second = len(rows) - 1, len(rows)
    assert rejects == [
        {
            "row": first,
            "case_id": "two-lines",
            "error": f"{source} row {first}: not decided: row {second} of the same case is refused",
        },
        {
            "row": second,
            "case_id": "two-lines",
            "error": f"{source} row {second}: payer.policy = 'nosuch': unknown policy; "
            f"available: {', '.join(sorted(library().packs))}",
        },
    ]
    decided = pl.read_ndjson(tmp_path / "out.ndjson")
    assert decided["outcome"].to_list() == [o for _, outcomes in cases for o in outcomes]


def test_a_flat_parquet_file_rejects_a_bad_line_and_the_rest_of_its_case(tmp_path: Path) -> None:
    cases = fixture_cases("uhc")
    rows = [
        row
        for number, (case, _) in enumerate(cases)
        for row in rows_of({**case, "id": f"case-{number}"})
    ]
    two_lines = next(n for n, row in enumerate(rows) if row["line"] == 1)
    rows[two_lines]["procedure.site"] = "elbow"  # not a site the case format knows
    rows[0]["condition.diagnoses"] = ["l57.0"]  # lower case: normalised, as a case file is
    source = tmp_path / "lines.parquet"
    frame_of(rows).write_parquet(source)

    code, _, _ = run("batch", str(source), "--out", str(tmp_path / "out.ndjson"))

    assert code == 0
    rejects = [json.loads(x) for x in (tmp_path / "out.rejects.ndjson").read_text().splitlines()]
    bad_row = two_lines + 1
    first = next(r for r in rejects if r["row"] == bad_row)
    assert first["error"].startswith(f"{source} row {bad_row}: procedures[1].site = 'elbow'")
    siblings = [r for r in rejects if r["row"] != bad_row]
    assert siblings and all(r["case_id"] == first["case_id"] for r in siblings)
    assert all(f"row {bad_row} of the same case is refused" in r["error"] for r in siblings)
    decided = pl.read_ndjson(tmp_path / "out.ndjson")
    assert decided.height == len(rows) - len(rejects)
    assert first["case_id"] not in set(decided["case_id"])


def test_flat_conditions_are_decided_as_checked_and_a_refused_one_costs_only_its_case(
    tmp_path: Path,
) -> None:
    """A flat file's values are decided as the case model leaves them (codes given in lower
    case derive the condition kind as their upper case does), and a condition the checks
    refuse costs only its own case."""
    rows, expected = [], []
    for number, (case, outcomes) in enumerate(fixture_cases("medicare") + fixture_cases("aetna")):
        for row in rows_of({**case, "id": f"case-{number}"}):
            codes = row["condition.diagnoses"]
            row["condition.diagnoses"] = [code.lower() for code in codes] if codes else codes
            rows.append(row)
        expected += outcomes
    assert any(row["condition.diagnoses"] and not row["condition.kind"] for row in rows)
    rows[0]["condition.cause"] = "volcano"  # not a cause the case format knows
    source = tmp_path / "lines.parquet"
    frame_of(rows).write_parquet(source)

    code, _, _ = run("batch", str(source), "--out", str(tmp_path / "out.parquet"))

    assert code == 0
    refused = [json.loads(x) for x in (tmp_path / "out.rejects.ndjson").read_text().splitlines()]
    assert "condition.cause = 'volcano'" in refused[0]["error"]
    kept = [n for n, row in enumerate(rows) if row["case_id"] != rows[0]["case_id"]]
    results = pl.read_parquet(tmp_path / "out.parquet")
    assert results["row"].to_list() == [n + 1 for n in kept]
    assert results["outcome"].to_list() == [expected[n] for n in kept]


def test_a_flat_row_whose_line_is_not_a_place_in_its_case_is_refused(tmp_path: Path) -> None:
    """`line` is the line's place in `procedures`: unknown, below 0 or past the 50 lines a case
    may have, it names no line, so its row is refused (and with it its case) rather than
    decided and reported as a line that does not exist."""
    cases = fixture_cases("uhc")
    rows = [
        row
        for number, (case, _) in enumerate(cases)
        for row in rows_of({**case, "id": f"case-{number}"})
    ]
    missing, negative, past = [n for n, row in enumerate(rows) if row["line"] == 0 and n][:3]
    rows[missing]["line"] = None
    rows[negative]["line"] = -1
    rows[past]["line"] = 50
    source = tmp_path / "lines.parquet"
    frame_of(rows).write_parquet(source)

    code, _, _ = run("batch", str(source), "--out", str(tmp_path / "out.ndjson"))

    assert code == 0
    rejects = {
        r["row"]: r
        for r in map(json.loads, (tmp_path / "out.rejects.ndjson").read_text().splitlines())
    }
    assert rejects[missing + 1]["error"] == (
        f"{source} row {missing + 1}: line: required field is missing"
    )
    for n, value in ((negative, -1), (past, 50)):
        assert rejects[n + 1]["error"].startswith(
            f"{source} row {n + 1}: line = {value}: should be from 0 to 49"
        )
    decided = pl.read_ndjson(tmp_path / "out.ndjson")
    refused_ids = {rows[n]["case_id"] for n in (missing, negative, past)}
    assert not refused_ids & set(decided["case_id"])
    assert decided["line"].is_between(0, 49).all()
    assert decided.height + len(rejects) == len(rows)


@pytest.mark.parametrize("chunk", [1, 3, 7, 100_000])
def test_flat_parquet_is_decided_the_same_whatever_the_chunks(tmp_path: Path, chunk: int) -> None:
    """Chunks end mid-case (and a case is longer than the smallest chunk): every line still
    gets its fixture's outcome, its own input row, and its whole case's outcome, and a case
    with a refused line is refused whole, its rows in order."""
    rows, expected, cases = [], [], []
    for number, (case, outcomes) in enumerate(fixture_cases("uhc") + fixture_cases("cigna")):
        rows += rows_of({**case, "id": f"case-{number}"})
        expected += outcomes
        cases += [set(outcomes)] * len(outcomes)
    longest = max(range(len(rows)), key=lambda n: rows[n]["line"])  # a long case's last line
    assert rows[longest]["line"] >= 3
    refused_id = rows[longest]["case_id"]
    rows[longest]["procedure.site"] = "elbow"  # not a site the case format knows
    source = tmp_path / "lines.parquet"
    frame_of(rows).write_parquet(source, row_group_size=5)  # row groups across the chunks
    out, rejects = LineSink(tmp_path / "out.parquet"), RejectSink(tmp_path / "rejects.ndjson")

    summary = batch_run(
        source, out, rejects, library(), policy=None, today=date.today(), chunk_size=chunk
    )
    out.close(pl.DataFrame())
    rejects.close()

    kept = [n for n, row in enumerate(rows) if row["case_id"] != refused_id]
    results = pl.read_parquet(tmp_path / "out.parquet")
    assert results["row"].to_list() == [n + 1 for n in kept]
    assert results["outcome"].to_list() == [expected[n] for n in kept]
    whole = [next(iter(cases[n])) if len(cases[n]) == 1 else "mixed" for n in kept]
    assert results["case_outcome"].to_list() == whole
    refused = [json.loads(x) for x in (tmp_path / "rejects.ndjson").read_text().splitlines()]
    in_case = [n + 1 for n, row in enumerate(rows) if row["case_id"] == refused_id]
    assert [reject["row"] for reject in refused] == in_case
    where = f"{source} row {longest + 1}: procedures[{rows[longest]['line']}].site = 'elbow'"
    assert refused[-1]["error"].startswith(where)
    assert (summary.rows, summary.lines, summary.rejects) == (len(rows), len(kept), len(in_case))
    assert summary.cases == len({row["case_id"] for row in rows}) - 1


def test_the_output_carries_the_questions_fields_and_the_case_outcome(tmp_path: Path) -> None:
    case = {
        "id": "open",
        "payer": {"policy": "generic"},
        "procedures": [{"kind": "microneedling"}, {"kind": "chemical_peel", "depth": "dermal"}],
    }
    source = tmp_path / "one.json"
    source.write_text(json.dumps([case]), encoding="utf-8")
    code, _, _ = run("batch", str(source), "--out", str(tmp_path / "out.ndjson"))
    assert code == 0
    lines = [json.loads(x) for x in (tmp_path / "out.ndjson").read_text().splitlines()]
    assert [line["line"] for line in lines] == [0, 1]
    first = lines[0]
    assert first["outcome"] == "insufficient_information"
    assert first["decided_by"] is None and first["prior_authorization"] == "unknown"
    assert "condition.kind" in first["questions"]
    assert {line["case_outcome"] for line in lines} <= {"insufficient_information", "mixed"}


def test_the_results_parquet_holds_plain_text_for_any_reader(tmp_path: Path) -> None:
    """The outcome columns are carried as codes inside the run; the file still holds text,
    which a reader without polars gets as text, not as a dictionary type."""
    cases = [data for data, _ in fixture_cases("generic")]
    source = tmp_path / "cases.json"
    source.write_text(json.dumps(cases), encoding="utf-8")
    out = tmp_path / "out.parquet"
    code, _, _ = run("batch", str(source), "--out", str(out))
    assert code == 0
    table = pq.read_table(out)
    for name in ("policy", "outcome", "decided_by", "prior_authorization", "case_outcome"):
        assert pa.types.is_string(table.schema.field(name).type), name
    expected = [outcome for _, outcomes in fixture_cases("generic") for outcome in outcomes]
    assert table.column("outcome").to_pylist() == expected


FREE_TEXT = {"patient.name": "Jane Example", "provider.phone": "555-0100"}


def test_free_text_nothing_looks_at_is_left_unread(tmp_path: Path) -> None:
    """Names and phone numbers no check, fact or result looks at are not read: no pack's
    decision reads one, a file holding them decides as the fixtures demand, and a column of
    them of a type the layout cannot take is still refused by name."""
    unread = unread_columns()
    assert set(FREE_TEXT) <= unread
    decider = Decider(programs_of(library(), plan_library()), DerivedValues(date.today()))
    assert not decider.columns_read() & unread
    rows, expected = [], []
    for number, (case, outcomes) in enumerate(fixture_cases("aetna") + fixture_cases("uhc")):
        rows += [{**row, **FREE_TEXT} for row in rows_of({**case, "id": f"case-{number}"})]
        expected += outcomes
    source = tmp_path / "lines.parquet"
    frame_of(rows).write_parquet(source)

    code, _, _ = run("batch", str(source), "--out", str(tmp_path / "out.parquet"))

    assert code == 0
    assert pl.read_parquet(tmp_path / "out.parquet")["outcome"].to_list() == expected
    first = next(chunks(source, len(rows), unread_columns())).lines
    assert first["patient.name"].null_count() == first.height  # never in memory
    assert first["procedure.kind"].null_count() < first.height
    bad = tmp_path / "bad.parquet"
    frame_of(rows).with_columns(pl.concat_list("patient.name")).write_parquet(bad)
    code, _, stderr = run("batch", str(bad), "--out", str(tmp_path / "bad.parquet.out.parquet"))
    assert code != 0
    assert f"{bad}: column 'patient.name' is List(String), the layout wants String" in stderr


def _changed_pack(tmp_path: Path) -> Path:
    """A copy of the aetna pack whose first covered rule now excludes as cosmetic instead."""
    copy = tmp_path / "aetna-next" / "aetna"
    shutil.copytree(library().folder / "aetna", copy)
    data = yaml.safe_load((copy / "policy.yaml").read_text(encoding="utf-8"))
    changed = next(rule for rule in data["rules"] if rule["outcome"] == "covered")
    changed["outcome"] = "not_covered_not_medically_necessary"
    changed.pop("prior_authorization")
    changed.pop("listed", None)
    (copy / "policy.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return copy.parent


def test_compare_reports_the_lines_a_pack_change_moves(tmp_path: Path) -> None:
    cases = fixture_cases("aetna")
    source = tmp_path / "cases.ndjson"
    source.write_text("\n".join(json.dumps(case) for case, _ in cases), encoding="utf-8")
    other = _changed_pack(tmp_path)
    out = tmp_path / "now.parquet"

    code, stdout, stderr = run(
        "batch", str(source), "--out", str(out), "--policy", "aetna",
        "--compare", f"aetna@{other}",
    )  # fmt: skip

    assert code == 0, stderr
    changes = pl.read_parquet(tmp_path / "now.changes.parquet")
    now = pl.read_parquet(out)
    assert changes.height >= 1
    assert set(changes["outcome_after"]) <= {
        "not_covered_not_medically_necessary",
        "insufficient_information",
    }
    assert set(changes["outcome_before"]) & {"covered", "covered_with_prior_auth"}
    # Every changed line is a line of the run, with the result the run gave it.
    merged = changes.join(now, on=["row", "line"])
    assert (merged["outcome_before"] == merged["outcome"]).all()
    assert "Lines that change under" in stdout and f"{changes.height:,} of" in stdout


def test_compare_with_an_unchanged_pack_says_no_line_changes(tmp_path: Path) -> None:
    cases = fixture_cases("aetna")
    source = tmp_path / "cases.ndjson"
    source.write_text("\n".join(json.dumps(case) for case, _ in cases), encoding="utf-8")
    same = tmp_path / "aetna-same" / "aetna"
    shutil.copytree(library().folder / "aetna", same)
    out = tmp_path / "now.parquet"

    code, stdout, stderr = run(
        "batch", str(source), "--out", str(out), "--policy", "aetna",
        "--compare", f"aetna@{same.parent}",
    )  # fmt: skip

    assert code == 0, stderr
    lines = pl.read_parquet(out).height
    assert f"No line changes under aetna@{same.parent}" in " ".join(stdout.split())
    assert f"the {lines:,} lines compared keep their outcome" in " ".join(stdout.split())
    assert pl.read_parquet(tmp_path / "now.changes.parquet").height == 0


def test_compare_at_a_revision_that_does_not_exist_is_one_line(tmp_path: Path) -> None:
    source = tmp_path / "cases.ndjson"
    source.write_text(json.dumps(fixture_cases("aetna")[0][0]), encoding="utf-8")
    code, _, stderr = run(
        "batch", str(source), "--out", str(tmp_path / "o.parquet"),
        "--compare", "aetna@no-such-revision-anywhere",
    )  # fmt: skip
    assert code == 2
    assert "no-such-revision-anywhere" in stderr
    assert len(stderr.strip().splitlines()) == 1


def test_compare_when_no_line_is_under_the_pack_says_so_and_how_to_put_them_there(
    tmp_path: Path,
) -> None:
    source = tmp_path / "cases.ndjson"
    source.write_text('{"procedures": [{"kind": "microneedling"}]}\n', encoding="utf-8")
    out = tmp_path / "now.parquet"

    code, stdout, stderr = run(
        "batch", str(source), "--out", str(out), "--compare", f"aetna@{library().folder}",
    )  # fmt: skip

    assert code == 0, stderr
    assert pl.read_parquet(out)["policy"].to_list() == ["generic"]
    told = " ".join(stdout.split())
    assert "No line was decided under aetna, so none was compared" in told
    assert "give --policy aetna to decide every case under it" in told
    assert "No line changes" not in told


@pytest.mark.parametrize("where", ["revision", "folder"])
def test_compare_with_a_pack_the_version_lacks_names_the_packs_it_has(
    tmp_path: Path, where: str
) -> None:
    source = tmp_path / "cases.ndjson"
    source.write_text(json.dumps(fixture_cases("aetna")[0][0]), encoding="utf-8")
    version = "HEAD" if where == "revision" else str(library().folder)
    code, _, stderr = run(
        "batch", str(source), "--out", str(tmp_path / "o.parquet"),
        "--compare", f"nosuch@{version}",
    )  # fmt: skip
    assert code == 2
    message = " ".join(stderr.split())
    if where == "revision":
        assert "revision HEAD has no policies/nosuch/policy.yaml; it has: aetna, anthem" in message
    else:
        assert f"{version} holds no policy.yaml for nosuch; it holds: aetna, anthem" in message
    assert len(stderr.strip().splitlines()) == 1


UNUSABLE = [
    ("cases.csv", "unknown input type .csv"),
    ("missing.ndjson", "no such file"),
    ("missing.parquet", "no such file"),
    ("folder.parquet", "is a folder, not a file"),
    ("text.parquet", "not a Parquet file that can be read"),
    ("latin1.json", "not UTF-8 text (byte 10 is 0xe9)"),
    ("cases.parquet.gz", "a Parquet file compresses its own columns; give the .parquet file"),
    ("plain.ndjson.gz", "not gzip-compressed text that can be read (Not a gzipped file"),
]
# What the Spark engine says instead, where it says something else: it reads flat Parquet only.
ON_SPARK = {"latin1.json": "the Spark engine reads Parquet in the flat layout"}


@pytest.mark.parametrize("engine", ["polars", "spark"])
@pytest.mark.parametrize(("name", "message"), UNUSABLE)
def test_unusable_inputs_are_one_line_errors(
    tmp_path: Path, name: str, message: str, engine: str
) -> None:
    source = tmp_path / name
    if name.startswith("folder"):
        source.mkdir()
    elif name.startswith("latin1"):
        source.write_bytes('[{"id": "\u00e9"}]'.encode("latin-1"))
    elif not name.startswith("missing"):
        source.write_text("a,b\n", encoding="utf-8")
    out = tmp_path / "o.parquet"
    code, stdout, stderr = run("batch", str(source), "--out", str(out), "--engine", engine)
    assert code == 2
    if engine == "spark":
        message = ON_SPARK.get(name, message)
    assert stderr.strip().splitlines()[-1].startswith(f"error: {source}: {message}")
    assert "Traceback" not in stdout + stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--master", "local[2]"],
            "--master 'local[2]' names a Spark master: it goes with --engine spark",
        ),
        (
            ["--engine", "spark", "--compare", "aetna@HEAD"],
            "--compare runs on the polars engine; leave out --engine spark",
        ),
        (
            ["--engine", "spark", "--chunk", "5000"],
            "--chunk sizes the polars engine's chunks; Spark splits IN itself",
        ),
    ],
)
def test_options_of_the_other_engine_are_one_line_errors(
    tmp_path: Path, options: list[str], message: str
) -> None:
    source, _ = _flat_file(tmp_path, 2)
    out = tmp_path / "o.parquet"
    code, _, stderr = run("batch", str(source), "--out", str(out), *options)
    assert code == 2
    assert stderr.strip().splitlines() == [f"error: {message}"]
    assert not out.exists()


def _flat_file(tmp_path: Path, cases: int) -> tuple[Path, int]:
    """A flat Parquet file of the aetna fixtures' cases, repeated, in row groups of 1,000
    lines, compressed; and how many lines it has."""
    fixtures = fixture_cases("aetna")
    rows = [
        row
        for number in range(cases)
        for row in rows_of({**fixtures[number % len(fixtures)][0], "id": f"case-{number}"})
    ]
    source = tmp_path / "lines.parquet"
    pq.write_table(frame_of(rows).to_arrow(), source, row_group_size=1000, compression="zstd")
    return source, len(rows)


@pytest.mark.parametrize(
    ("option", "name"),
    [
        ("--out", "lines.parquet"),
        ("--out", "./sub/../lines.parquet"),  # the input by another name
        ("--rejects", "lines.parquet"),
        ("--rejects", "results.parquet"),  # the results file
        ("--out", "link.parquet"),  # a link to the input
    ],
)
def test_a_run_writes_over_neither_its_input_nor_one_of_its_own_files(
    tmp_path: Path, option: str, name: str
) -> None:
    source, _ = _flat_file(tmp_path, 20)
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.parquet").symlink_to(source)
    before = source.read_bytes()
    args = {"--out": str(tmp_path / "results.parquet")}
    args[option] = str(tmp_path / name)
    flags = [part for pair in args.items() for part in pair]

    code, _, stderr = run("batch", str(source), *flags)

    assert code == 2
    assert len(stderr.strip().splitlines()) == 1
    assert f"error: {option} {tmp_path / name}: is " in stderr
    assert source.read_bytes() == before
    assert not (tmp_path / "results.parquet").exists()


def test_outputs_in_a_folder_that_is_not_there_are_one_line_errors(tmp_path: Path) -> None:
    source, _ = _flat_file(tmp_path, 5)
    for option in ("--out", "--rejects"):
        args = {"--out": str(tmp_path / "o.parquet"), option: str(tmp_path / "no" / "f.ndjson")}
        code, _, stderr = run("batch", str(source), *[p for pair in args.items() for p in pair])
        assert code == 2
        assert f"the folder {tmp_path / 'no'} does not exist" in stderr
    code, _, stderr = run(
        "batch", str(source), "--out", str(tmp_path / "o.parquet"), "--changes", "c.parquet"
    )
    assert code == 2
    assert "it goes with --compare" in stderr


def test_a_file_broken_half_way_stops_the_run_and_leaves_the_old_results(
    tmp_path: Path,
) -> None:
    source, lines = _flat_file(tmp_path, 2500)
    assert lines > 3000
    # The second row group's column of procedure kinds overwritten with noise: its pages no
    # longer decompress. The first 1,000 rows still read.
    chunk = pq.ParquetFile(source).metadata.row_group(1)
    kind = next(
        chunk.column(n) for n in range(chunk.num_columns)
        if chunk.column(n).path_in_schema == "procedure.kind"
    )  # fmt: skip
    with source.open("r+b") as stream:
        stream.seek(kind.data_page_offset + 8)
        stream.write(b"\xa5" * (kind.total_compressed_size - 16))
    out = tmp_path / "results.ndjson"
    out.write_text("the last run's results\n", encoding="utf-8")

    code, stdout, stderr = run("batch", str(source), "--out", str(out), "--chunk", "1000")

    assert code == 2
    said = stderr.strip().splitlines()
    assert len(said) == 1  # the error alone: the progress bar goes when the run stops
    assert said[0].startswith(f"error: {source}: cannot be read from row 1,001 on (")
    assert "Traceback" not in stdout + stderr
    assert out.read_text(encoding="utf-8") == "the last run's results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lines.parquet", "results.ndjson"]


def test_an_ndjson_line_that_is_not_utf8_is_refused_alone(tmp_path: Path) -> None:
    cases = fixture_cases("aetna")[:2]
    source = tmp_path / "cases.ndjson"
    source.write_bytes(
        json.dumps(cases[0][0]).encode()
        + b'\n{"id": "caf\xe9"}\n'
        + json.dumps(cases[1][0]).encode()
        + b"\n"
    )
    out = tmp_path / "out.ndjson"

    code, _, _ = run("batch", str(source), "--out", str(out))

    assert code == 0
    rejects = [json.loads(x) for x in (tmp_path / "out.rejects.ndjson").read_text().splitlines()]
    assert rejects == [
        {"row": 2, "case_id": None, "error": f"{source}:2: not UTF-8 text (byte 12 is 0xe9)"}
    ]
    decided = pl.read_ndjson(out)
    assert decided["outcome"].to_list() == cases[0][1] + cases[1][1]


def test_spark_gives_the_polars_results(spark: Any, tmp_path: Path) -> None:
    cases = fixture_cases("anthem") + plan_fixture_cases("uhc-mmc-2026")
    rows = [
        row
        for number, (case, _) in enumerate(cases)
        for row in rows_of({**case, "id": f"case-{number}"})
    ]
    rows[0]["procedure.kind"] = "laser_of_some_kind"
    rows[-1]["line"] = None
    rows[-2]["line"] = -1
    # Cases no pack can decide are refused, not the run stopped: an unknown policy, an
    # unknown plan document, and a case whose second line alone names an unknown policy.
    rows += rows_of({**BAD_POLICY, "id": "no-policy"})
    no_plan = {"id": "no-plan", "payer": {"plan": "nosuch"}, "procedures": [{"code": "17000"}]}
    rows += rows_of(no_plan)
    mixed = rows_of({"id": "mixed", "procedures": [{"code": "17000"}] * 2})
    mixed[1]["payer.policy"] = "nosuch"
    rows += mixed
    source = tmp_path / "lines.parquet"
    frame_of(rows).write_parquet(source)

    code, _, stderr = run("batch", str(source), "--out", str(tmp_path / "polars.parquet"))
    assert code == 0, stderr
    code, _, stderr = run(
        "batch", str(source), "--out", str(tmp_path / "spark.parquet"), "--engine", "spark",
        "--master", "local[2]",
    )  # fmt: skip
    assert code == 0, stderr
    assert "✓ on Spark done" in stderr  # the display of the run's phases, at its end
    columns = ["row", "line", "outcome", "decided_by", "prior_authorization", "case_outcome"]
    on_polars = pl.read_parquet(tmp_path / "polars.parquet").select(columns).sort("row")
    parts = str(tmp_path / "spark.parquet" / "*.parquet")  # Spark writes a folder of parts
    on_spark = pl.read_parquet(parts).select(columns).sort("row")
    assert on_spark.equals(on_polars)
    # Both engines weigh the plan document's exclusions for the cases that name it.
    assert on_spark["decided_by"].str.starts_with("uhc-mmc-2026.").any()
    polars_rejects = (tmp_path / "polars.rejects.ndjson").read_text().splitlines()
    spark_rejects = (tmp_path / "spark.rejects.ndjson").read_text().splitlines()
    refused = [json.loads(x) for x in polars_rejects]
    assert [json.loads(x) for x in spark_rejects] == refused
    by_row = {reject["row"]: reject["error"] for reject in refused}
    last = len(rows) - 4  # the last fixture line
    assert by_row[last].endswith(f"row {last}: line: required field is missing")
    assert f"row {last - 1}: line = -1: should be from 0" in by_row[last - 1]
    assert "payer.policy = 'nosuch': unknown policy" in by_row[last + 1]
    assert "payer.plan: unknown plan 'nosuch'" in by_row[last + 2]
    assert by_row[last + 3].endswith(f"not decided: row {last + 4} of the same case is refused")
    assert "payer.policy = 'nosuch': unknown policy" in by_row[last + 4]


@pytest.mark.parametrize("refused", [False, True], ids=["nothing refused", "everything refused"])
def test_spark_and_polars_agree_when_nothing_or_everything_is_refused(
    spark: Any, tmp_path: Path, refused: bool
) -> None:
    cases = fixture_cases("cigna")
    rows = [
        row
        for number, (case, _) in enumerate(cases)
        for row in rows_of({**case, "id": f"case-{number}"})
    ]
    if refused:
        rows = [{**row, "payer.policy": "nosuch"} for row in rows]
    source = tmp_path / "lines.parquet"
    frame_of(rows).write_parquet(source)

    outputs = {}
    for engine in ("polars", "spark"):
        code, stdout, stderr = run(
            "batch", str(source), "--out", str(tmp_path / f"{engine}.parquet"),
            "--engine", engine, *(["--master", "local[2]"] if engine == "spark" else []),
        )  # fmt: skip
        assert code == 0, stderr
        assert f"{len(rows) if refused else 0} rejects" in stdout
        path = tmp_path / f"{engine}.parquet"
        results = pl.read_parquet(path / "*.parquet" if path.is_dir() else path)
        rejects = (tmp_path / f"{engine}.rejects.ndjson").read_text().splitlines()
        outputs[engine] = (results.sort("row"), [json.loads(x) for x in rejects])
    (on_polars, polars_rejects), (on_spark, spark_rejects) = outputs["polars"], outputs["spark"]
    expected = [] if refused else [o for _, outcomes in cases for o in outcomes]
    assert on_polars["outcome"].to_list() == expected  # what the policy text demands
    assert on_spark.select(on_polars.columns).equals(on_polars)
    assert spark_rejects == polars_rejects


def test_ctrl_c_stops_a_run_and_leaves_the_earlier_results_as_they_were(tmp_path: Path) -> None:
    rows = [row for case, _ in fixture_cases("aetna") for row in rows_of(case)]
    source = tmp_path / "many.parquet"
    lines = frame_of(rows)
    # Enough lines for several chunks, so the run is still going when it is stopped.
    many = pl.concat([lines] * (600_000 // lines.height + 1)).with_columns(
        pl.int_range(pl.len()).cast(pl.String).alias("case_id"), pl.lit(0).alias("line")
    )
    many.write_parquet(source)
    out, rejects = tmp_path / "results.parquet", tmp_path / "results.rejects.ndjson"
    out.write_bytes(b"an earlier run's results")
    command = [str(Path(sys.executable).with_name("dermcover")), "batch", str(source)]
    process = subprocess.Popen(
        [*command, "--out", str(out), "--chunk", "20000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    partial = tmp_path / ".results.parquet.partial"
    while not partial.exists() and process.poll() is None:  # the first chunk is written
        time.sleep(0.005)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 130, stderr
    assert f"interrupted: nothing written; {out} and {rejects} are as they were" in " ".join(
        stderr.split()
    )
    assert out.read_bytes() == b"an earlier run's results"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["many.parquet", "results.parquet"]


def test_a_spark_run_stopped_while_writing_leaves_the_earlier_results(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pyspark.sql.readwriter import DataFrameWriter

    cases = fixture_cases("anthem")
    source = tmp_path / "lines.parquet"
    frame_of([row for case, _ in cases for row in rows_of(case)]).write_parquet(source)
    out, rejects = tmp_path / "results.parquet", tmp_path / "results.rejects.ndjson"
    out.mkdir()
    (out / "part-0.parquet").write_bytes(b"an earlier run's results")
    rejects.write_text("an earlier run's rejects\n")
    write = DataFrameWriter.parquet

    def stopped_once_written(self: Any, path: str, *args: Any, **kwargs: Any) -> None:
        write(self, path, *args, **kwargs)  # every part is there, then Ctrl-C
        raise KeyboardInterrupt

    command = ["batch", str(source), "--out", str(out), "--engine", "spark"]
    with monkeypatch.context() as patched:
        patched.setattr(DataFrameWriter, "parquet", stopped_once_written)
        code, _, stderr = run(*command, "--master", "local[2]")

    assert code == 130
    assert f"interrupted: nothing written; {out} and {rejects} are as they were" in " ".join(
        stderr.split()
    )
    assert [path.name for path in out.iterdir()] == ["part-0.parquet"]
    assert (out / "part-0.parquet").read_bytes() == b"an earlier run's results"
    assert rejects.read_text() == "an earlier run's rejects\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "lines.parquet", "results.parquet", "results.rejects.ndjson"
    ]  # fmt: skip
    # Run again to the end: the new results take the earlier ones' place, nothing left aside.
    code, _, stderr = run(*command, "--master", "local[2]")
    assert code == 0, stderr
    results = pl.read_parquet(out / "*.parquet")
    assert results.sort("row")["outcome"].to_list() == [
        o for _, outcomes in cases for o in outcomes
    ]
    assert rejects.read_text() == ""
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "lines.parquet", "results.parquet", "results.rejects.ndjson"
    ]  # fmt: skip


def test_spark_connect_gives_the_polars_results(tmp_path: Path) -> None:
    """SPARK_REMOTE=local: a Spark Connect server of the command's own, the client talking to
    it over gRPC as to any remote one (a process of its own: a Connect session cannot share
    the test session's JVM)."""
    cases = fixture_cases("anthem")
    source = tmp_path / "lines.parquet"
    frame_of([row for case, _ in cases for row in rows_of(case)]).write_parquet(source)
    command = [str(Path(sys.executable).with_name("dermcover")), "batch", str(source)]
    env = {**os.environ, "SPARK_REMOTE": "local"}
    done = subprocess.run(
        [*command, "--out", str(tmp_path / "connect.parquet"), "--engine", "spark"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Failed to set" not in done.stderr and "Traceback" not in done.stderr
    on_connect = pl.read_parquet(tmp_path / "connect.parquet" / "*.parquet").sort("row")
    assert on_connect["outcome"].to_list() == [o for _, outcomes in cases for o in outcomes]
    code, _, stderr = run("batch", str(source), "--out", str(tmp_path / "polars.parquet"))
    assert code == 0, stderr
    on_polars = pl.read_parquet(tmp_path / "polars.parquet")
    assert on_connect.select(on_polars.columns).equals(on_polars)


def test_spark_connect_without_its_client_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    source = tmp_path / "lines.parquet"
    frame_of(rows_of(fixture_cases("anthem")[0][0])).write_parquet(source)
    found = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "grpc" else found(name, *a)
    )
    monkeypatch.setenv("SPARK_REMOTE", "sc://localhost:15002")
    code, _, stderr = run(
        "batch", str(source), "--out", str(tmp_path / "o.parquet"), "--engine", "spark"
    )
    assert code == 2
    assert stderr.lstrip().startswith(
        "error: SPARK_REMOTE is set, but Spark Connect's client needs grpc"
    )
    assert "pip install 'pyspark[connect]'" in " ".join(stderr.split())
    assert len(stderr.strip().splitlines()) == 1


def test_a_results_folder_that_cannot_be_put_in_place_leaves_the_earlier_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "results.parquet"
    out.mkdir()
    (out / "part-0.parquet").write_bytes(b"an earlier run's results")
    replace = os.replace

    def refused(source: Any, target: Any) -> None:
        if Path(source).name == ".results.parquet.partial":
            raise OSError(errno.EACCES, "Permission denied")
        replace(source, target)

    monkeypatch.setattr(os, "replace", refused)
    with FolderSink(out) as folder:
        (folder.partial / "part-1.parquet").parent.mkdir()
        (folder.partial / "part-1.parquet").write_bytes(b"this run's results")
        with pytest.raises(InputError, match=re.escape(f"{out}: cannot be written")):
            folder.place()

    assert [path.name for path in out.iterdir()] == ["part-0.parquet"]
    assert (out / "part-0.parquet").read_bytes() == b"an earlier run's results"
    assert [path.name for path in tmp_path.iterdir()] == ["results.parquet"]


def _allocator_after(script: str, env: dict[str, str]) -> str:
    """What polars' allocator settings are once `script` has run in a fresh interpreter."""
    probe = f"{script}\nimport os\nprint(os.environ.get({SETTINGS!r}, '(unset)'))"
    clean = {name: value for name, value in os.environ.items() if name != SETTINGS}
    done = subprocess.run(
        [sys.executable, "-c", probe], env={**clean, **env}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_batch_run_sets_polars_allocator_first_and_keeps_the_users_own() -> None:
    settle = "from dermcover.batch.allocator import for_batch\nfor_batch()"
    assert _allocator_after(settle, {}) == FOR_BATCH
    assert _allocator_after(settle, {SETTINGS: "narenas:4"}) == "narenas:4"
    # Once polars is loaded its allocator is set up: changing the variable would only mislead.
    assert FOR_BATCH not in _allocator_after(f"import polars\n{settle}", {})


def test_a_run_leaves_pythons_cycle_collector_as_it_found_it(tmp_path: Path) -> None:
    """The run turns the collector off and collects once a chunk itself; a program that
    calls it finds the collector on again afterwards, and off if it had turned it off."""
    source = tmp_path / "cases.ndjson"
    source.write_text("".join(json.dumps(c) + "\n" for c, _ in fixture_cases("aetna")))
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            with LineSink(tmp_path / "out.parquet") as out, RejectSink(tmp_path / "r.ndjson") as r:
                batch_run(source, out, r, library(), policy=None, today=date(2026, 11, 22))
            assert gc.isenabled() is enabled
        finally:
            gc.enable()


def test_a_polars_run_leaves_pandas_unloaded(tmp_path: Path) -> None:
    """pandas comes with the Spark extra, for Spark Connect; a polars run has no use for it,
    and loading it took 0.3 s of every run's start (pyarrow loads it on its first
    `pyarrow.array` wherever it is installed)."""
    pytest.importorskip("pandas")  # where it is not installed, nothing can load it
    cases = [case for pack in ("aetna", "uhc", "medicare") for case, _ in fixture_cases(pack)]
    source = tmp_path / "cases.ndjson"
    source.write_text("".join(json.dumps(case) + "\n" for case in cases), encoding="utf-8")
    out = tmp_path / "results.parquet"
    probe = (
        "import sys\nfrom dermcover.cli import app\n"
        f"try:\n    app(['batch', {str(source)!r}, '--out', {str(out)!r}])\n"
        "except SystemExit as stop:\n    assert not stop.code, stop.code\n"
        "print('pandas' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)

    assert done.returncode == 0, done.stderr
    assert pl.read_parquet(out)["questions"].list.len().sum() > 0  # fields were asked
    assert done.stdout.strip().splitlines()[-1] == "False"
