"""The gradebook of a class: every member × every assigned item, including items a
learner has not started, with best and last score, completion, attempts and time —
read from the progress projection in one query."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.analytics.models import ClassMember, LearnerClass, LearnerProgress
from learnloop.auth.models import User
from learnloop.web.assignments.status import Standing, standing_of
from learnloop.web.classes.views import Assignment, class_assignments


@dataclass(frozen=True)
class Learner:
    id: str
    name: str
    email: str


@dataclass(frozen=True)
class Gradebook:
    learners: list[Learner]
    items: list[Assignment]
    cells: dict[tuple[str, str], Standing]  # (learner id, content id)

    def cell(self, learner_id: str, content_id: str) -> Standing:
        return self.cells[(learner_id, content_id)]


def gradebook(session: Session, learner_class: LearnerClass) -> Gradebook:
    learners = [
        Learner(id=user_id, name=name, email=email)
        for user_id, name, email in session.execute(
            select(User.id, User.display_name, User.email)
            .join(ClassMember, ClassMember.user_id == User.id)
            .where(ClassMember.class_id == learner_class.id)
            .order_by(User.display_name, User.email)
        )
    ]
    items = class_assignments(session, learner_class.id)
    learner_ids = [learner.id for learner in learners]
    content_ids = [item.content_id for item in items]
    progress = (
        {
            (row.learner_id, row.content_id): row
            for row in session.scalars(
                select(LearnerProgress).where(
                    LearnerProgress.learner_id.in_(learner_ids),
                    LearnerProgress.content_id.in_(content_ids),
                )
            )
        }
        if learner_ids and content_ids
        else {}
    )
    cells = {
        (learner.id, item.content_id): standing_of(progress.get((learner.id, item.content_id)))
        for learner in learners
        for item in items
    }
    return Gradebook(learners=learners, items=items, cells=cells)


CSV_COLUMNS = [
    "learner",
    "email",
    "content_id",
    "content",
    "due",
    "status",
    "best_score_percent",
    "last_score_percent",
    "attempts",
    "time_seconds",
]


def _cell_text(value: str) -> str:
    """A spreadsheet opening the CSV must not run a learner's name as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def gradebook_csv(book: Gradebook) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for learner in book.learners:
        for item in book.items:
            standing = book.cell(learner.id, item.content_id)
            writer.writerow(
                [
                    _cell_text(learner.name),
                    _cell_text(learner.email),
                    item.content_id,
                    _cell_text(item.title),
                    item.due_at.date().isoformat() if item.due_at else "",
                    standing.status.value,
                    "" if standing.best_score is None else f"{standing.best_score:.2f}",
                    "" if standing.last_score is None else f"{standing.last_score:.2f}",
                    standing.attempts,
                    round(standing.duration_ms / 1000),
                ]
            )
    return out.getvalue()
