"""xapi_lrs_clients.default_xapi_version: the version of error answers to requests without
an X-Experience-API-Version header

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("xapi_lrs_clients") as batch:
        batch.add_column(sa.Column("default_xapi_version", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("xapi_lrs_clients") as batch:
        batch.drop_column("default_xapi_version")
