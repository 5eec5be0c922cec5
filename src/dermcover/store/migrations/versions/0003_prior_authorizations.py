"""Prior authorizations received over PAS, their audit trail, and the coverage answers given
over CRD (so that DTR and PAS can pick them up).

Revision ID: 0003_prior_authorizations
Revises: 0002_clinics_sessions
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003_prior_authorizations"
down_revision: str | None = "0002_clinics_sessions"
branch_labels: str | None = None
depends_on: str | None = None

DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "coverage_assertions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=400), nullable=False),
        sa.Column("policy_id", sa.String(length=64), nullable=False),
        sa.Column("coverage", sa.String(length=200), nullable=True),
        sa.Column("case_document", DOCUMENT, nullable=False),
        sa.Column("determination_document", DOCUMENT, nullable=False),
        sa.Column("answered_at", MOMENT, nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("updated_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coverage_assertions")),
    )
    op.create_index(op.f("ix_coverage_assertions_subject"), "coverage_assertions", ["subject"])
    op.create_table(
        "prior_authorizations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("claim_identifier", sa.String(length=400), nullable=False),
        sa.Column("member_id", sa.String(length=200), nullable=True),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("request_document", DOCUMENT, nullable=False),
        sa.Column("response_document", DOCUMENT, nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("updated_at", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.public_id"],
            name=op.f("fk_prior_authorizations_case_id_cases"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prior_authorizations")),
        sa.UniqueConstraint("reference", name=op.f("uq_prior_authorizations_reference")),
    )
    op.create_index(op.f("ix_prior_authorizations_case_id"), "prior_authorizations", ["case_id"])
    op.create_index(
        op.f("ix_prior_authorizations_claim_identifier"),
        "prior_authorizations",
        ["claim_identifier"],
    )
    op.create_table(
        "prior_authorization_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prior_authorization_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("client", sa.String(length=400), nullable=True),
        sa.Column("at", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["prior_authorization_id"],
            ["prior_authorizations.id"],
            name=op.f("fk_prior_authorization_log_prior_authorization_id_prior_authorizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["staff_users.id"],
            name=op.f("fk_prior_authorization_log_user_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prior_authorization_log")),
    )
    op.create_index(
        op.f("ix_prior_authorization_log_prior_authorization_id"),
        "prior_authorization_log",
        ["prior_authorization_id"],
    )


def downgrade() -> None:
    op.drop_table("prior_authorization_log")
    op.drop_table("prior_authorizations")
    op.drop_table("coverage_assertions")
