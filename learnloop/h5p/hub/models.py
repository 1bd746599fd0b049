"""The hub's state kept in the database: this site's registration and the content-type
cache (H5P core's ``h5p_libraries_hub_cache``; Lumi's ``ContentTypeCache``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from learnloop.db import Base, utcnow


class HubSite(Base):
    """One row: the uuid the hub gave this site and how the last cache refresh went."""

    __tablename__ = "h5p_hub_site"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str | None] = mapped_column(String(64), default=None)
    registered_at: Mapped[datetime | None] = mapped_column(default=None)
    content_types_refreshed_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    last_error_at: Mapped[datetime | None] = mapped_column(default=None)


class HubContentType(Base):
    """One content type the hub offers, as it last described it."""

    __tablename__ = "h5p_hub_content_types"

    machine_name: Mapped[str] = mapped_column(String(255), primary_key=True)
    major_version: Mapped[int] = mapped_column(Integer)
    minor_version: Mapped[int] = mapped_column(Integer)
    patch_version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(255))
    summary: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    icon: Mapped[str] = mapped_column(Text, default="")
    screenshots: Mapped[list[Any]] = mapped_column(default=list)
    popularity: Mapped[int] = mapped_column(Integer, default=0)
    is_recommended: Mapped[bool] = mapped_column(default=False)
    # The hub's whole entry (license, owner, keywords, example …) for clients that want it.
    document: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def version(self) -> str:
        return f"{self.major_version}.{self.minor_version}.{self.patch_version}"
