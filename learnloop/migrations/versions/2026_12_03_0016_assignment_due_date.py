"""analytics_class_content.due_at: an optional due date for content assigned to a class

Revision ID: 0016
Revises: 0009
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import learnloop.db

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("analytics_class_content") as batch:
        batch.add_column(
            sa.Column("due_at", learnloop.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("analytics_class_content") as batch:
        batch.drop_column("due_at")
