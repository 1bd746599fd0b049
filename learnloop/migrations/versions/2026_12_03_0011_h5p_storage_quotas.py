"""h5p: bytes stored per content item and the temporary upload area's files (quotas, clean-up)

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import learnloop.db

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Content imported before this revision counts 0 bytes until its files change.
    with op.batch_alter_table("h5p_content", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("files_bytes", sa.BigInteger(), server_default="0", nullable=False)
        )

    op.create_table(
        "h5p_temp_files",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("filename", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("created_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_h5p_temp_files_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_h5p_temp_files")),
        sa.UniqueConstraint("user_id", "filename", name=op.f("uq_h5p_temp_files_user_id_filename")),
    )
    with op.batch_alter_table("h5p_temp_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_h5p_temp_files_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("h5p_temp_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_h5p_temp_files_expires_at"))
    op.drop_table("h5p_temp_files")
    with op.batch_alter_table("h5p_content", schema=None) as batch_op:
        batch_op.drop_column("files_bytes")
