"""h5p content: libraries, dependencies, content, ownership, curriculum

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import learnloop.db

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "h5p_libraries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("machine_name", sa.String(length=255), nullable=False),
        sa.Column("major_version", sa.Integer(), nullable=False),
        sa.Column("minor_version", sa.Integer(), nullable=False),
        sa.Column("patch_version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("runnable", sa.Boolean(), nullable=False),
        sa.Column(
            "library_json",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "semantics",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("created_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_h5p_libraries")),
        sa.UniqueConstraint(
            "machine_name",
            "major_version",
            "minor_version",
            name=op.f("uq_h5p_libraries_machine_name_major_version_minor_version"),
        ),
    )

    op.create_table(
        "h5p_content",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("main_library_id", sa.Integer(), nullable=False),
        sa.Column(
            "params",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "metadata_json",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "embed_types",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("language", sa.String(length=32), nullable=False),
        sa.Column("created_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["main_library_id"],
            ["h5p_libraries.id"],
            name=op.f("fk_h5p_content_main_library_id_h5p_libraries"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_h5p_content")),
    )

    with op.batch_alter_table("h5p_content", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_h5p_content_main_library_id"), ["main_library_id"], unique=False
        )

    op.create_table(
        "h5p_library_dependencies",
        sa.Column("library_id", sa.Integer(), nullable=False),
        sa.Column("required_library_id", sa.Integer(), nullable=False),
        sa.Column("dependency_type", sa.String(length=16), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["library_id"],
            ["h5p_libraries.id"],
            name=op.f("fk_h5p_library_dependencies_library_id_h5p_libraries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["required_library_id"],
            ["h5p_libraries.id"],
            name=op.f("fk_h5p_library_dependencies_required_library_id_h5p_libraries"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "library_id",
            "required_library_id",
            "dependency_type",
            name=op.f("pk_h5p_library_dependencies"),
        ),
    )

    op.create_table(
        "h5p_content_curriculum",
        sa.Column("content_id", sa.String(length=100), nullable=False),
        sa.Column("framework_name", sa.String(length=200), nullable=True),
        sa.Column("stage_name", sa.String(length=200), nullable=True),
        sa.Column("grade_name", sa.String(length=200), nullable=True),
        sa.Column("subject_name", sa.String(length=200), nullable=True),
        sa.Column(
            "topic_names",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("difficulty", sa.String(length=32), nullable=True),
        sa.Column("language", sa.String(length=32), nullable=True),
        sa.Column("created_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["h5p_content.id"],
            name=op.f("fk_h5p_content_curriculum_content_id_h5p_content"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("content_id", name=op.f("pk_h5p_content_curriculum")),
    )

    op.create_table(
        "h5p_content_libraries",
        sa.Column("content_id", sa.String(length=100), nullable=False),
        sa.Column("library_id", sa.Integer(), nullable=False),
        sa.Column("dependency_type", sa.String(length=16), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["h5p_content.id"],
            name=op.f("fk_h5p_content_libraries_content_id_h5p_content"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["library_id"],
            ["h5p_libraries.id"],
            name=op.f("fk_h5p_content_libraries_library_id_h5p_libraries"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "content_id", "library_id", "dependency_type", name=op.f("pk_h5p_content_libraries")
        ),
    )

    with op.batch_alter_table("h5p_content_libraries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_h5p_content_libraries_library_id"), ["library_id"], unique=False
        )

    op.create_table(
        "h5p_content_ownership",
        sa.Column("content_id", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("visibility", sa.String(length=20), nullable=False),
        sa.Column("published_at", learnloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("view_count", sa.Integer(), nullable=False),
        sa.Column("created_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["h5p_content.id"],
            name=op.f("fk_h5p_content_ownership_content_id_h5p_content"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_h5p_content_ownership_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("content_id", name=op.f("pk_h5p_content_ownership")),
    )

    with op.batch_alter_table("h5p_content_ownership", schema=None) as batch_op:
        batch_op.create_index("ix_h5p_content_ownership_user_id", ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("h5p_content_ownership", schema=None) as batch_op:
        batch_op.drop_index("ix_h5p_content_ownership_user_id")
    op.drop_table("h5p_content_ownership")
    with op.batch_alter_table("h5p_content_libraries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_h5p_content_libraries_library_id"))
    op.drop_table("h5p_content_libraries")
    op.drop_table("h5p_content_curriculum")
    op.drop_table("h5p_library_dependencies")
    with op.batch_alter_table("h5p_content", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_h5p_content_main_library_id"))
    op.drop_table("h5p_content")
    op.drop_table("h5p_libraries")
