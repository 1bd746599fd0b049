"""h5p player: content user data (resume state) and finished results

Revision ID: 0007
Revises: 0003
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import learnloop.db

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "h5p_content_user_data",
        sa.Column("content_id", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("data_type", sa.String(length=64), nullable=False),
        sa.Column("sub_content_id", sa.String(length=64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("preload", sa.Boolean(), nullable=False),
        sa.Column("invalidate", sa.Boolean(), nullable=False),
        sa.Column("content_version", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["h5p_content.id"],
            name=op.f("fk_h5p_content_user_data_content_id_h5p_content"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_h5p_content_user_data_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "content_id",
            "user_id",
            "data_type",
            "sub_content_id",
            name=op.f("pk_h5p_content_user_data"),
        ),
    )
    op.create_index(
        "ix_h5p_content_user_data_user_id", "h5p_content_user_data", ["user_id"], unique=False
    )
    op.create_table(
        "h5p_finished_results",
        sa.Column("content_id", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("max_score", sa.Double(), nullable=False),
        sa.Column("opened_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("time_seconds", sa.Integer(), nullable=False),
        sa.Column("created_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["h5p_content.id"],
            name=op.f("fk_h5p_finished_results_content_id_h5p_content"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_h5p_finished_results_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("content_id", "user_id", name=op.f("pk_h5p_finished_results")),
    )
    op.create_index(
        "ix_h5p_finished_results_user_id", "h5p_finished_results", ["user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_h5p_finished_results_user_id", table_name="h5p_finished_results")
    op.drop_table("h5p_finished_results")
    op.drop_index("ix_h5p_content_user_data_user_id", table_name="h5p_content_user_data")
    op.drop_table("h5p_content_user_data")
