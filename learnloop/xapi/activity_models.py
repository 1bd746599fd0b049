"""The canonical Activity definitions served by ``GET /xapi/activities`` (xAPI-Communication
2.5), kept up to date from stored statements (learnloop.xapi.activity_definitions)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from learnloop.db import Base

# Activity ids are IRIs up to 2048 characters: too long for a B-tree key on PostgreSQL, so
# the primary key is their SHA-256.
SHA256_HEX_LENGTH = 64
IRI_LENGTH = 2048


class XapiActivity(Base):
    __tablename__ = "xapi_activities"

    id_hash: Mapped[str] = mapped_column(String(SHA256_HEX_LENGTH), primary_key=True)
    activity_id: Mapped[str] = mapped_column(String(IRI_LENGTH))
    definition: Mapped[dict[str, Any]]
    updated: Mapped[datetime]
    # The hash of the incoming definition merged in last. Merging is idempotent, so a
    # statement repeating that definition changes nothing and the row need not be read.
    last_merged_hash: Mapped[str | None] = mapped_column(String(SHA256_HEX_LENGTH))
