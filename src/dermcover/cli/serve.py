"""`dermcover serve`: the web service (the API, the patient pages and the clinic workspace).

The database schema is brought up to date first, so a fresh machine needs nothing set up:
DATABASE_URL picks the database, else `dermcover.db` (SQLite) in the data directory
(see `store.settings`); the first line printed names it.

The service runs on uvloop with httptools' HTTP parser, one worker process per core by default.
uvloop sets TCP_NODELAY on every connection; asyncio's own loop does not on the sockets uvicorn
shares between worker processes, and then each answer waits some 40 ms for the client's delayed
ACK (see bench/README.md), so the service never runs on it.
"""

from __future__ import annotations

import ipaddress
import os
from typing import Annotated, Any

import typer

from dermcover.cli.app import app, console, fail


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def server_options(host: str, port: int, workers: int) -> dict[str, Any]:
    """How uvicorn runs the service."""
    return {
        "host": host,
        "port": port,
        "workers": workers,
        "factory": True,
        "loop": "uvloop",
        "http": "httptools",
        "log_config": None,
        "access_log": False,  # the app logs each request itself, without the query string
        "server_header": False,
        # The app reads X-Forwarded-For itself, and only from DERMCOVER_TRUSTED_PROXIES.
        "proxy_headers": False,
    }


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="The port to listen on.")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(min=1, max=64, help="Server processes; default: one per core."),
    ] = None,
    plain_http: Annotated[
        bool,
        typer.Option(
            "--plain-http",
            help="Development only: reached over plain HTTP on this machine, so cookies go "
            "without Secure. Refused on any address but loopback.",
        ),
    ] = False,
) -> None:
    """Start the web service: the API, the patient's coverage check and the clinic workspace.

    The API's docs are at /docs, the patient's check at /, the workspace at /clinic."""
    import uvicorn
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    from dermcover.codes import icd10
    from dermcover.logs import configure_logging
    from dermcover.store.migrate import upgrade_database
    from dermcover.store.settings import described
    from dermcover.web import Settings

    if plain_http:
        # Every worker process reads its settings from the environment.
        os.environ["DERMCOVER_PLAIN_HTTP"] = "1"
    settings = Settings.from_env()
    if settings.plain_http and not is_loopback(host):
        fail(
            f"--host = {host!r}: plain HTTP (--plain-http, DERMCOVER_PLAIN_HTTP) is for "
            "development on loopback only (127.0.0.1, ::1, localhost); serve HTTPS elsewhere"
        )
    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    console.print(described(settings.database_url), highlight=False, soft_wrap=True)
    configure_logging()
    try:
        upgrade_database(settings.database_url)
    except OperationalError as exc:
        fail(f"DATABASE_URL = {shown!r}: cannot be reached ({type(exc.orig).__name__})")
    icd10.is_valid("L57.0")  # builds the ICD-10-CM table on a first run, once for every worker
    count = workers or cores()
    processes = "1 process" if count == 1 else f"{count} processes"
    console.print(f"dermcover on http://{host}:{port}/  ({processes})", highlight=False)
    uvicorn.run("dermcover.web.server:app", **server_options(host, port, count))
