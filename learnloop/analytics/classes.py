"""Classes: a teacher's named group of learners and the content assigned to it.

A learner and a content item can belong to several classes. Only the class's owner (or
an admin) reads or changes it. A teacher may assign only content whose analytics they
already see (``access.teacher_content_ids``: content they own); admins any content id.
Assigning someone else's content, even public, would open its learners' analytics to
whoever assigned it (issue 12 item 7). Only learner accounts become members.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from learnloop.analytics.errors import ClassNotFound, InvalidRoster, NotYourContent
from learnloop.analytics.models import ClassContent, ClassMember, LearnerClass
from learnloop.analytics.schemas import ClassDetail, ClassOut, RosterResult
from learnloop.analytics.schemas import ClassMember as ClassMemberOut
from learnloop.auth.models import Role, User
from learnloop.errors import BadRequest, Forbidden

MAX_ROSTER_ROWS = 5000


def create_class(session: Session, owner: User, name: str) -> LearnerClass:
    if not name.strip():
        raise BadRequest("A class needs a name")
    learner_class = LearnerClass(owner_id=owner.id, name=name.strip())
    session.add(learner_class)
    session.flush()
    return learner_class


def get_class(session: Session, user: User, class_id: str) -> LearnerClass:
    """The class if ``user`` owns it (or is an admin); 404 when it does not exist, 403
    when it is someone else's."""
    learner_class = session.get(LearnerClass, class_id)
    if learner_class is None:
        raise ClassNotFound(f"Class not found: {class_id}")
    if not user.is_admin and learner_class.owner_id != user.id:
        raise Forbidden("This class belongs to another teacher")
    return learner_class


def list_classes(session: Session, user: User) -> list[LearnerClass]:
    query = select(LearnerClass).order_by(LearnerClass.created_at, LearnerClass.id)
    if not user.is_admin:
        query = query.where(LearnerClass.owner_id == user.id)
    return list(session.scalars(query))


def rename_class(session: Session, learner_class: LearnerClass, name: str) -> LearnerClass:
    if not name.strip():
        raise BadRequest("A class needs a name")
    learner_class.name = name.strip()
    session.flush()
    return learner_class


def delete_class(session: Session, learner_class: LearnerClass) -> None:
    session.execute(delete(ClassMember).where(ClassMember.class_id == learner_class.id))
    session.execute(delete(ClassContent).where(ClassContent.class_id == learner_class.id))
    session.delete(learner_class)
    session.flush()


def member_ids(session: Session, class_id: str) -> set[str]:
    return set(session.scalars(select(ClassMember.user_id).where(ClassMember.class_id == class_id)))


def is_assigned_to_member(session: Session, user_id: str, content_id: str) -> bool:
    """Whether ``content_id`` is assigned to a class ``user_id`` belongs to: assigning
    content to a class is what lets its members play it, private or not."""
    found = session.scalar(
        select(ClassContent.content_id)
        .join(ClassMember, ClassMember.class_id == ClassContent.class_id)
        .where(ClassMember.user_id == user_id, ClassContent.content_id == content_id)
        .limit(1)
    )
    return found is not None


def class_content_ids(session: Session, class_id: str) -> set[str]:
    return set(
        session.scalars(select(ClassContent.content_id).where(ClassContent.class_id == class_id))
    )


def add_members(
    session: Session, learner_class: LearnerClass, user_ids: Iterable[str], emails: Iterable[str]
) -> RosterResult:
    """Add learners by id or email. Whatever is not an active learner account (unknown,
    a teacher, an admin, deactivated) is listed back in ``notAdded`` as it was sent
    (emails lowercased), one list for every reason, so a roster reveals nothing about
    other accounts; ids are answered only for learners added or already in the class."""
    ids = list(dict.fromkeys(user_id.strip() for user_id in user_ids if user_id.strip()))
    wanted = list(dict.fromkeys(email.strip().lower() for email in emails if email.strip()))
    # Values no account can have are never looked up (a NUL is an error on PostgreSQL).
    lookup_ids = [user_id for user_id in ids if "\x00" not in user_id]
    lookup_emails = [email for email in wanted if "\x00" not in email]
    learners = select(User.id, func.lower(User.email)).where(
        User.role == Role.LEARNER.value, User.is_active.is_(True)
    )
    found_ids: set[str] = set()
    if lookup_ids:
        found_ids = set(
            session.scalars(learners.where(User.id.in_(lookup_ids)).with_only_columns(User.id))
        )
    by_email: dict[str, str] = {}
    if lookup_emails:
        rows = session.execute(learners.where(func.lower(User.email).in_(lookup_emails)))
        by_email = {email: user_id for user_id, email in rows}
    from_ids = [user_id for user_id in ids if user_id in found_ids]
    from_emails = [by_email[email] for email in wanted if email in by_email]
    candidates = list(dict.fromkeys([*from_ids, *from_emails]))
    existing = member_ids(session, learner_class.id)
    added = [user_id for user_id in candidates if user_id not in existing]
    for user_id in added:
        session.add(ClassMember(class_id=learner_class.id, user_id=user_id))
    session.flush()
    return RosterResult(
        added=added,
        alreadyMembers=[user_id for user_id in candidates if user_id in existing],
        notAdded=[
            *(user_id for user_id in ids if user_id not in found_ids),
            *(email for email in wanted if email not in by_email),
        ],
    )


