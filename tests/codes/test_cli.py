"""`dermcover codes search` and `dermcover codes show`."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from dermcover.cli import app

runner = CliRunner()


def test_search_prints_a_table_of_matches() -> None:
    result = runner.invoke(app, ["codes", "search", "actinic keratosis", "--limit", "3"])
    assert result.exit_code == 0, result.output
    assert "L57.0" in result.output
    assert "Actinic keratosis" in result.output


def test_search_as_json() -> None:
    result = runner.invoke(app, ["codes", "search", "melasma", "--format", "json"])
    assert result.exit_code == 0, result.output
    matches = json.loads(result.stdout)
    assert matches[0]["code"] == "L81.1"
    assert set(matches[0]) == {"code", "description", "billable", "score"}


def test_search_with_an_empty_query_fails_with_status_2() -> None:
    result = runner.invoke(app, ["codes", "search", "  "])
    assert result.exit_code == 2
    assert "query is empty" in result.output


def test_search_with_a_limit_below_one_fails_with_status_2() -> None:
    result = runner.invoke(app, ["codes", "search", "burn", "--limit", "0"])
    assert result.exit_code == 2


def test_show_a_billable_diagnosis() -> None:
    result = runner.invoke(app, ["codes", "show", "l570"])
    assert result.exit_code == 0, result.output
    assert "L57.0" in result.output
    assert "Actinic keratosis" in result.output
    assert "billable" in result.output
    assert "actinic_keratosis" in result.output


def test_show_a_header_lists_its_children() -> None:
    result = runner.invoke(app, ["codes", "show", "T23.302"])
    assert result.exit_code == 0, result.output
    assert "cannot be billed" in result.output
    for child in ("T23.302A", "T23.302D", "T23.302S"):
        assert child in result.output


def test_show_a_procedure_code_from_the_table() -> None:
    result = runner.invoke(app, ["codes", "show", "15789", "--format", "json"])
    assert result.exit_code == 0, result.output
    facts = json.loads(result.stdout)
    assert facts["system"] == "CPT"
    assert facts["depth"] == "dermal"
    assert facts["procedure_kinds"] == ["chemical_peel"]


def test_show_17320_says_there_is_no_such_code() -> None:
    result = runner.invoke(app, ["codes", "show", "17320"])
    assert result.exit_code == 2
    assert "no such code" in result.output


def test_show_t95_explains_it_is_who_only() -> None:
    result = runner.invoke(app, ["codes", "show", "T95.1"])
    assert result.exit_code == 2
    assert "WHO ICD-10" in result.output


def test_show_an_unknown_code_fails_with_status_2() -> None:
    result = runner.invoke(app, ["codes", "show", "QQ12"])
    assert result.exit_code == 2
    assert "QQ12 is neither an ICD-10-CM code nor a CPT or HCPCS code" in result.output
