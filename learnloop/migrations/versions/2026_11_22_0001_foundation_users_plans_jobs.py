"""foundation: users, plans, jobs

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import learnloop.db

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("locked_by", sa.String(length=200), nullable=True),
        sa.Column("locked_at", learnloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", learnloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
    )
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.create_index("ix_job_status_run_after", ["status", "run_after"], unique=False)

    op.create_table(
        "plans",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "features",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "quotas",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("external_subject", sa.String(length=512), nullable=True),
        sa.Column("plan_id", sa.String(length=64), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_users_plan_id_plans"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        sa.UniqueConstraint("external_subject", name=op.f("uq_users_external_subject")),
    )
    # The reference's feature gates: "free" has none and a small creation quota; "pro"
    # has every feature and no quota. LEARNLOOP_DEFAULT_PLAN picks the default.
    plans = sa.table(
        "plans",
        sa.column("id", sa.String()),
        sa.column("name", sa.String()),
        sa.column("features", sa.JSON()),
        sa.column("quotas", sa.JSON()),
        sa.column("created_at", learnloop.db.UTCDateTime(timezone=True)),
        sa.column("updated_at", learnloop.db.UTCDateTime(timezone=True)),
    )
    now = learnloop.db.utcnow()
    op.bulk_insert(
        plans,
        [
            {
                "id": "free",
                "name": "Free",
                "features": [],
                "quotas": {"content": 25},
                "created_at": now,
                "updated_at": now,
            },
            {
                "id": "pro",
                "name": "Pro",
                "features": ["analytics-dashboard", "cmi5-launch", "scorm-export"],
                "quotas": {},
                "created_at": now,
                "updated_at": now,
            },
        ],
    )


def downgrade() -> None:
    op.drop_table("users")
    op.drop_table("plans")
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_index("ix_job_status_run_after")

    op.drop_table("job")
