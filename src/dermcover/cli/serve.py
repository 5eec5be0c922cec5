"""`dermcover serve`: the web service (the API, the patient pages and the clinic workspace).

The database schema is brought up to date first, so a fresh machine needs nothing set up:
DATABASE_URL picks the database, else `dermcover.db` (SQLite) in the data directory
(see `store.settings`); the first line printed names it.
"""

from __future__ import annotations

from typing import Annotated

import typer

from dermcover.cli.app import app, console, fail


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="The port to listen on.")] = 8000,
) -> None:
    """Start the web service: the HTTP API (docs at /docs), the patient's coverage check at /
    and the clinic workspace at /clinic."""
    import threading

    import uvicorn
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    from dermcover.codes.search import search_icd10
    from dermcover.logs import configure_logging
    from dermcover.store.migrate import upgrade_database
    from dermcover.store.settings import described
    from dermcover.web import Settings, create_app

    settings = Settings.from_env()
    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    console.print(described(settings.database_url), highlight=False, soft_wrap=True)
    configure_logging()
    try:
        upgrade_database(settings.database_url)
    except OperationalError as exc:
        fail(f"DATABASE_URL = {shown!r}: cannot be reached ({type(exc.orig).__name__})")
    # The code search builds its index on first use (about two seconds); build it now, aside.
    threading.Thread(target=search_icd10, args=("acne", 1), daemon=True).start()
    console.print(f"dermcover on http://{host}:{port}/", highlight=False)
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_config=None,
        access_log=False,  # the app logs each request itself, without the query string
        server_header=False,
    )
