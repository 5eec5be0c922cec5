"""Clinics and roles, server-side sessions, sign-in failure counts; cases get a random public id.

Existing data moves into one clinic, `default`: every case and audit entry belongs to it, and
every existing staff member becomes its admin (before this, every account could do everything).
Audit entries name a case by its public id from now on.

Revision ID: 0002_clinics_sessions
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision: str = "0002_clinics_sessions"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

MOMENT = sa.DateTime(timezone=True)

OLD_ACTIONS = (
    "case_created",
    "case_read",
    "case_updated",
    "cases_listed",
    "event_added",
    "user_added",
    "signed_in",
    "sign_in_failed",
)
NEW_ACTIONS = (
    *OLD_ACTIONS,
    "case_refused",
    "signed_out",
    "password_changed",
    "user_disabled",
    "role_changed",
    "clinic_added",
    "sign_in_locked",
)
ROLES = ("admin", "biller", "clinician", "viewer")
DEFAULT_CLINIC = "default"


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    clinics = op.create_table(
        "clinics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinics")),
        sa.UniqueConstraint("slug", name=op.f("uq_clinics_slug")),
    )
    op.create_table(
        "clinic_members",
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", _enum("staff_role", *ROLES), nullable=False),
        sa.Column("added_at", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_clinic_members_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["staff_users.id"], name=op.f("fk_clinic_members_user_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("clinic_id", "user_id", name=op.f("pk_clinic_members")),
    )
    op.create_index(op.f("ix_clinic_members_user_id"), "clinic_members", ["user_id"])
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("last_seen_at", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["staff_users.id"], name=op.f("fk_staff_sessions_user_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_staff_sessions")),
    )
    op.create_index(op.f("ix_staff_sessions_user_id"), "staff_sessions", ["user_id"])
    op.create_table(
        "sign_in_failures",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", MOMENT, nullable=False),
        sa.Column("locked_until", MOMENT, nullable=True),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_sign_in_failures")),
    )

    connection = op.get_bind()
    connection.execute(
        clinics.insert().values(
            slug=DEFAULT_CLINIC, name="Default clinic", created_at=sa.func.now()
        )
    )
    default = connection.execute(
        sa.text("SELECT id FROM clinics WHERE slug = :slug"), {"slug": DEFAULT_CLINIC}
    ).scalar_one()
    connection.execute(
        sa.text(
            "INSERT INTO clinic_members (clinic_id, user_id, role, added_at) "
            "SELECT :clinic, id, 'admin', created_at FROM staff_users"
        ),
        {"clinic": default},
    )

    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("public_id", sa.String(length=36), nullable=True))
        batch.add_column(sa.Column("clinic_id", sa.Integer(), nullable=True))
    case_ids = connection.execute(sa.text("SELECT id FROM cases")).scalars().all()
    for case_id in case_ids:
        connection.execute(
            sa.text("UPDATE cases SET public_id = :public, clinic_id = :clinic WHERE id = :id"),
            {"public": str(uuid.uuid4()), "clinic": default, "id": case_id},
        )
    with op.batch_alter_table("cases") as batch:
        batch.alter_column("public_id", existing_type=sa.String(length=36), nullable=False)
        batch.alter_column("clinic_id", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint(op.f("uq_cases_public_id"), ["public_id"])
        batch.create_foreign_key(
            op.f("fk_cases_clinic_id_clinics"), "clinics", ["clinic_id"], ["id"]
        )
        batch.create_index(op.f("ix_cases_clinic_id"), ["clinic_id"])

    with op.batch_alter_table("audit_entries") as batch:
        batch.add_column(sa.Column("clinic_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("case_ref", sa.String(length=36), nullable=True))
    connection.execute(
        sa.text(
            "UPDATE audit_entries SET clinic_id = :clinic, case_ref = "
            "(SELECT cases.public_id FROM cases WHERE cases.id = audit_entries.case_id)"
        ),
        {"clinic": default},
    )
    with op.batch_alter_table("audit_entries") as batch:
        batch.drop_index("ix_audit_entries_case_id")
        batch.drop_column("case_id")
    with op.batch_alter_table("audit_entries") as batch:
        batch.alter_column("case_ref", new_column_name="case_id")
    with op.batch_alter_table("audit_entries") as batch:
        batch.create_index(op.f("ix_audit_entries_case_id"), ["case_id"])
        batch.create_index(op.f("ix_audit_entries_clinic_id"), ["clinic_id"])
        batch.create_foreign_key(
            op.f("fk_audit_entries_clinic_id_clinics"), "clinics", ["clinic_id"], ["id"]
        )
    _replace_actions(NEW_ACTIONS)


def downgrade() -> None:
    kept = ", ".join(f"'{action}'" for action in OLD_ACTIONS)
    op.execute(sa.text(f"DELETE FROM audit_entries WHERE action NOT IN ({kept})"))
    _replace_actions(OLD_ACTIONS)
    with op.batch_alter_table("audit_entries") as batch:
        batch.add_column(sa.Column("case_number", sa.Integer(), nullable=True))
    op.execute(
        sa.text(
            "UPDATE audit_entries SET case_number = "
            "(SELECT cases.id FROM cases WHERE cases.public_id = audit_entries.case_id)"
        )
    )
    with op.batch_alter_table("audit_entries") as batch:
        batch.drop_constraint(op.f("fk_audit_entries_clinic_id_clinics"), type_="foreignkey")
        batch.drop_index(op.f("ix_audit_entries_clinic_id"))
        batch.drop_index(op.f("ix_audit_entries_case_id"))
        batch.drop_column("case_id")
        batch.drop_column("clinic_id")
    with op.batch_alter_table("audit_entries") as batch:
        batch.alter_column("case_number", new_column_name="case_id")
    with op.batch_alter_table("audit_entries") as batch:
        batch.create_index(op.f("ix_audit_entries_case_id"), ["case_id"])
    with op.batch_alter_table("cases") as batch:
        batch.drop_constraint(op.f("fk_cases_clinic_id_clinics"), type_="foreignkey")
        batch.drop_constraint(op.f("uq_cases_public_id"), type_="unique")
        batch.drop_index(op.f("ix_cases_clinic_id"))
        batch.drop_column("clinic_id")
        batch.drop_column("public_id")
    op.drop_table("sign_in_failures")
    op.drop_table("staff_sessions")
    op.drop_table("clinic_members")
    op.drop_table("clinics")


def _replace_actions(new: tuple[str, ...]) -> None:
    """Swap the CHECK constraint listing the audit actions (the column is plain text)."""
    allowed = ", ".join(f"'{action}'" for action in new)
    with op.batch_alter_table("audit_entries") as batch:
        batch.drop_constraint(op.f("ck_audit_entries_audit_action"), type_="check")
        batch.create_check_constraint(
            op.f("ck_audit_entries_audit_action"), sa.text(f"action IN ({allowed})")
        )
