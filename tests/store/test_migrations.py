"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import uuid

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
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


def test_existing_records_move_into_the_default_clinic(engine: Engine) -> None:
    """A database from before clinics: its staff become the default clinic's admins, its cases
    and audit entries the default clinic's, and each case gets a random public id."""
    config = alembic_config(engine)
    command.downgrade(config, "0001")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO staff_users (id, email, password_hash, active, created_at) "
                "VALUES (7, 'old@clinic.example', 'x', true, CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO cases (id, policy_id, status, case_document, "
                "determination_document, created_by, created_at, updated_at) VALUES "
                "(3, 'generic', 'covered', '{}', '{}', 7, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO audit_entries (user_id, action, case_id, at) "
                "VALUES (7, 'case_read', 3, CURRENT_TIMESTAMP)"
            )
        )
    command.upgrade(config, "head")
    with engine.connect() as connection:
        clinic_id, slug = connection.execute(text("SELECT id, slug FROM clinics")).one()
        assert slug == "default"
        assert connection.execute(
            text("SELECT clinic_id, user_id, role FROM clinic_members")
        ).all() == [(clinic_id, 7, "admin")]
        public_id, case_clinic = connection.execute(
            text("SELECT public_id, clinic_id FROM cases WHERE id = 3")
        ).one()
        assert str(uuid.UUID(public_id)) == public_id and case_clinic == clinic_id
        assert connection.execute(
            text("SELECT case_id, clinic_id FROM audit_entries WHERE action = 'case_read'")
        ).one() == (public_id, clinic_id)
    assert differences(engine) == []
