"""h5p: the hub's site registration and content-type cache, and quality reports per content

Revision ID: 0019
Revises: 0009
Create Date: 2026-12-03
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import learnloop.db

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "h5p_hub_site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=64), nullable=True),
        sa.Column("registered_at", learnloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "content_types_refreshed_at", learnloop.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", learnloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_h5p_hub_site")),
    )
    op.create_table(
        "h5p_hub_content_types",
        sa.Column("machine_name", sa.String(length=255), nullable=False),
        sa.Column("major_version", sa.Integer(), nullable=False),
        sa.Column("minor_version", sa.Integer(), nullable=False),
        sa.Column("patch_version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("icon", sa.Text(), nullable=False),
        sa.Column("screenshots", _json(), nullable=False),
        sa.Column("popularity", sa.Integer(), nullable=False),
        sa.Column("is_recommended", sa.Boolean(), nullable=False),
        sa.Column("document", _json(), nullable=False),
        sa.Column("updated_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("machine_name", name=op.f("pk_h5p_hub_content_types")),
    )
    op.create_table(
        "h5p_quality_reports",
        sa.Column("content_id", sa.String(length=100), nullable=False),
        sa.Column("content_digest", sa.String(length=64), nullable=False),
        sa.Column("report", _json(), nullable=False),
        sa.Column("generated_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["h5p_content.id"],
            name=op.f("fk_h5p_quality_reports_content_id_h5p_content"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("content_id", name=op.f("pk_h5p_quality_reports")),
    )


def downgrade() -> None:
    op.drop_table("h5p_quality_reports")
    op.drop_table("h5p_hub_content_types")
    op.drop_table("h5p_hub_site")
