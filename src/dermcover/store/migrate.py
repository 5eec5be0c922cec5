"""Bringing a database's schema up to date with Alembic.

The migrations ship inside the package (`dermcover/store/migrations`), so an installed service
can upgrade its own database: the app and the CLI call `upgrade_database` at start-up, and a
database that is already current is left as it is. `alembic.ini` at the top of the repository
points at the same folder for writing new migrations (`alembic revision --autogenerate -m ...`,
with DATABASE_URL naming a database at the current head).
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine
from sqlalchemy.engine import URL

from dermcover.store.database import create_database_engine

SCRIPT_LOCATION = "dermcover.store:migrations"


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration that runs on `engine`'s connections (no ini file needed)."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["engine"] = engine
    return config


def upgrade_database(url: URL | str) -> None:
    """Apply every migration `url`'s database has not had yet."""
    engine = create_database_engine(url)
    try:
        command.upgrade(alembic_config(engine), "head")
    finally:
        engine.dispose()
