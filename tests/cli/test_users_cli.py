"""`dermcover users add`: creating a staff account at a terminal or from a script."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dermcover.cli import app
from dermcover.store.database import create_database_engine, session_factory
from dermcover.store.migrate import upgrade_database
from dermcover.store.users import Staff, UserRepository

runner = CliRunner()
PASSWORD = "kestrel over the marsh"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def signs_in(database: str, email: str, password: str) -> Staff | None:
    upgrade_database(database)  # a command refused before it opened the database left none
    engine = create_database_engine(database)
    try:
        return UserRepository(session_factory(engine)).verify_password(email, password)
    finally:
        engine.dispose()


def test_the_password_is_asked_twice_and_the_account_can_sign_in(database: str) -> None:
    code, out, _ = run(
        "users",
        "add",
        "riley@clinic.example",
        "--name",
        "Riley Park",
        stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert code == 0
    assert "Added staff account riley@clinic.example (id 1)" in out
    assert PASSWORD not in out  # the prompt does not echo it
    staff = signs_in(database, "riley@clinic.example", PASSWORD)
    assert staff is not None and staff.name == "Riley Park"


def test_a_script_can_pipe_the_password_in(database: str) -> None:
    code, _, _ = run(
        "users", "add", "ops@clinic.example", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert code == 0
    assert signs_in(database, "ops@clinic.example", PASSWORD) is not None


def test_two_different_entries_save_nothing(database: str) -> None:
    code, _, err = run("users", "add", "riley@clinic.example", stdin=f"{PASSWORD}\n{PASSWORD}x\n")
    assert code == 2
    assert "the two entries differ; nothing was saved" in err
    assert signs_in(database, "riley@clinic.example", PASSWORD) is None


@pytest.mark.parametrize(
    ("stdin", "message"),
    [("\n", "password: is empty"), ("tulip\n", "is 5 characters long; it needs at least 12")],
)
def test_a_weak_password_is_refused_with_the_rule(database: str, stdin: str, message: str) -> None:
    code, _, err = run("users", "add", "riley@clinic.example", "--password-stdin", stdin=stdin)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_an_email_already_in_use_is_refused(database: str) -> None:
    run("users", "add", "riley@clinic.example", "--password-stdin", stdin=PASSWORD)
    code, _, err = run("users", "add", "Riley@Clinic.example", "--password-stdin", stdin=PASSWORD)
    assert code == 2
    assert "a staff account with it already exists" in err


def test_a_bad_email_is_refused_before_any_password_is_asked(database: str) -> None:
    code, out, err = run("users", "add", "riley-at-clinic", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert code == 2
    assert "email = 'riley-at-clinic': not an email address" in err
    assert "Password" not in out


def test_a_database_url_that_is_not_one_is_named(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://root@localhost/clinic")
    code, _, err = run("users", "add", "riley@clinic.example", "--password-stdin", stdin=PASSWORD)
    assert code == 2
    assert "database 'mysql' is not supported; allowed: sqlite, postgresql" in err


def test_no_password_at_all_is_a_clear_error(database: str) -> None:
    code, _, err = run("users", "add", "riley@clinic.example", stdin="")
    assert code == 2
    assert "password: none was given" in err


def add(email: str, *options: str) -> None:
    code, _, err = run("users", "add", email, *options, "--password-stdin", stdin=PASSWORD)
    assert code == 0, err


def test_clinics_are_added_and_listed(database: str) -> None:
    code, out, _ = run("users", "clinics", "add", "north", "North Skin Clinic")
    assert code == 0 and "Added clinic north (North Skin Clinic)" in out
    code, out, _ = run("users", "clinics", "list")
    assert code == 0
    assert "default" in out and "North Skin Clinic" in out
    code, _, err = run("users", "clinics", "add", "north", "Again")
    assert code == 2 and "'north': a clinic with this id exists" in err


def test_accounts_are_listed_with_their_roles(database: str) -> None:
    add("riley@clinic.example")
    run("users", "clinics", "add", "north", "North Skin Clinic")
    add("kim@north.example", "--clinic", "north", "--role", "biller")
    code, out, _ = run("users", "list")
    assert code == 0
    assert "default: admin" in out
    assert "north: biller" in out


def test_a_role_is_changed_and_removed(database: str) -> None:
    add("riley@clinic.example")
    add("sam@clinic.example")
    code, out, _ = run("users", "role", "sam@clinic.example", "default", "clinician")
    assert code == 0 and "sam@clinic.example is clinician of default" in out
    code, out, _ = run("users", "role", "sam@clinic.example", "default", "none")
    assert code == 0 and "is no longer in default" in out
    code, _, err = run("users", "role", "sam@clinic.example", "default", "owner")
    assert code == 2 and "'owner' is not one of" in err
    code, _, err = run("users", "role", "nobody@clinic.example", "default", "viewer")
    assert code == 2 and "no staff account has this email" in err


def test_a_disabled_account_cannot_sign_in(database: str) -> None:
    add("riley@clinic.example")
    code, out, _ = run("users", "disable", "riley@clinic.example")
    assert code == 0 and "Disabled riley@clinic.example" in out
    assert signs_in(database, "riley@clinic.example", PASSWORD) is None
    code, out, _ = run("users", "list")
    assert "disabled" in out


def test_users_add_from_any_directory_uses_the_one_database_and_says_which(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DERMCOVER_DATA_DIR", str(tmp_path / "data"))
    expected = f"database: sqlite:///{tmp_path / 'data' / 'dermcover.db'}"
    for number, where in enumerate(("first", "second"), start=1):
        (tmp_path / where).mkdir()
        monkeypatch.chdir(tmp_path / where)
        code, _, err = run(
            "users", "add", f"staff{number}@clinic.example", "--password-stdin", stdin=PASSWORD
        )
        assert code == 0, err
        assert expected in " ".join(err.split())
        assert not (tmp_path / where / "dermcover.db").exists()
    # Both accounts are in the one database: the second run did not start a new one.
    url = f"sqlite:///{tmp_path / 'data' / 'dermcover.db'}"
    assert signs_in(url, "staff1@clinic.example", PASSWORD) is not None
    assert signs_in(url, "staff2@clinic.example", PASSWORD) is not None
