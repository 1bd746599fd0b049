"""What a class page lists: the content assigned to the class, with title, type and
due date (content deleted since it was assigned is shown as such, not hidden)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.analytics.models import ClassContent
from learnloop.h5p.models import H5PContent, H5PLibrary


@dataclass(frozen=True)
class Assignment:
    content_id: str
    title: str
    content_type: str
    due_at: datetime | None
    assigned_at: datetime
    exists: bool


def class_assignments(session: Session, class_id: str) -> list[Assignment]:
    rows = session.execute(
        select(
            ClassContent.content_id,
            H5PContent.title,
            H5PLibrary.machine_name,
            ClassContent.due_at,
            ClassContent.added_at,
        )
        .outerjoin(H5PContent, H5PContent.id == ClassContent.content_id)
        .outerjoin(H5PLibrary, H5PLibrary.id == H5PContent.main_library_id)
        .where(ClassContent.class_id == class_id)
        .order_by(ClassContent.due_at.is_(None), ClassContent.due_at, ClassContent.added_at)
    )
    return [
        Assignment(
            content_id=content_id,
            title=title or f"Deleted content {content_id}",
            content_type=machine_name or "",
            due_at=due_at,
            assigned_at=added_at,
            exists=title is not None,
        )
        for content_id, title, machine_name, due_at, added_at in rows
    ]
