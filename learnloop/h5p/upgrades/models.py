"""One content upgrade run: which content moves to which library version, and how far it
got (the job updates the counts after each batch, so progress is visible while it runs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from learnloop.db import UUID_LENGTH, Base, new_uuid, utcnow


class ContentUpgrade(Base):
    __tablename__ = "h5p_content_upgrades"

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True, default=new_uuid)
    target_library_id: Mapped[int] = mapped_column(
        ForeignKey("h5p_libraries.id", ondelete="CASCADE"), index=True
    )
    # The content to upgrade, fixed when the run is requested.
    content_ids: Mapped[list[str]] = mapped_column(default=list)
    total: Mapped[int] = mapped_column(Integer, default=0)
    upgraded: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    # [{"contentId", "error"}] of the items whose upgrade failed (they are unchanged).
    errors: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    requested_by: Mapped[str | None] = mapped_column(
        String(UUID_LENGTH), ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
