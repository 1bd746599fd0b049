from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from learnloop.db import Base, utcnow


class Plan(Base):
    __tablename__ = "plans"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Feature slugs, e.g. ["cmi5-launch", "analytics-dashboard", "scorm-export"].
    features: Mapped[list[str]] = mapped_column(default=list)
    # Quota name -> limit; a missing name means unlimited, e.g. {"content": 25}.
    quotas: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
