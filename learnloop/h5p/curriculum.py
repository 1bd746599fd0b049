"""Curriculum metadata of a content item (framework, stage, grade, subject, topics, …).

The reference reads these rows but gives no way to write them; only the content's owner
may set them here. They are deleted with the content (``ON DELETE CASCADE``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from learnloop.auth.models import User
from learnloop.db import utcnow
from learnloop.h5p.content import owned_content
from learnloop.h5p.models import ContentCurriculum


def get_curriculum(session: Session, content_id: str) -> ContentCurriculum | None:
    return session.get(ContentCurriculum, content_id)


def set_curriculum(
    session: Session, user: User, content_id: str, values: dict[str, Any]
) -> ContentCurriculum:
    owned_content(session, user, content_id)
    curriculum = get_curriculum(session, content_id)
    if curriculum is None:
        curriculum = ContentCurriculum(content_id=content_id)
        session.add(curriculum)
    for attribute, value in values.items():
        setattr(curriculum, attribute, value)
    curriculum.updated_at = utcnow()
    session.flush()
    return curriculum
