"""h5p: content upgrade runs (target library, content, progress, errors)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import learnloop.db

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "h5p_content_upgrades",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("target_library_id", sa.Integer(), nullable=False),
        sa.Column("content_ids", _json(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("upgraded", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("errors", _json(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", learnloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["users.id"],
            name=op.f("fk_h5p_content_upgrades_requested_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["target_library_id"],
            ["h5p_libraries.id"],
            name=op.f("fk_h5p_content_upgrades_target_library_id_h5p_libraries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_h5p_content_upgrades")),
    )
    with op.batch_alter_table("h5p_content_upgrades", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_h5p_content_upgrades_target_library_id"),
            ["target_library_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("h5p_content_upgrades", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_h5p_content_upgrades_target_library_id"))
    op.drop_table("h5p_content_upgrades")
