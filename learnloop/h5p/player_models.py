"""Tables of the H5P player: resume state (content user data) and finished results.

Both reference ``h5p_content.id`` and ``users.id`` with ``ON DELETE CASCADE``: deleting
content (or a user) takes their rows along (h5p-completion-tracking: "The server
automatically deletes the data when the content object is deleted").
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from learnloop.db import UUID_LENGTH, Base, utcnow

DATA_TYPE_LENGTH = 64
SUB_CONTENT_ID_LENGTH = 64
MAIN_CONTENT = "0"  # H5P core sends subContentId 0 for the content itself


class H5PContentUserData(Base):
    """One saved value per user × content × data type × sub-content (H5P's user data)."""

    __tablename__ = "h5p_content_user_data"
    __table_args__ = (Index("ix_h5p_content_user_data_user_id", "user_id"),)

    content_id: Mapped[str] = mapped_column(
        ForeignKey("h5p_content.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        String(UUID_LENGTH), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    data_type: Mapped[str] = mapped_column(String(DATA_TYPE_LENGTH), primary_key=True)
    sub_content_id: Mapped[str] = mapped_column(String(SUB_CONTENT_ID_LENGTH), primary_key=True)
    # The JSON string exactly as the H5P client sent it; handed back unchanged.
    data: Mapped[str] = mapped_column(Text)
    preload: Mapped[bool] = mapped_column(default=False)
    invalidate: Mapped[bool] = mapped_column(default=False)
    # The content's updated_at when this was saved: a newer content version makes
    # invalidate-marked rows stale (see learnloop.h5p.user_data).
    content_version: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class H5PFinishedResult(Base):
    """setFinished: one result per user and content, the latest one wins."""

    __tablename__ = "h5p_finished_results"
    __table_args__ = (Index("ix_h5p_finished_results_user_id", "user_id"),)

    content_id: Mapped[str] = mapped_column(
        ForeignKey("h5p_content.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        String(UUID_LENGTH), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    score: Mapped[float] = mapped_column()
    max_score: Mapped[float] = mapped_column()
    opened_at: Mapped[datetime] = mapped_column()
    finished_at: Mapped[datetime] = mapped_column()
    # Seconds the content was open, as reported by the client (0 when it sent none).
    time_seconds: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
