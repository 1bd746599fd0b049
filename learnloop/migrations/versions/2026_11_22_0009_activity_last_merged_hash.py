"""xapi_activities.last_merged_hash: the hash of the definition merged in last

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("xapi_activities") as batch:
        batch.add_column(sa.Column("last_merged_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("xapi_activities") as batch:
        batch.drop_column("last_merged_hash")
