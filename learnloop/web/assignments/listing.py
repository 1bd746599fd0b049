"""My assignments: every item assigned to a class the learner belongs to, with the
class, due date and the learner's standing (one query each for assignments and
progress, whatever the number of classes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.analytics.models import ClassContent, ClassMember, LearnerClass, LearnerProgress
from learnloop.h5p.models import H5PContent, H5PLibrary
from learnloop.web.assignments.status import Standing, standing_of


@dataclass(frozen=True)
class LearnerAssignment:
    content_id: str
    title: str
    content_type: str
    class_name: str
    due_at: datetime | None
    standing: Standing


def learner_assignments(session: Session, learner_id: str) -> list[LearnerAssignment]:
    rows = session.execute(
        select(
            ClassContent.content_id,
            H5PContent.title,
            H5PLibrary.machine_name,
            LearnerClass.name,
            ClassContent.due_at,
        )
        .join(ClassMember, ClassMember.class_id == ClassContent.class_id)
        .join(LearnerClass, LearnerClass.id == ClassContent.class_id)
        .join(H5PContent, H5PContent.id == ClassContent.content_id)
        .join(H5PLibrary, H5PLibrary.id == H5PContent.main_library_id)
        .where(ClassMember.user_id == learner_id)
        .order_by(ClassContent.due_at.is_(None), ClassContent.due_at, H5PContent.title)
    ).all()
    content_ids = {row[0] for row in rows}
    progress = {
        row.content_id: row
        for row in session.scalars(
            select(LearnerProgress).where(
                LearnerProgress.learner_id == learner_id,
                LearnerProgress.content_id.in_(content_ids),
            )
        )
    }
    seen: set[str] = set()
    result: list[LearnerAssignment] = []
    for content_id, title, machine_name, class_name, due_at in rows:
        # Content assigned through two classes is listed once, with its earliest due date.
        if content_id in seen:
            continue
        seen.add(content_id)
        result.append(
            LearnerAssignment(
                content_id=content_id,
                title=title,
                content_type=machine_name,
                class_name=class_name,
                due_at=due_at,
                standing=standing_of(progress.get(content_id)),
            )
        )
    return result
