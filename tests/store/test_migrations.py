"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect
from sqlalchemy.engine import URL

from dermcover.store.migrate import alembic_config, upgrade_database
from dermcover.store.models import Base


def differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def test_the_migrated_schema_matches_the_models(engine: Engine) -> None:
    assert differences(engine) == []
    command.check(alembic_config(engine))  # raises when autogenerate would write a migration


def test_the_database_is_at_the_latest_migration(engine: Engine) -> None:
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head


def test_upgrading_a_current_database_changes_nothing(database_url: URL, engine: Engine) -> None:
    upgrade_database(database_url)
    assert differences(engine) == []


def test_the_migrations_go_down_and_up_again(engine: Engine) -> None:
    config = alembic_config(engine)
    command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(config, "head")
    assert differences(engine) == []