def remove_member(session: Session, learner_class: LearnerClass, user_id: str) -> None:
    session.execute(
        delete(ClassMember).where(
            ClassMember.class_id == learner_class.id, ClassMember.user_id == user_id
        )
    )
    session.flush()


def roster_emails(text: str) -> list[str]:
    """The emails of a roster CSV: a header row with an ``email`` column (any case), one
    learner per row. A file without that column, or with a malformed address, is refused
    whole so that a half-applied roster never happens."""
    if "\x00" in text:
        # PostgreSQL text cannot hold NUL; no address contains one (issue 12 item 12).
        raise InvalidRoster("The roster contains NUL characters")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None:
        raise InvalidRoster("The roster is empty; expected a header row with an email column")
    columns = {name.strip().lower(): name for name in reader.fieldnames if name}
    if "email" not in columns:
        raise InvalidRoster("The roster has no email column")
    emails: list[str] = []
    for line, row in enumerate(reader, start=2):
        value = (row.get(columns["email"]) or "").strip()
        if not value:
            continue
        if "@" not in value or " " in value or len(value) > 320:
            raise InvalidRoster(f"Line {line}: {value!r} is not an email address")
        emails.append(value)
        if len(emails) > MAX_ROSTER_ROWS:
            raise InvalidRoster(f"A roster may list at most {MAX_ROSTER_ROWS} learners")
    return emails


def assign_content(
    session: Session,
    user: User,
    learner_class: LearnerClass,
    content_ids: Iterable[str],
    visible: set[str],
) -> list[str]:
    ids = list(dict.fromkeys(content_id.strip() for content_id in content_ids))
    if any(not content_id or len(content_id) > 100 for content_id in ids):
        raise BadRequest("Content ids must be 1 to 100 characters")
    if not user.is_admin:
        refused = [content_id for content_id in ids if content_id not in visible]
        if refused:
            raise NotYourContent(f"You may not assign content: {', '.join(refused[:10])}")
    existing = class_content_ids(session, learner_class.id)
    for content_id in ids:
        if content_id not in existing:
            session.add(ClassContent(class_id=learner_class.id, content_id=content_id))
    session.flush()
    return ids


def set_due_date(
    session: Session, learner_class: LearnerClass, content_id: str, due_at: datetime | None
) -> None:
    """When the class should have done the assigned content (None: no deadline)."""
    assignment = session.get(ClassContent, (learner_class.id, content_id))
    if assignment is None:
        raise BadRequest(f"Content {content_id} is not assigned to this class")
    assignment.due_at = due_at
    session.flush()


def unassign_content(session: Session, learner_class: LearnerClass, content_id: str) -> None:
    session.execute(
        delete(ClassContent).where(
            ClassContent.class_id == learner_class.id, ClassContent.content_id == content_id
        )
    )
    session.flush()


def class_out(session: Session, learner_class: LearnerClass) -> ClassOut:
    return ClassOut(
        id=learner_class.id,
        name=learner_class.name,
        ownerId=learner_class.owner_id,
        memberCount=len(member_ids(session, learner_class.id)),
        contentIds=sorted(class_content_ids(session, learner_class.id)),
        createdAt=learner_class.created_at.isoformat(),
    )


def class_detail(session: Session, learner_class: LearnerClass) -> ClassDetail:
    members = session.execute(
        select(User.id, User.email, User.display_name)
        .join(ClassMember, ClassMember.user_id == User.id)
        .where(ClassMember.class_id == learner_class.id)
        .order_by(User.display_name, User.id)
    ).all()
    return ClassDetail(
        **class_out(session, learner_class).model_dump(),
        members=[
            ClassMemberOut(userId=user_id, email=email, displayName=name)
            for user_id, email, name in members
        ],
    )
