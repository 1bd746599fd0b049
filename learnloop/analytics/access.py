"""Who may see which learners' analytics (issue 7 "Authorization").

A learner sees only their own progress. A teacher sees students only through their own
content (owned, or touched as the reference scopes a class) or their own classes;
anyone else is 403. Admins see everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from learnloop.analytics.catalog import owned_content_ids
from learnloop.analytics.classes import class_content_ids, get_class, member_ids
from learnloop.analytics.errors import NotYourContent, NotYourStudent
from learnloop.analytics.models import ClassMember, LearnerClass, LearnerProgress
from learnloop.auth.models import User
from learnloop.errors import Forbidden
from learnloop.h5p.models import ContentOwnership


@dataclass(frozen=True)
class Audience:
    """What one analytics answer covers: ``None`` means no restriction (admins).
    ``students`` None with content set means every learner of that content."""

    content_ids: frozenset[str] | None
    students: frozenset[str] | None
    class_id: str | None = None
    exclude: str | None = None  # the teacher themselves, when scoped by their content


def teacher_content_ids(session: Session, teacher_id: str) -> set[str]:
    """Owned content and content the teacher touched that nobody owns (the reference's
    scope).

    Neither touching nor assigning content another teacher owns counts: otherwise sending
    one statement about it, or assigning it to an empty class of one's own, would open its
    learners to whoever did it (issue 12 item 7)."""
    touched = set(
        session.scalars(
            select(LearnerProgress.content_id).where(LearnerProgress.learner_id == teacher_id)
        )
    )
    if touched:
        touched -= set(
            session.scalars(
                select(ContentOwnership.content_id).where(
                    ContentOwnership.content_id.in_(touched), ContentOwnership.user_id != teacher_id
                )
            )
        )
    return owned_content_ids(session, teacher_id) | touched


def class_audience(session: Session, user: User, class_id: str) -> Audience:
    """A class's analytics cover its assigned content that its owner may see analytics
    for (all of it when an admin owns the class), or all such content when none is
    assigned. Assignments made before assigning was limited are filtered the same way."""
    learner_class = get_class(session, user, class_id)
    owner = session.get(User, learner_class.owner_id)
    assigned = class_content_ids(session, class_id)
    if owner is not None and owner.is_admin:
        content = assigned
    else:
        visible = teacher_content_ids(session, learner_class.owner_id)
        content = assigned & visible if assigned else visible
    return Audience(
        content_ids=frozenset(content),
        students=frozenset(member_ids(session, class_id)),
        class_id=class_id,
    )


def overview_audience(session: Session, user: User, class_id: str | None) -> Audience:
    if class_id:
        return class_audience(session, user, class_id)
    if not user.is_teacher:
        raise Forbidden("Teacher role required")
    if user.is_admin:
        return Audience(content_ids=None, students=None)
    return Audience(
        content_ids=frozenset(teacher_content_ids(session, user.id)), students=None, exclude=user.id
    )


def student_audience(
    session: Session, user: User, student_id: str, class_id: str | None
) -> Audience:
    """The content through which ``user`` may see ``student_id``, or 403."""
    only_student = frozenset({student_id})
    if class_id:
        audience = class_audience(session, user, class_id)
        if audience.students is None or student_id not in audience.students:
            raise NotYourStudent("This learner is not in that class")
        return Audience(content_ids=audience.content_ids, students=only_student, class_id=class_id)
    if user.is_admin or student_id == user.id:
        return Audience(content_ids=None, students=only_student)
    if not user.is_teacher:
        raise NotYourStudent("Learners may only see their own progress")
    content = teacher_content_ids(session, user.id)
    in_class = session.scalar(
        select(
            exists().where(
                ClassMember.user_id == student_id,
                ClassMember.class_id == LearnerClass.id,
                LearnerClass.owner_id == user.id,
            )
        )
    )
    on_content = bool(content) and session.scalar(
        select(
            exists().where(
                LearnerProgress.learner_id == student_id,
                LearnerProgress.content_id.in_(content),
            )
        )
    )
    if not in_class and not on_content:
        raise NotYourStudent("This learner is not one of your students")
    return Audience(content_ids=frozenset(content), students=only_student)


def ensure_content_visible(session: Session, user: User, content_id: str) -> None:
    if user.is_admin:
        return
    if not user.is_teacher:
        raise NotYourContent("Teacher role required")
    if content_id not in teacher_content_ids(session, user.id):
        raise NotYourContent("This content is not yours")
