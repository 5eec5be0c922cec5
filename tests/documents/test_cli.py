"""`dermcover document`: what a person at a terminal gets, files and refusals."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from dermcover.cli import app

from .support import EXAMPLES

runner = CliRunner()
BURN = str(EXAMPLES / "burn-scar-laser.yaml")


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["document", *args])
    return result.exit_code, result.stdout, result.stderr


def test_lmn_writes_a_pdf(tmp_path: Path) -> None:
    out = tmp_path / "letter.pdf"
    code, stdout, _ = run(
        "lmn", BURN, "--schedule", str(EXAMPLES / "schedule-burn-laser.yaml"), "--out", str(out)
    )
    assert code == 0
    assert out.read_bytes().startswith(b"%PDF-")
    assert f"wrote {out}" in stdout


def test_a_pa_packet_pdf_comes_with_its_json(tmp_path: Path) -> None:
    # A folder with a long name: the paths printed are wider than the terminal, and are still
    # printed whole, for a person to copy.
    folder = tmp_path / ("a-folder-with-a-long-name-" * 4)
    folder.mkdir()
    out = folder / "packet.pdf"
    code, stdout, _ = run(
        "pa-packet", BURN, "--schedule", str(EXAMPLES / "schedule-burn-laser.yaml"), "-o", str(out)
    )
    assert code == 0
    assert out.read_bytes().startswith(b"%PDF-")
    assert f"wrote {out}\n" in stdout
    assert f"wrote {folder / 'packet.json'}\n" in stdout
    packet = json.loads((folder / "packet.json").read_text(encoding="utf-8"))
    assert packet["procedures"][0]["code"] == "0479T"


def gfe_args(out: Path) -> list[str]:
    return [
        "gfe",
        str(EXAMPLES / "self-pay-microneedling.yaml"),
        "--estimate",
        str(EXAMPLES / "self-pay-microneedling-estimate.yaml"),
        "--schedule",
        str(EXAMPLES / "self-pay-microneedling-schedule.yaml"),
        "--date",
        "2026-11-23",
        "--out",
        str(out),
    ]


def test_gfe_as_html(tmp_path: Path) -> None:
    out = tmp_path / "estimate.html"
    code, _, _ = run(*gfe_args(out))
    assert code == 0
    html = out.read_text(encoding="utf-8")
    assert "Good Faith Estimate" in html and "$1,800.00" in html
    # --lang es: the same estimate in Spanish, the money still in dollars.
    assert run(*gfe_args(out), "--lang", "es")[0] == 0
    spanish = out.read_text(encoding="utf-8")
    assert '<html lang="es">' in spanish and "Total de cargos previstos" in spanish
    assert "23 de noviembre de 2026" in spanish and "$1,800.00" in spanish


def test_appeal_as_json_carries_the_deadline(tmp_path: Path) -> None:
    out = tmp_path / "appeal.json"
    code, _, _ = run(
        "appeal",
        BURN,
        "--denial",
        str(EXAMPLES / "denial-burn-laser.yaml"),
        "--date",
        "2026-11-22",
        "--out",
        str(out),
    )
    assert code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["deadline"]["due"] == "2027-05-18"


def test_a_refusal_is_one_line_with_status_2(tmp_path: Path) -> None:
    out = tmp_path / "letter.pdf"
    code, _, stderr = run("lmn", str(EXAMPLES / "pico-laser-prp-melasma.yaml"), "--out", str(out))
    assert code == 2
    assert stderr.startswith("error: cannot write the letter of medical necessity")
    assert "excludes it as cosmetic" in stderr
    assert stderr.count("\n") == 1
    assert not out.exists()


def test_the_inputs_each_document_needs_are_asked_for(tmp_path: Path) -> None:
    out = str(tmp_path / "x.pdf")
    code, _, stderr = run("gfe", str(EXAMPLES / "self-pay-microneedling.yaml"), "--out", out)
    assert code == 2
    assert "--estimate is required for `document gfe`" in stderr
    code, _, stderr = run("appeal", BURN, "--out", out)
    assert code == 2
    assert "--denial is required for `document appeal`" in stderr


def test_an_unknown_output_type_is_refused(tmp_path: Path) -> None:
    code, _, stderr = run("lmn", BURN, "--out", str(tmp_path / "letter.docx"))
    assert code == 2
    assert "unknown file type '.docx'; allowed: .pdf, .html, .json" in stderr


def test_a_bad_schedule_names_the_file_line_and_field(tmp_path: Path) -> None:
    schedule = tmp_path / "schedule.yaml"
    schedule.write_text("first_session: 2026-12-14\ninterval: {every: 0, unit: weeks}\n")
    code, _, stderr = run(
        "lmn", BURN, "--schedule", str(schedule), "--out", str(tmp_path / "x.pdf")
    )
    assert code == 2
    assert f"{schedule}:2: interval.every = 0" in stderr


def test_without_a_schedule_the_refusal_says_what_schedule_needs(tmp_path: Path) -> None:
    code, _, err = run("lmn", BURN, "--out", str(tmp_path / "letter.pdf"))
    assert code == 2
    flat = " ".join(err.split())
    assert "schedule.interval is missing" in flat
    assert "--schedule FILE" in flat
    assert "interval: {every: 6, unit: weeks}" in flat
    assert len(err.strip().splitlines()) <= 4  # one logical line, soft-wrapped at most


def test_the_readme_command_for_letters_and_packets_works_as_written(tmp_path: Path) -> None:
    readme = (EXAMPLES.parent / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if "dermcover document lmn" in line)
    written = row.split("`")[1].replace("\\|", "|")  # the command as the README shows it
    assert "--schedule PLAN.yaml" in written
    for kind in ("lmn", "pa-packet"):
        args = (
            written.removeprefix("dermcover document lmn|pa-packet ")
            .replace("CASE", BURN)
            .replace("PLAN.yaml", str(EXAMPLES / "schedule-burn-laser.yaml"))
            .replace("FILE.pdf", str(tmp_path / f"{kind}.pdf"))
            .split()
        )
        code, _, err = run(kind, *args)
        assert code == 0, err
        assert (tmp_path / f"{kind}.pdf").read_bytes().startswith(b"%PDF-")


def test_letters_to_the_insurer_refuse_spanish_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "letter.pdf"
    code, _, stderr = run(
        "lmn",
        BURN,
        "--schedule",
        str(EXAMPLES / "schedule-burn-laser.yaml"),
        "-o",
        str(out),
        "--lang",
        "es",
    )
    assert code == 2
    assert stderr.strip().count("\n") == 0
    assert "--lang es" in stderr and "English only" in stderr and "gfe" in stderr
    assert not out.exists()


def test_an_unknown_language_is_refused_naming_the_allowed_ones(tmp_path: Path) -> None:
    code, _, stderr = run(*gfe_args(tmp_path / "estimate.pdf"), "--lang", "fr")
    assert code == 2
    assert "--lang fr: unknown language; allowed: en, es" in stderr
