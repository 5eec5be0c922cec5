"""`dermcover users`: the staff accounts that see case records, their clinics and their roles.

- `users add EMAIL [--clinic ID] [--role ROLE]`: a new account (the password is typed twice at a
  hidden prompt, or piped in with `--password-stdin`, its first line, for scripts; it never
  appears on the command line, where other users of the machine could read it);
- `users list`: every account with its clinics and roles;
- `users disable EMAIL`: no more sign-ins, and every session it has ends at once;
- `users role EMAIL CLINIC ROLE` (or `none`): what the account may do in that clinic;
- `users clinics add ID NAME`, `users clinics list`: the clinics (tenants).

The database is the service's own (see `store.settings`), and each command says which.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, TypeVar

import click
import typer
from rich.markup import escape

from dermcover.cli.app import app, console, errors, fail

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")

users_app = typer.Typer(
    name="users",
    help="Manage the staff accounts that can see case records, their clinics and roles.",
    no_args_is_help=True,
)
clinics_app = typer.Typer(
    name="clinics",
    help="The clinics: each owns its cases, staff and audit log.",
    no_args_is_help=True,
)
users_app.add_typer(clinics_app, name="clinics")
app.add_typer(users_app, name="users")


class RoleChoice(StrEnum):
    admin = "admin"
    biller = "biller"
    clinician = "clinician"
    viewer = "viewer"
    none = "none"


ROLE_HELP = (
    "admin (manages staff), biller (cases, payer events, documents), clinician (cases, "
    "letters) or viewer (read only)"
)


def _with_database(work: Callable[[sessionmaker[Session]], T]) -> T:
    """Run `work` on the service's database, brought up to date first."""
    from sqlalchemy.exc import OperationalError

    from dermcover.store.database import create_database_engine, session_factory
    from dermcover.store.migrate import upgrade_database
    from dermcover.store.settings import database_url, described

    url = database_url()
    shown = url.render_as_string(hide_password=True)
    errors.print(described(url), highlight=False, soft_wrap=True)
    try:
        upgrade_database(url)
        engine = create_database_engine(url)
        try:
            return work(session_factory(engine))
        finally:
            engine.dispose()
    except OperationalError as exc:
        fail(f"DATABASE_URL = {shown!r}: cannot be reached ({type(exc.orig).__name__})")


@users_app.command("add")
def add(
    email: Annotated[str, typer.Argument(help="The staff member's email; it is their sign-in.")],
    name: Annotated[
        str | None, typer.Option("--name", help="Their name, as pages show it.")
    ] = None,
    clinic: Annotated[
        str | None,
        typer.Option("--clinic", help="The clinic they join; default: the only one there is."),
    ] = None,
    role: Annotated[
        RoleChoice | None,
        typer.Option(
            "--role",
            help=f"Their role: {ROLE_HELP}. Default: admin for a clinic's first member, "
            "else viewer.",
        ),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Add a staff account. Passwords need at least 12 characters."""
    from dermcover.store.models import Role
    from dermcover.store.users import UserRepository, normalise_email

    if role is RoleChoice.none:
        fail("--role = 'none': a new account needs a role; allowed: " + ROLE_HELP)
    address = normalise_email(email)
    password = _read_password(address, from_stdin=password_stdin)
    given = Role(role.value) if role is not None else None
    staff = _with_database(
        lambda s: UserRepository(s).add_user(
            address, password, name=name, clinic=clinic, role=given
        )
    )
    [membership] = _with_database(lambda s: UserRepository(s).memberships(staff.id))
    console.print(
        f"Added staff account {escape(staff.email)} (id {staff.id}), "
        f"{membership.role.value} of {escape(membership.clinic)}.",
        highlight=False,
    )


@users_app.command("list")
def list_users() -> None:
    """Every staff account, with its clinics and roles."""
    from rich.table import Table

    from dermcover.store.users import UserRepository

    listings = _with_database(lambda s: UserRepository(s).list_users())
    if not listings:
        console.print("No staff accounts yet; add one with: dermcover users add EMAIL")
        return
    table = Table("id", "email", "name", "active", "clinics and roles")
    for listing in listings:
        staff = listing.staff
        roles = ", ".join(f"{m.clinic}: {m.role.value}" for m in listing.memberships) or "none"
        table.add_row(
            str(staff.id),
            escape(staff.email),
            escape(staff.name or ""),
            "yes" if staff.active else "disabled",
            escape(roles),
        )
    console.print(table)


@users_app.command("disable")
def disable(
    email: Annotated[str, typer.Argument(help="The account's email.")],
) -> None:
    """Disable an account: no more sign-ins, and every session it has ends now."""
    from dermcover.store.users import UserRepository

    staff = _with_database(lambda s: UserRepository(s).disable_user(email))
    console.print(f"Disabled {escape(staff.email)}; its sessions have ended.", highlight=False)


@users_app.command("role")
def role(
    email: Annotated[str, typer.Argument(help="The account's email.")],
    clinic: Annotated[str, typer.Argument(help="The clinic's id, e.g. default.")],
    new_role: Annotated[
        RoleChoice, typer.Argument(metavar="ROLE", help=f"{ROLE_HELP}, or none to remove.")
    ],
) -> None:
    """Set what an account may do in a clinic (joining it if need be), or remove it."""
    from dermcover.store.models import Role
    from dermcover.store.users import UserRepository

    given = None if new_role is RoleChoice.none else Role(new_role.value)
    membership = _with_database(lambda s: UserRepository(s).set_role(email, clinic, given))
    if membership is None:
        console.print(f"{escape(email)} is no longer in {escape(clinic)}.", highlight=False)
    else:
        console.print(
            f"{escape(email)} is {membership.role.value} of {escape(membership.clinic)}.",
            highlight=False,
        )


@clinics_app.command("add")
def add_clinic(
    clinic_id: Annotated[
        str, typer.Argument(metavar="ID", help="Short id: lowercase letters, digits, hyphens.")
    ],
    name: Annotated[str, typer.Argument(help="The clinic's name, as pages show it.")],
) -> None:
    """Add a clinic."""
    from dermcover.store.clinics import ClinicRepository

    clinic = _with_database(lambda s: ClinicRepository(s).add_clinic(clinic_id, name))
    console.print(f"Added clinic {escape(clinic.slug)} ({escape(clinic.name)}).", highlight=False)


@clinics_app.command("list")
def list_clinics() -> None:
    """Every clinic."""
    from rich.table import Table

    from dermcover.store.clinics import ClinicRepository

    clinics = _with_database(lambda s: ClinicRepository(s).list_clinics())
    table = Table("id", "name", "added")
    for clinic in clinics:
        table.add_row(
            escape(clinic.slug), escape(clinic.name), clinic.created_at.date().isoformat()
        )
    console.print(table)


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
