"""Partner platforms: partners, organizations, OAuth2 clients and tokens, Track API state,
pull sources and forwarding rules."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from learnloop.db import UUID_LENGTH, Base, new_uuid, utcnow

# What happens on the Track API when ``user`` names nobody LearnLoop knows.
UNKNOWN_USER_REJECT = "reject"
UNKNOWN_USER_CREATE = "create"


class Partner(Base):
    __tablename__ = "partners"

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True, default=new_uuid)
    # The ``{partnerName}`` of the URLs.
    name: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    unknown_users: Mapped[str] = mapped_column(String(16), default=UNKNOWN_USER_REJECT)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PartnerOrganization(Base):
    __tablename__ = "partner_organizations"
    __table_args__ = (UniqueConstraint("partner_id", "org_id"),)

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True, default=new_uuid)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    # The ``{orgId}`` of the URLs, unique within its partner.
    org_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PartnerClient(Base):
    """OAuth2 client credentials (RFC 6749 §2.3.1); the secret is stored hashed only."""

    __tablename__ = "partner_clients"

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True, default=new_uuid)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    partner_id: Mapped[str] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("partner_organizations.id", ondelete="CASCADE"), default=None
    )
    scopes: Mapped[list[str]] = mapped_column(default=list)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class PartnerAccessToken(Base):
    """An issued bearer token, by the hash of its value: any process can check it and
    revoking the client ends it at once."""

    __tablename__ = "partner_access_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(
        ForeignKey("partner_clients.id", ondelete="CASCADE"), index=True
    )
    scopes: Mapped[list[str]] = mapped_column(default=list)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PartnerUserLink(Base):
    """A partner's own user id for a LearnLoop user (Track API ``user`` as external id)."""

    __tablename__ = "partner_user_links"
    __table_args__ = (UniqueConstraint("partner_id", "external_user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    external_user_id: Mapped[str] = mapped_column(String(320))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class PartnerCatalogItem(Base):
    """External content a partner tracks, one per ``content_id``."""

    __tablename__ = "partner_catalog_items"
    __table_args__ = (UniqueConstraint("partner_id", "content_id"),)

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True, default=new_uuid)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    content_id: Mapped[str] = mapped_column(String(500))
    title: Mapped[str] = mapped_column(String(500))
    activity_id: Mapped[str] = mapped_column(String(2048))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PartnerTrackEvent(Base):
    """One accepted Track API event; the unique key makes a resent event a 409."""

    __tablename__ = "partner_track_events"
    __table_args__ = (
        UniqueConstraint("partner_id", "content_id", "user_id", "status", "event_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("partner_organizations.id", ondelete="CASCADE"), default=None
    )
    content_id: Mapped[str] = mapped_column(String(500))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    event_date: Mapped[datetime]
    statement_id: Mapped[str] = mapped_column(String(UUID_LENGTH))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PartnerProgress(Base):
    """A learner's standing on one partner content item; completion never goes back."""

    __tablename__ = "partner_progress"
    __table_args__ = (UniqueConstraint("partner_id", "content_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    content_id: Mapped[str] = mapped_column(String(500))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    completion_percentage: Mapped[int] = mapped_column(Integer, default=0)
    duration_seconds: Mapped[int] = mapped_column(Integer, default=0)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    last_event_date: Mapped[datetime]


class PartnerPullSource(Base):
    """A partner's LRS to pull history from. The password is kept as given: LearnLoop has
    to present it, so it cannot be hashed."""

    __tablename__ = "partner_pull_sources"

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True, default=new_uuid)
    partner_id: Mapped[str] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    endpoint: Mapped[str] = mapped_column(String(2048))
    username: Mapped[str] = mapped_column(String(500))
    password: Mapped[str] = mapped_column(String(500))
    # ``stored`` of the newest statement pulled: the next run asks ``since`` it.
    cursor_stored: Mapped[str | None] = mapped_column(String(64), default=None)
    # The ``more`` URL of a run that stopped after its page budget.
    next_more_url: Mapped[str | None] = mapped_column(Text, default=None)
    statements_pulled: Mapped[int] = mapped_column(Integer, default=0)
    last_run_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ForwardingRule(Base):
    """Statements matching the filter are sent to ``endpoint`` (an xAPI LRS). An empty
    filter part matches everything."""

    __tablename__ = "partner_forwarding_rules"

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(200))
    endpoint: Mapped[str] = mapped_column(String(2048))
    username: Mapped[str] = mapped_column(String(500))
    password: Mapped[str] = mapped_column(String(500))
    verb_ids: Mapped[list[str]] = mapped_column(default=list)
    activity_prefix: Mapped[str | None] = mapped_column(String(2048), default=None)
    actor_domain: Mapped[str | None] = mapped_column(String(255), default=None)
    partner_id: Mapped[str | None] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), default=None
    )
    batch_size: Mapped[int] = mapped_column(Integer, default=50)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ForwardingOutboxEntry(Base):
    """A statement waiting to be forwarded by one rule; sent in ``id`` order. Entries the
    target refuses for good stay with ``dead`` set (dead letters for admins)."""

    __tablename__ = "partner_forwarding_outbox"
    __table_args__ = (Index("ix_partner_forwarding_outbox_rule_dead", "rule_id", "dead", "id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    rule_id: Mapped[str] = mapped_column(
        ForeignKey("partner_forwarding_rules.id", ondelete="CASCADE")
    )
    # The LRS keeps the statement; the entry only names it.
    statement_id: Mapped[str] = mapped_column(String(UUID_LENGTH))
    dead: Mapped[bool] = mapped_column(Boolean, default=False)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
