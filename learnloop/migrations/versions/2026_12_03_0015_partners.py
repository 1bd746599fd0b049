"""partners: organizations, OAuth2 clients and tokens, Track API events and progress,
catalog items, pull sources, forwarding rules and their outbox

Revision ID: 0015
Revises: 0009
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import learnloop.db

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "partners",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("unknown_users", sa.String(length=16), nullable=False),
        sa.Column("created_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partners")),
        sa.UniqueConstraint("name", name=op.f("uq_partners_name")),
    )
    op.create_table(
        "partner_catalog_items",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("content_id", sa.String(length=500), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("activity_id", sa.String(length=2048), nullable=False),
        sa.Column("created_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_partner_catalog_items_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_catalog_items")),
        sa.UniqueConstraint(
            "partner_id", "content_id", name=op.f("uq_partner_catalog_items_partner_id_content_id")
        ),
    )
    op.create_table(
        "partner_forwarding_rules",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("endpoint", sa.String(length=2048), nullable=False),
        sa.Column("username", sa.String(length=500), nullable=False),
        sa.Column("password", sa.String(length=500), nullable=False),
        sa.Column(
            "verb_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("activity_prefix", sa.String(length=2048), nullable=True),
        sa.Column("actor_domain", sa.String(length=255), nullable=True),
        sa.Column("partner_id", sa.String(length=36), nullable=True),
        sa.Column("batch_size", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_partner_forwarding_rules_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_forwarding_rules")),
    )
    with op.batch_alter_table("partner_forwarding_rules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_forwarding_rules_is_active"), ["is_active"], unique=False
        )

    op.create_table(
        "partner_organizations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_partner_organizations_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_organizations")),
        sa.UniqueConstraint(
            "partner_id", "org_id", name=op.f("uq_partner_organizations_partner_id_org_id")
        ),
    )
    op.create_table(
        "partner_pull_sources",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("endpoint", sa.String(length=2048), nullable=False),
        sa.Column("username", sa.String(length=500), nullable=False),
        sa.Column("password", sa.String(length=500), nullable=False),
        sa.Column("cursor_stored", sa.String(length=64), nullable=True),
        sa.Column("next_more_url", sa.Text(), nullable=True),
        sa.Column(
            "statements_pulled",
            sa.Integer(),
            nullable=False,
        ),
        sa.Column("last_run_at", learnloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_partner_pull_sources_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_pull_sources")),
    )
    with op.batch_alter_table("partner_pull_sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_pull_sources_partner_id"), ["partner_id"], unique=False
        )

    op.create_table(
        "partner_clients",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("organization_id", sa.String(length=36), nullable=True),
        sa.Column(
            "scopes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", learnloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["partner_organizations.id"],
            name=op.f("fk_partner_clients_organization_id_partner_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_partner_clients_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_clients")),
        sa.UniqueConstraint("client_id", name=op.f("uq_partner_clients_client_id")),
    )
    with op.batch_alter_table("partner_clients", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_clients_partner_id"), ["partner_id"], unique=False
        )

    op.create_table(
        "partner_forwarding_outbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("rule_id", sa.String(length=36), nullable=False),
        sa.Column("statement_id", sa.String(length=36), nullable=False),
        sa.Column("dead", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["partner_forwarding_rules.id"],
            name=op.f("fk_partner_forwarding_outbox_rule_id_partner_forwarding_rules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_forwarding_outbox")),
    )
    with op.batch_alter_table("partner_forwarding_outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_partner_forwarding_outbox_rule_dead", ["rule_id", "dead", "id"], unique=False
        )

    op.create_table(
        "partner_progress",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("content_id", sa.String(length=500), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("completion_percentage", sa.Integer(), nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=False),
        sa.Column("completed_at", learnloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_event_date", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_partner_progress_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_partner_progress_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_progress")),
        sa.UniqueConstraint(
            "partner_id",
            "content_id",
            "user_id",
            name=op.f("uq_partner_progress_partner_id_content_id_user_id"),
        ),
    )
    with op.batch_alter_table("partner_progress", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partner_progress_user_id"), ["user_id"], unique=False)

    op.create_table(
        "partner_track_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("organization_id", sa.String(length=36), nullable=True),
        sa.Column("content_id", sa.String(length=500), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("event_date", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("statement_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["partner_organizations.id"],
            name=op.f("fk_partner_track_events_organization_id_partner_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_partner_track_events_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_partner_track_events_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_track_events")),
        sa.UniqueConstraint(
            "partner_id",
            "content_id",
            "user_id",
            "status",
            "event_date",
            name=op.f("uq_partner_track_events_partner_id_content_id_user_id_status_event_date"),
        ),
    )
    with op.batch_alter_table("partner_track_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_track_events_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "partner_user_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("external_user_id", sa.String(length=320), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_partner_user_links_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_partner_user_links_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_user_links")),
        sa.UniqueConstraint(
            "partner_id",
            "external_user_id",
            name=op.f("uq_partner_user_links_partner_id_external_user_id"),
        ),
    )
    with op.batch_alter_table("partner_user_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_user_links_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "partner_access_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column(
            "scopes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("expires_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", learnloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["partner_clients.id"],
            name=op.f("fk_partner_access_tokens_client_id_partner_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_partner_access_tokens")),
    )
    with op.batch_alter_table("partner_access_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_access_tokens_client_id"), ["client_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_partner_access_tokens_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("partner_access_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_access_tokens_expires_at"))
        batch_op.drop_index(batch_op.f("ix_partner_access_tokens_client_id"))

    op.drop_table("partner_access_tokens")
    with op.batch_alter_table("partner_user_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_user_links_user_id"))

    op.drop_table("partner_user_links")
    with op.batch_alter_table("partner_track_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_track_events_user_id"))

    op.drop_table("partner_track_events")
    with op.batch_alter_table("partner_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_progress_user_id"))

    op.drop_table("partner_progress")
    with op.batch_alter_table("partner_forwarding_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_partner_forwarding_outbox_rule_dead")

    op.drop_table("partner_forwarding_outbox")
    with op.batch_alter_table("partner_clients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_clients_partner_id"))

    op.drop_table("partner_clients")
    with op.batch_alter_table("partner_pull_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_pull_sources_partner_id"))

    op.drop_table("partner_pull_sources")
    op.drop_table("partner_organizations")
    with op.batch_alter_table("partner_forwarding_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_forwarding_rules_is_active"))

    op.drop_table("partner_forwarding_rules")
    op.drop_table("partner_catalog_items")
    op.drop_table("partners")
