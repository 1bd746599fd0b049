"""xapi statements: statements with index side tables, LRS client credentials

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import learnloop.db

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEQUENCE_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "xapi_statements",
        sa.Column("seq", SEQUENCE_ID, autoincrement=True, nullable=False),
        sa.Column("statement_id", sa.String(length=36), nullable=False),
        sa.Column("actor_key", sa.String(length=2048), nullable=True),
        sa.Column("actor_account_name", sa.String(length=2048), nullable=True),
        sa.Column("verb_id", sa.String(length=2048), nullable=False),
        sa.Column("object_type", sa.String(length=16), nullable=False),
        sa.Column("object_activity_id", sa.String(length=2048), nullable=True),
        sa.Column("object_statement_ref", sa.String(length=36), nullable=True),
        sa.Column("registration", sa.String(length=36), nullable=True),
        sa.Column("timestamp", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stored", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("authority_key", sa.String(length=2048), nullable=True),
        sa.Column("voided", sa.Boolean(), nullable=False),
        sa.Column("version", sa.String(length=16), nullable=False),
        sa.Column(
            "statement",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_xapi_statements")),
        sa.UniqueConstraint("statement_id", name=op.f("uq_xapi_statements_statement_id")),
    )
    with op.batch_alter_table("xapi_statements", schema=None) as batch_op:
        batch_op.create_index("ix_xapi_statements_actor_account_name", ["actor_account_name"])
        batch_op.create_index("ix_xapi_statements_actor_key", ["actor_key"])
        batch_op.create_index("ix_xapi_statements_authority_key", ["authority_key"])
        batch_op.create_index("ix_xapi_statements_object_activity_id", ["object_activity_id"])
        batch_op.create_index("ix_xapi_statements_object_statement_ref", ["object_statement_ref"])
        batch_op.create_index("ix_xapi_statements_registration", ["registration"])
        batch_op.create_index("ix_xapi_statements_stored_seq", ["stored", "seq"])
        batch_op.create_index("ix_xapi_statements_timestamp", ["timestamp"])
        batch_op.create_index("ix_xapi_statements_verb_id", ["verb_id"])

    op.create_table(
        "xapi_statement_agents",
        sa.Column("statement_seq", SEQUENCE_ID, nullable=False),
        sa.Column("agent_key", sa.String(length=2048), nullable=False),
        sa.Column("direct", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["statement_seq"],
            ["xapi_statements.seq"],
            name=op.f("fk_xapi_statement_agents_statement_seq_xapi_statements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "statement_seq", "agent_key", "direct", name=op.f("pk_xapi_statement_agents")
        ),
    )
    with op.batch_alter_table("xapi_statement_agents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_xapi_statement_agents_key", ["agent_key", "direct", "statement_seq"]
        )

    op.create_table(
        "xapi_statement_activities",
        sa.Column("statement_seq", SEQUENCE_ID, nullable=False),
        sa.Column("activity_id", sa.String(length=2048), nullable=False),
        sa.ForeignKeyConstraint(
            ["statement_seq"],
            ["xapi_statements.seq"],
            name=op.f("fk_xapi_statement_activities_statement_seq_xapi_statements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "statement_seq", "activity_id", name=op.f("pk_xapi_statement_activities")
        ),
    )
    with op.batch_alter_table("xapi_statement_activities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_xapi_statement_activities_activity", ["activity_id", "statement_seq"]
        )

    op.create_table(
        "xapi_lrs_clients",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "scopes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("owner_id", sa.String(length=36), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", learnloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_xapi_lrs_clients_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xapi_lrs_clients")),
        sa.UniqueConstraint("key", name=op.f("uq_xapi_lrs_clients_key")),
    )


def downgrade() -> None:
    op.drop_table("xapi_lrs_clients")
    with op.batch_alter_table("xapi_statement_activities", schema=None) as batch_op:
        batch_op.drop_index("ix_xapi_statement_activities_activity")
    op.drop_table("xapi_statement_activities")
    with op.batch_alter_table("xapi_statement_agents", schema=None) as batch_op:
        batch_op.drop_index("ix_xapi_statement_agents_key")
    op.drop_table("xapi_statement_agents")
    with op.batch_alter_table("xapi_statements", schema=None) as batch_op:
        for name in (
            "ix_xapi_statements_verb_id",
            "ix_xapi_statements_timestamp",
            "ix_xapi_statements_stored_seq",
            "ix_xapi_statements_registration",
            "ix_xapi_statements_object_statement_ref",
            "ix_xapi_statements_object_activity_id",
            "ix_xapi_statements_authority_key",
            "ix_xapi_statements_actor_key",
            "ix_xapi_statements_actor_account_name",
        ):
            batch_op.drop_index(name)
    op.drop_table("xapi_statements")
