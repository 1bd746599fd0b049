"""lti: platform registrations and deployments, the tool's signing key, pending logins,
used nonces, and platform users and contexts linked to LearnLoop users and classes

Revision ID: 0018
Revises: 0009
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import learnloop.db

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lti_platforms",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("issuer", sa.String(length=512), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("auth_login_url", sa.String(length=1024), nullable=False),
        sa.Column("token_url", sa.String(length=1024), nullable=False),
        sa.Column("jwks_url", sa.String(length=1024), nullable=False),
        sa.Column("created_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_platforms")),
        sa.UniqueConstraint("issuer", "client_id", name=op.f("uq_lti_platforms_issuer_client_id")),
    )
    op.create_table(
        "lti_tool_keys",
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("private_key_pem", sa.Text(), nullable=False),
        sa.Column("created_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_lti_tool_keys")),
    )
    op.create_table(
        "lti_deployments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("platform_id", sa.String(length=36), nullable=False),
        sa.Column("deployment_id", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["lti_platforms.id"],
            name=op.f("fk_lti_deployments_platform_id_lti_platforms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_deployments")),
        sa.UniqueConstraint(
            "platform_id",
            "deployment_id",
            name=op.f("uq_lti_deployments_platform_id_deployment_id"),
        ),
    )
    op.create_table(
        "lti_login_states",
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("platform_id", sa.String(length=36), nullable=False),
        sa.Column("nonce", sa.String(length=128), nullable=False),
        sa.Column("target_link_uri", sa.String(length=2048), nullable=False),
        sa.Column("expires_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["lti_platforms.id"],
            name=op.f("fk_lti_login_states_platform_id_lti_platforms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("state_hash", name=op.f("pk_lti_login_states")),
    )
    with op.batch_alter_table("lti_login_states") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lti_login_states_expires_at"), ["expires_at"], unique=False
        )
    op.create_table(
        "lti_used_nonces",
        sa.Column("platform_id", sa.String(length=36), nullable=False),
        sa.Column("nonce", sa.String(length=128), nullable=False),
        sa.Column("expires_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["lti_platforms.id"],
            name=op.f("fk_lti_used_nonces_platform_id_lti_platforms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("platform_id", "nonce", name=op.f("pk_lti_used_nonces")),
    )
    with op.batch_alter_table("lti_used_nonces") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lti_used_nonces_expires_at"), ["expires_at"], unique=False
        )
    op.create_table(
        "lti_user_links",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("platform_id", sa.String(length=36), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["lti_platforms.id"],
            name=op.f("fk_lti_user_links_platform_id_lti_platforms"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_lti_user_links_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_user_links")),
        sa.UniqueConstraint(
            "platform_id", "subject", name=op.f("uq_lti_user_links_platform_id_subject")
        ),
    )
    op.create_table(
        "lti_context_classes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("platform_id", sa.String(length=36), nullable=False),
        sa.Column("context_id", sa.String(length=255), nullable=False),
        sa.Column("class_id", sa.String(length=36), nullable=False),
        sa.Column("memberships_url", sa.String(length=2048), nullable=True),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["lti_platforms.id"],
            name=op.f("fk_lti_context_classes_platform_id_lti_platforms"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["analytics_classes.id"],
            name=op.f("fk_lti_context_classes_class_id_analytics_classes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_context_classes")),
        sa.UniqueConstraint(
            "platform_id", "context_id", name=op.f("uq_lti_context_classes_platform_id_context_id")
        ),
    )
    op.create_table(
        "lti_grade_bindings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("platform_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("content_id", sa.String(length=100), nullable=False),
        sa.Column("lineitem_url", sa.String(length=2048), nullable=False),
        sa.Column("platform_user_id", sa.String(length=255), nullable=False),
        sa.Column("best_posted", sa.Float(), nullable=True),
        sa.Column("updated_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["lti_platforms.id"],
            name=op.f("fk_lti_grade_bindings_platform_id_lti_platforms"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_lti_grade_bindings_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_grade_bindings")),
        sa.UniqueConstraint(
            "user_id", "lineitem_url", name=op.f("uq_lti_grade_bindings_user_id_lineitem_url")
        ),
    )
    with op.batch_alter_table("lti_grade_bindings") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lti_grade_bindings_content_id"), ["content_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("lti_grade_bindings") as batch_op:
        batch_op.drop_index(batch_op.f("ix_lti_grade_bindings_content_id"))
    op.drop_table("lti_grade_bindings")
    op.drop_table("lti_context_classes")
    op.drop_table("lti_user_links")
    with op.batch_alter_table("lti_used_nonces") as batch_op:
        batch_op.drop_index(batch_op.f("ix_lti_used_nonces_expires_at"))
    op.drop_table("lti_used_nonces")
    with op.batch_alter_table("lti_login_states") as batch_op:
        batch_op.drop_index(batch_op.f("ix_lti_login_states_expires_at"))
    op.drop_table("lti_login_states")
    op.drop_table("lti_deployments")
    op.drop_table("lti_tool_keys")
    op.drop_table("lti_platforms")
