"""auth: revoked tokens (logout) and login throttling (rate limit), shared by all processes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import learnloop.db

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "auth_revoked_tokens",
        sa.Column("token_key", sa.String(length=128), nullable=False),
        sa.Column("expires_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_key", name=op.f("pk_auth_revoked_tokens")),
    )
    with op.batch_alter_table("auth_revoked_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_auth_revoked_tokens_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "auth_login_throttles",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("locked_until", learnloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_auth_login_throttles")),
    )
    with op.batch_alter_table("auth_login_throttles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_auth_login_throttles_window_started_at"),
            ["window_started_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("auth_login_throttles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_login_throttles_window_started_at"))
    op.drop_table("auth_login_throttles")
    with op.batch_alter_table("auth_revoked_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_revoked_tokens_expires_at"))
    op.drop_table("auth_revoked_tokens")
