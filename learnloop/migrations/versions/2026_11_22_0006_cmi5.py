"""cmi5: courses, blocks, AUs, objectives, registrations, sessions, fetch tokens, satisfaction

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import learnloop.db

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cmi5_courses",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("publisher_id", sa.String(length=2048), nullable=False),
        sa.Column(
            "title",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "description",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("owner_id", sa.String(length=36), nullable=True),
        sa.Column("files_prefix", sa.String(length=255), nullable=True),
        sa.Column("content_id", sa.String(length=500), nullable=True),
        sa.Column("au_count", sa.Integer(), nullable=False),
        sa.Column("created_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_cmi5_courses_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cmi5_courses")),
        sa.UniqueConstraint("content_id", name=op.f("uq_cmi5_courses_content_id")),
    )
    with op.batch_alter_table("cmi5_courses", schema=None) as batch_op:
        batch_op.create_index("ix_cmi5_courses_owner_id", ["owner_id"], unique=False)

    op.create_table(
        "cmi5_blocks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("course_id", sa.String(length=36), nullable=False),
        sa.Column("parent_block_id", sa.String(length=36), nullable=True),
        sa.Column("publisher_id", sa.String(length=2048), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "title",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "description",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "objectives",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["cmi5_courses.id"],
            name=op.f("fk_cmi5_blocks_course_id_cmi5_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_block_id"],
            ["cmi5_blocks.id"],
            name=op.f("fk_cmi5_blocks_parent_block_id_cmi5_blocks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cmi5_blocks")),
    )
    with op.batch_alter_table("cmi5_blocks", schema=None) as batch_op:
        batch_op.create_index("ix_cmi5_blocks_course_id", ["course_id"], unique=False)

    op.create_table(
        "cmi5_objectives",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("course_id", sa.String(length=36), nullable=False),
        sa.Column("publisher_id", sa.String(length=2048), nullable=False),
        sa.Column(
            "title",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "description",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["cmi5_courses.id"],
            name=op.f("fk_cmi5_objectives_course_id_cmi5_courses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cmi5_objectives")),
    )
    with op.batch_alter_table("cmi5_objectives", schema=None) as batch_op:
        batch_op.create_index("ix_cmi5_objectives_course_id", ["course_id"], unique=False)

    op.create_table(
        "cmi5_registrations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("course_id", sa.String(length=36), nullable=False),
        sa.Column("content_id", sa.String(length=500), nullable=True),
        sa.Column("learner_id", sa.String(length=255), nullable=False),
        sa.Column(
            "actor_account",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("owner_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=50), nullable=False),
        sa.Column("session_id", sa.String(length=255), nullable=True),
        sa.Column(
            "score",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("launch_mode", sa.String(length=20), nullable=False),
        sa.Column("course_activity_id", sa.String(length=2048), nullable=False),
        sa.Column("created_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["cmi5_courses.id"],
            name=op.f("fk_cmi5_registrations_course_id_cmi5_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_cmi5_registrations_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cmi5_registrations")),
        sa.UniqueConstraint(
            "content_id", "learner_id", name=op.f("uq_cmi5_registrations_content_id_learner_id")
        ),
        sa.UniqueConstraint(
            "course_id", "learner_id", name=op.f("uq_cmi5_registrations_course_id_learner_id")
        ),
    )
    with op.batch_alter_table("cmi5_registrations", schema=None) as batch_op:
        batch_op.create_index("ix_cmi5_registrations_learner_id", ["learner_id"], unique=False)

    op.create_table(
        "cmi5_aus",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("course_id", sa.String(length=36), nullable=False),
        sa.Column("block_id", sa.String(length=36), nullable=True),
        sa.Column("publisher_id", sa.String(length=2048), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "title",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "description",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "objectives",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_is_relative", sa.Boolean(), nullable=False),
        sa.Column("move_on", sa.String(length=32), nullable=False),
        sa.Column("mastery_score", sa.Float(), nullable=True),
        sa.Column("launch_method", sa.String(length=16), nullable=False),
        sa.Column("launch_parameters", sa.Text(), nullable=True),
        sa.Column("entitlement_key", sa.Text(), nullable=True),
        sa.Column("activity_type", sa.String(length=2048), nullable=True),
        sa.ForeignKeyConstraint(
            ["block_id"],
            ["cmi5_blocks.id"],
            name=op.f("fk_cmi5_aus_block_id_cmi5_blocks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["cmi5_courses.id"],
            name=op.f("fk_cmi5_aus_course_id_cmi5_courses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cmi5_aus")),
    )
    with op.batch_alter_table("cmi5_aus", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cmi5_aus_course_id_position", ["course_id", "position"], unique=False
        )

    op.create_table(
        "cmi5_satisfactions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("registration_id", sa.String(length=36), nullable=False),
        sa.Column("node_id", sa.String(length=36), nullable=False),
        sa.Column("statement_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["cmi5_registrations.id"],
            name=op.f("fk_cmi5_satisfactions_registration_id_cmi5_registrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cmi5_satisfactions")),
        sa.UniqueConstraint(
            "registration_id", "node_id", name=op.f("uq_cmi5_satisfactions_registration_id_node_id")
        ),
    )
    op.create_table(
        "cmi5_au_statuses",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("registration_id", sa.String(length=36), nullable=False),
        sa.Column("au_id", sa.String(length=36), nullable=False),
        sa.Column("launch_activity_id", sa.String(length=2048), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("failed", sa.Boolean(), nullable=False),
        sa.Column("waived", sa.Boolean(), nullable=False),
        sa.Column("satisfied", sa.Boolean(), nullable=False),
        sa.Column(
            "score",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("updated_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["au_id"],
            ["cmi5_aus.id"],
            name=op.f("fk_cmi5_au_statuses_au_id_cmi5_aus"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["cmi5_registrations.id"],
            name=op.f("fk_cmi5_au_statuses_registration_id_cmi5_registrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cmi5_au_statuses")),
        sa.UniqueConstraint(
            "registration_id", "au_id", name=op.f("uq_cmi5_au_statuses_registration_id_au_id")
        ),
    )
    op.create_table(
        "cmi5_sessions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("registration_id", sa.String(length=36), nullable=False),
        sa.Column("au_id", sa.String(length=36), nullable=False),
        sa.Column("launch_activity_id", sa.String(length=2048), nullable=False),
        sa.Column("launch_mode", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("launched_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("initialized_at", learnloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_activity_at", learnloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", learnloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("auth_key", sa.String(length=64), nullable=False),
        sa.Column("auth_secret_hash", sa.String(length=64), nullable=True),
        sa.Column("auth_expires_at", learnloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["au_id"],
            ["cmi5_aus.id"],
            name=op.f("fk_cmi5_sessions_au_id_cmi5_aus"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["cmi5_registrations.id"],
            name=op.f("fk_cmi5_sessions_registration_id_cmi5_registrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cmi5_sessions")),
        sa.UniqueConstraint("auth_key", name=op.f("uq_cmi5_sessions_auth_key")),
    )
    with op.batch_alter_table("cmi5_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_cmi5_sessions_registration_id", ["registration_id"], unique=False)

    op.create_table(
        "cmi5_fetch_tokens",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("expires_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", learnloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["cmi5_sessions.id"],
            name=op.f("fk_cmi5_fetch_tokens_session_id_cmi5_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cmi5_fetch_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_cmi5_fetch_tokens_token_hash")),
    )
    with op.batch_alter_table("cmi5_fetch_tokens", schema=None) as batch_op:
        batch_op.create_index("ix_cmi5_fetch_tokens_session_id", ["session_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cmi5_fetch_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_cmi5_fetch_tokens_session_id")

    op.drop_table("cmi5_fetch_tokens")
    with op.batch_alter_table("cmi5_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_cmi5_sessions_registration_id")

    op.drop_table("cmi5_sessions")
    op.drop_table("cmi5_au_statuses")
    op.drop_table("cmi5_satisfactions")
    with op.batch_alter_table("cmi5_aus", schema=None) as batch_op:
        batch_op.drop_index("ix_cmi5_aus_course_id_position")

    op.drop_table("cmi5_aus")
    with op.batch_alter_table("cmi5_registrations", schema=None) as batch_op:
        batch_op.drop_index("ix_cmi5_registrations_learner_id")

    op.drop_table("cmi5_registrations")
    with op.batch_alter_table("cmi5_objectives", schema=None) as batch_op:
        batch_op.drop_index("ix_cmi5_objectives_course_id")

    op.drop_table("cmi5_objectives")
    with op.batch_alter_table("cmi5_blocks", schema=None) as batch_op:
        batch_op.drop_index("ix_cmi5_blocks_course_id")

    op.drop_table("cmi5_blocks")
    with op.batch_alter_table("cmi5_courses", schema=None) as batch_op:
        batch_op.drop_index("ix_cmi5_courses_owner_id")

    op.drop_table("cmi5_courses")
