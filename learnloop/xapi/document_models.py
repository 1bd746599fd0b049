"""The documents of the State, Activity Profile and Agent Profile resources (xAPI-Communication
2.2, 2.3, 2.6, 2.7) in one table, told apart by ``resource``.

A document is addressed by its resource, activity id, agent identity key, registration and
state/profile id. Activity IRIs and agent keys may be kilobytes long, more than a B-tree
entry may hold on PostgreSQL, so the address and its context (the address without the
document id, for "list the ids" and "delete all state") are indexed as SHA-256 digests.

Content is kept inline, byte-exact with its content type: documents are small (the body limit
bounds them), and inline bytes commit or roll back with the rest of the request.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from learnloop.db import UUID_LENGTH, Base, new_uuid

# Same lengths as the statement index columns (learnloop.xapi.models).
IRI_LENGTH = 2048
AGENT_KEY_LENGTH = 2048
SHA256_HEX_LENGTH = 64
SHA1_HEX_LENGTH = 40
DOCUMENT_ID_LENGTH = 2048


class XapiDocument(Base):
    __tablename__ = "xapi_documents"

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True, default=new_uuid)
    # "state", "activity_profile" or "agent_profile".
    resource: Mapped[str] = mapped_column(String(32))
    # Empty string where the resource has no such part (a profile has no registration).
    activity_id: Mapped[str] = mapped_column(String(IRI_LENGTH))
    agent_key: Mapped[str] = mapped_column(String(AGENT_KEY_LENGTH))
    registration: Mapped[str] = mapped_column(String(UUID_LENGTH))
    document_id: Mapped[str] = mapped_column(String(DOCUMENT_ID_LENGTH))
    address_hash: Mapped[str] = mapped_column(String(SHA256_HEX_LENGTH), unique=True)
    context_hash: Mapped[str] = mapped_column(String(SHA256_HEX_LENGTH))
    content_type: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    # xAPI-Communication 3.1: the SHA-1 of the contents, lowercase hex.
    etag: Mapped[str] = mapped_column(String(SHA1_HEX_LENGTH))
    updated: Mapped[datetime]

    __table_args__ = (Index("ix_xapi_documents_context_updated", "context_hash", "updated"),)
