"""`dermcover users add`: create a staff account, the only kind of account that sees cases.

The password is typed twice at a hidden prompt, or piped in with `--password-stdin` (its first
line) for scripts; it never appears on the command line, where other users of the machine could
read it. The database is the service's own (see `store.settings`), and the command says which.
"""

from __future__ import annotations

import sys
from typing import Annotated

import click
import typer
from rich.markup import escape

from dermcover.cli.app import app, console, errors, fail

users_app = typer.Typer(
    name="users", help="Manage the staff accounts that can see case records.", no_args_is_help=True
)
app.add_typer(users_app, name="users")


@users_app.command("add")
def add(
    email: Annotated[str, typer.Argument(help="The staff member's email; it is their sign-in.")],
    name: Annotated[
        str | None, typer.Option("--name", help="Their name, as pages show it.")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Add a staff account. Passwords need at least 12 characters."""
    from sqlalchemy.exc import OperationalError

    from dermcover.store.database import create_database_engine, session_factory
    from dermcover.store.migrate import upgrade_database
    from dermcover.store.settings import database_url, described
    from dermcover.store.users import UserRepository, normalise_email

    address = normalise_email(email)
    password = _read_password(address, from_stdin=password_stdin)
    url = database_url()
    shown = url.render_as_string(hide_password=True)
    errors.print(described(url), highlight=False, soft_wrap=True)
    try:
        upgrade_database(url)
        engine = create_database_engine(url)
        try:
            staff = UserRepository(session_factory(engine)).add_user(address, password, name=name)
        finally:
            engine.dispose()
    except OperationalError as exc:
        fail(f"DATABASE_URL = {shown!r}: cannot be reached ({type(exc.orig).__name__})")
    console.print(f"Added staff account {escape(staff.email)} (id {staff.id}).")


def _read_password(email: str, *, from_stdin: bool) -> str:
    from dermcover.store.passwords import check_strength

    password: str
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        check_strength(password, email)
        return password
    try:
        password = typer.prompt("Password", hide_input=True, default="", show_default=False)
        check_strength(password, email)
        again: str = typer.prompt(
            "Repeat the password", hide_input=True, default="", show_default=False
        )
    except (typer.Abort, click.exceptions.Abort):  # end of input at the prompt
        fail("password: none was given; type it at the prompt or pipe it with --password-stdin")
    if again != password:
        fail("password: the two entries differ; nothing was saved")
    return password
