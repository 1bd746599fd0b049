"""Quality reports cached per content version (the reference keeps ``quality.json`` beside
the content; a row here goes away with the content through ``ON DELETE CASCADE``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from learnloop.db import Base, utcnow


class QualityReport(Base):
    __tablename__ = "h5p_quality_reports"

    content_id: Mapped[str] = mapped_column(
        ForeignKey("h5p_content.id", ondelete="CASCADE"), primary_key=True
    )
    # sha256 of the main library and params the report was made from: a content update
    # changes it, so a stale report is never served.
    content_digest: Mapped[str] = mapped_column(String(64))
    report: Mapped[dict[str, Any]] = mapped_column(default=dict)
    generated_at: Mapped[datetime] = mapped_column(default=utcnow)
