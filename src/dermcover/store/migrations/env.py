"""Alembic's entry point: run the migrations on the engine it was handed, or on DATABASE_URL."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Engine

from dermcover.store.database import create_database_engine
from dermcover.store.models import Base
from dermcover.store.settings import database_url

config = context.config
target_metadata = Base.metadata

if config.config_file_name is not None:  # run as `alembic ...` with alembic.ini
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def run_migrations() -> None:
    given = config.attributes.get("engine")
    engine: Engine = given if given is not None else create_database_engine(database_url())
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        if given is None:
            engine.dispose()


if context.is_offline_mode():
    raise SystemExit("dermcover's migrations run against a database, not as SQL scripts")
run_migrations()
