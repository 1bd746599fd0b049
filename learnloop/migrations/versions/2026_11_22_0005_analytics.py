"""analytics

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import learnloop.db

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "analytics_content_days",
        sa.Column("content_id", sa.String(length=100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("statements", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("completions", sa.Integer(), nullable=False),
        sa.Column("successful_completions", sa.Integer(), nullable=False),
        sa.Column("scored", sa.Integer(), nullable=False),
        sa.Column("score_sum_milli", sa.BigInteger(), nullable=False),
        sa.Column("timed", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("content_id", "day", name=op.f("pk_analytics_content_days")),
    )
    op.create_table(
        "analytics_learner_days",
        sa.Column("learner_id", sa.String(length=512), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("content_id", sa.String(length=100), nullable=False),
        sa.Column("statements", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "learner_id", "day", "content_id", name=op.f("pk_analytics_learner_days")
        ),
    )
    op.create_table(
        "analytics_learner_progress",
        sa.Column("learner_id", sa.String(length=512), nullable=False),
        sa.Column("content_id", sa.String(length=100), nullable=False),
        sa.Column("statements", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("completions", sa.Integer(), nullable=False),
        sa.Column("successes", sa.Integer(), nullable=False),
        sa.Column("scored", sa.Integer(), nullable=False),
        sa.Column("score_sum_milli", sa.BigInteger(), nullable=False),
        sa.Column("best_score_milli", sa.BigInteger(), nullable=True),
        sa.Column("last_score_milli", sa.BigInteger(), nullable=True),
        sa.Column("last_scored_at", learnloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "last_scored_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("duration_ms", sa.BigInteger(), nullable=False),
        sa.Column("first_activity_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "learner_id", "content_id", name=op.f("pk_analytics_learner_progress")
        ),
    )
    with op.batch_alter_table("analytics_learner_progress", schema=None) as batch_op:
        batch_op.create_index(
            "ix_analytics_learner_progress_content", ["content_id", "learner_id"], unique=False
        )

    op.create_table(
        "analytics_question_learners",
        sa.Column("content_id", sa.String(length=100), nullable=False),
        sa.Column("question_id", sa.String(length=255), nullable=False),
        sa.Column("learner_id", sa.String(length=512), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "content_id", "question_id", "learner_id", name=op.f("pk_analytics_question_learners")
        ),
    )
    op.create_table(
        "analytics_question_stats",
        sa.Column("content_id", sa.String(length=100), nullable=False),
        sa.Column("question_id", sa.String(length=255), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.Column("learners", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "content_id", "question_id", name=op.f("pk_analytics_question_stats")
        ),
    )
    op.create_table(
        "analytics_statement_facts",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("statement_id", sa.String(length=36), nullable=False),
        sa.Column("learner_id", sa.String(length=512), nullable=False),
        sa.Column("content_id", sa.String(length=100), nullable=False),
        sa.Column("question_id", sa.String(length=255), nullable=True),
        sa.Column("timestamp", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("is_attempt", sa.Boolean(), nullable=False),
        sa.Column("is_completion", sa.Boolean(), nullable=False),
        sa.Column("is_success", sa.Boolean(), nullable=False),
        sa.Column("score_milli", sa.BigInteger(), nullable=True),
        sa.Column("duration_ms", sa.BigInteger(), nullable=True),
        sa.Column("is_answer", sa.Boolean(), nullable=False),
        sa.Column("is_correct", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_analytics_statement_facts")),
        sa.UniqueConstraint("statement_id", name=op.f("uq_analytics_statement_facts_statement_id")),
    )
    with op.batch_alter_table("analytics_statement_facts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_analytics_statement_facts_learner_content",
            ["learner_id", "content_id"],
            unique=False,
        )

    op.create_table(
        "analytics_classes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_analytics_classes_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_classes")),
    )
    with op.batch_alter_table("analytics_classes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analytics_classes_owner_id"), ["owner_id"], unique=False
        )

    op.create_table(
        "analytics_class_content",
        sa.Column("class_id", sa.String(length=36), nullable=False),
        sa.Column("content_id", sa.String(length=100), nullable=False),
        sa.Column("added_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["analytics_classes.id"],
            name=op.f("fk_analytics_class_content_class_id_analytics_classes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("class_id", "content_id", name=op.f("pk_analytics_class_content")),
    )
    op.create_table(
        "analytics_class_members",
        sa.Column("class_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("added_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["analytics_classes.id"],
            name=op.f("fk_analytics_class_members_class_id_analytics_classes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_analytics_class_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("class_id", "user_id", name=op.f("pk_analytics_class_members")),
    )
    with op.batch_alter_table("analytics_class_members", schema=None) as batch_op:
        batch_op.create_index("ix_analytics_class_members_user", ["user_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("analytics_class_members", schema=None) as batch_op:
        batch_op.drop_index("ix_analytics_class_members_user")

    op.drop_table("analytics_class_members")
    op.drop_table("analytics_class_content")
    with op.batch_alter_table("analytics_classes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_classes_owner_id"))

    op.drop_table("analytics_classes")
    with op.batch_alter_table("analytics_statement_facts", schema=None) as batch_op:
        batch_op.drop_index("ix_analytics_statement_facts_learner_content")

    op.drop_table("analytics_statement_facts")
    op.drop_table("analytics_question_stats")
    op.drop_table("analytics_question_learners")
    with op.batch_alter_table("analytics_learner_progress", schema=None) as batch_op:
        batch_op.drop_index("ix_analytics_learner_progress_content")

    op.drop_table("analytics_learner_progress")
    op.drop_table("analytics_learner_days")
    op.drop_table("analytics_content_days")
