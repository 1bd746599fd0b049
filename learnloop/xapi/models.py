"""The statements table, its index side tables, and LRS client credentials.

One row per statement: the full JSON (JSONB on PostgreSQL) plus the columns queries
filter on. Agents and activities that a statement mentions anywhere (for ``agent`` /
``related_agents`` and ``related_activities``) live in side tables with a B-tree index,
so those queries never scan the statements table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from learnloop.db import UUID_LENGTH, Base, new_uuid, utcnow

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit sequence.
SequenceId = BigInteger().with_variant(Integer(), "sqlite")
IRI_LENGTH = 2048
AGENT_KEY_LENGTH = 2048


class StatementRow(Base):
    __tablename__ = "xapi_statements"

    # Insertion order: the tie-breaker after ``stored`` and the anchor of ``more`` links.
    seq: Mapped[int] = mapped_column(SequenceId, primary_key=True, autoincrement=True)
    statement_id: Mapped[str] = mapped_column(String(UUID_LENGTH), unique=True)
    actor_key: Mapped[str | None] = mapped_column(String(AGENT_KEY_LENGTH))
    # The reference API filters by "account name or mbox" without the home page.
    actor_account_name: Mapped[str | None] = mapped_column(String(AGENT_KEY_LENGTH))
    verb_id: Mapped[str] = mapped_column(String(IRI_LENGTH))
    object_type: Mapped[str] = mapped_column(String(16))
    object_activity_id: Mapped[str | None] = mapped_column(String(IRI_LENGTH))
    object_statement_ref: Mapped[str | None] = mapped_column(String(UUID_LENGTH))
    registration: Mapped[str | None] = mapped_column(String(UUID_LENGTH))
    timestamp: Mapped[datetime]
    stored: Mapped[datetime]
    authority_key: Mapped[str | None] = mapped_column(String(AGENT_KEY_LENGTH))
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[str] = mapped_column(String(16))
    statement: Mapped[dict[str, Any]]

    __table_args__ = (
        Index("ix_xapi_statements_stored_seq", "stored", "seq"),
        Index("ix_xapi_statements_actor_key", "actor_key"),
        Index("ix_xapi_statements_actor_account_name", "actor_account_name"),
        Index("ix_xapi_statements_verb_id", "verb_id"),
        Index("ix_xapi_statements_object_activity_id", "object_activity_id"),
        Index("ix_xapi_statements_object_statement_ref", "object_statement_ref"),
        Index("ix_xapi_statements_registration", "registration"),
        Index("ix_xapi_statements_timestamp", "timestamp"),
        Index("ix_xapi_statements_authority_key", "authority_key"),
    )


class StatementAgent(Base):
    """Every Agent/Group identity a statement mentions. ``direct`` marks the ones the plain
    ``agent`` filter matches (actor, object, and members of a Group actor/object); the rest
    only match with ``related_agents=true`` (xAPI-Communication 2.1.3)."""

    __tablename__ = "xapi_statement_agents"

    statement_seq: Mapped[int] = mapped_column(
        SequenceId, ForeignKey("xapi_statements.seq", ondelete="CASCADE"), primary_key=True
    )
    agent_key: Mapped[str] = mapped_column(String(AGENT_KEY_LENGTH), primary_key=True)
    direct: Mapped[bool] = mapped_column(Boolean, primary_key=True)

    __table_args__ = (
        Index("ix_xapi_statement_agents_key", "agent_key", "direct", "statement_seq"),
    )


class StatementActivity(Base):
    """Every Activity id a statement mentions (object, context activities, and those of a
    SubStatement), for ``related_activities=true``."""

    __tablename__ = "xapi_statement_activities"

    statement_seq: Mapped[int] = mapped_column(
        SequenceId, ForeignKey("xapi_statements.seq", ondelete="CASCADE"), primary_key=True
    )
    activity_id: Mapped[str] = mapped_column(String(IRI_LENGTH), primary_key=True)

    __table_args__ = (
        Index("ix_xapi_statement_activities_activity", "activity_id", "statement_seq"),
    )


class LrsClient(Base):
    """A key/secret pair for HTTP Basic auth on ``/xapi`` with its xAPI scopes
    (xAPI-Communication 4.2). The secret is stored as a SHA-256 digest: it is 32 random
    bytes, so a slow password hash would add nothing but latency to every request."""

    __tablename__ = "xapi_lrs_clients"

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True, default=new_uuid)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[list[str]]
    owner_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    # "1.0.3" or "2.0.0": announced on error answers to this client's requests that carry
    # no X-Experience-API-Version (a 1.0.3-only tool would not understand "2.0.0").
    default_xapi_version: Mapped[str | None] = mapped_column(String(16), default=None)
