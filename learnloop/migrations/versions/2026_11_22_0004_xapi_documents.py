"""xapi documents: State, Activity Profile and Agent Profile documents; canonical activities

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import learnloop.db

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "xapi_activities",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("activity_id", sa.String(length=2048), nullable=False),
        sa.Column(
            "definition",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("updated", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_xapi_activities")),
    )
    op.create_table(
        "xapi_documents",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("resource", sa.String(length=32), nullable=False),
        sa.Column("activity_id", sa.String(length=2048), nullable=False),
        sa.Column("agent_key", sa.String(length=2048), nullable=False),
        sa.Column("registration", sa.String(length=36), nullable=False),
        sa.Column("document_id", sa.String(length=2048), nullable=False),
        sa.Column("address_hash", sa.String(length=64), nullable=False),
        sa.Column("context_hash", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("etag", sa.String(length=40), nullable=False),
        sa.Column("updated", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xapi_documents")),
        sa.UniqueConstraint("address_hash", name=op.f("uq_xapi_documents_address_hash")),
    )
    with op.batch_alter_table("xapi_documents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_xapi_documents_context_updated", ["context_hash", "updated"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("xapi_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_xapi_documents_context_updated")
    op.drop_table("xapi_documents")
    op.drop_table("xapi_activities")
