"""Registrations: one learner enrolled in one course (or, as in the reference, in one H5P
content item, offered as a one-AU course). The registration id is the cmi5 registration
of every statement and state document of that enrolment."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.auth.models import User
from learnloop.cmi5.course_structure import ParsedAu, ParsedCourse
from learnloop.cmi5.errors import RegistrationForbidden, RegistrationNotFound
from learnloop.cmi5.models import (
    Cmi5AuStatus,
    Cmi5Block,
    Cmi5Course,
    Cmi5Registration,
    Cmi5Session,
)
from learnloop.cmi5.packages import get_course, save_course
from learnloop.db import utcnow
from learnloop.errors import BadRequest

# (session, content id) → the id of the user who owns that H5P content, or None.
ContentOwnerLookup = Callable[[Session, str], "str | None"]

# A fixed namespace so that LMS-generated activity ids are stable per registration + node.
_ACTIVITY_NAMESPACE = uuid.UUID("7d5cbd4a-3b0e-4c37-9d8e-2a4f0f1c5e61")


def generated_activity_id(base_url: str, registration_id: str, node_id: str) -> str:
    """An LMS-generated activity IRI (cmi5 8.1.5 activityId; 9.3.9 satisfied), stable for
    one registration and one AU, block or course, and never the publisher's id."""
    name = f"{registration_id}/{node_id}"
    return f"{base_url.rstrip('/')}/cmi5/activities/{uuid.uuid5(_ACTIVITY_NAMESPACE, name)}"


def content_activity_id(base_url: str, content_id: str) -> str:
    return f"{base_url.rstrip('/')}/h5p/content/{content_id}"


def ensure_content_course(
    session: Session, base_url: str, content_id: str, owner_id: str | None
) -> Cmi5Course:
    """The one-AU course that offers an H5P content item through cmi5, created on first use;
    the AU is the cmi5 wrapper of the content's player page (``cmi5.h5p_au_page``)."""
    existing = session.scalar(select(Cmi5Course).where(Cmi5Course.content_id == content_id))
    if existing is not None:
        return existing
    publisher_id = content_activity_id(base_url.rstrip("/"), content_id)
    parsed = ParsedCourse(
        publisher_id=f"{publisher_id}/course",
        title={"und": content_id},
        description={},
        objectives=[],
        children=[h5p_au(base_url, content_id, {"und": content_id})],
    )
    return save_course(session, parsed, owner_id=owner_id, content_id=content_id)


def h5p_au(base_url: str, content_id: str, title: dict[str, str]) -> ParsedAu:
    """One H5P content item as an AU: the cmi5 wrapper of its player page."""
    base = base_url.rstrip("/")
    return ParsedAu(
        publisher_id=content_activity_id(base, content_id),
        title=title,
        description={},
        objectives=[],
        url=f"{base}/cmi5/h5p/{content_id}",
        url_is_relative=False,
        move_on="CompletedOrPassed",
        mastery_score=None,
        launch_method="AnyWindow",
        launch_parameters=None,
        entitlement_key=None,
        activity_type="http://adlnet.gov/expapi/activities/lesson",
    )


def create_content_course(
    session: Session,
    user: User,
    *,
    content_ids: list[str],
    title: str,
    base_url: str,
    content_owner: ContentOwnerLookup | None,
) -> Cmi5Course:
    """A course with one AU per H5P content item, owned by the teacher who owns them."""
    if len(set(content_ids)) != len(content_ids):
        raise BadRequest("Each content item may appear once in a course")
    for content_id in content_ids:
        owner_id = content_owner(session, content_id) if content_owner else None
        if not user.is_admin and owner_id != user.id:
            raise RegistrationForbidden(f"You do not own content {content_id}")
    base = base_url.rstrip("/")
    parsed = ParsedCourse(
        publisher_id=f"{base}/cmi5/course-ids/{uuid.uuid4()}",
        title={"und": title},
        description={},
        objectives=[],
        children=[h5p_au(base, content_id, {"und": content_id}) for content_id in content_ids],
    )
    return save_course(session, parsed, owner_id=user.id)


def _may_register(user: User, owner_id: str | None, learner_id: str) -> bool:
    if user.is_admin or learner_id == user.id:
        return True
    return user.is_teacher and (owner_id is None or owner_id == user.id)


def own_actor_account(base_url: str, user: User) -> dict[str, str]:
    """The xAPI account a LearnLoop user learns under when nobody else names one."""
    return {"homePage": base_url.rstrip("/"), "name": user.id}


def registration_actor_account(
    user: User, learner_id: str, requested: dict[str, Any] | None, base_url: str
) -> dict[str, Any]:
    """The actor of a new registration. A learner registering themselves learns as
    themselves: naming another account would let them post statements (passed, …) as
    that learner (cmi5 9.2: the actor is the learner of the registration), so a different
    account is refused. Teachers and admins enrol learners under an LMS's account."""
    own = own_actor_account(base_url, user)
    if user.is_admin or user.is_teacher:
        if requested is not None:
            return requested
        return {"homePage": own["homePage"], "name": learner_id}
    if requested is not None and requested != own:
        raise RegistrationForbidden(
            "A learner registers under their own account; actorAccount names someone else"
        )
    return own


def _upsert(
    session: Session,
    *,
    course: Cmi5Course,
    content_id: str | None,
    learner_id: str,
    actor_account: dict[str, Any],
    owner_id: str | None,
    base_url: str,
) -> tuple[Cmi5Registration, bool]:
    query = select(Cmi5Registration).where(Cmi5Registration.learner_id == learner_id)
    query = (
        query.where(Cmi5Registration.content_id == content_id)
        if content_id is not None
        else query.where(Cmi5Registration.course_id == course.id)
    )
    existing = session.scalar(query.with_for_update())
    if existing is not None:
        # The reference's upsert: the same pair only has its updated_at touched.
        existing.updated_at = utcnow()
        session.flush()
        return existing, False
    registration_id = str(uuid.uuid4())
    registration = Cmi5Registration(
        id=registration_id,
        course_id=course.id,
        content_id=content_id,
        learner_id=learner_id,
        actor_account=actor_account,
        owner_id=owner_id,
        course_activity_id=generated_activity_id(base_url, registration_id, course.id),
    )
    session.add(registration)
    session.flush()
    return registration, True


def register_content(
    session: Session,
    user: User,
    *,
    content_id: str,
    learner_id: str,
    actor_account: dict[str, Any] | None,
    base_url: str,
    content_owner: ContentOwnerLookup | None,
) -> tuple[Cmi5Registration, bool]:
    owner_id = content_owner(session, content_id) if content_owner else None
    if not _may_register(user, owner_id, learner_id):
        raise RegistrationForbidden("Only the content owner or an admin may register others")
    account = registration_actor_account(user, learner_id, actor_account, base_url)
    course = ensure_content_course(session, base_url, content_id, owner_id or user.id)
    return _upsert(
        session,
        course=course,
        content_id=content_id,
        learner_id=learner_id,
        actor_account=account,
        owner_id=owner_id or (user.id if user.id != learner_id else None),
        base_url=base_url,
    )


def register_course(
    session: Session,
    user: User,
    *,
    course_id: str,
    learner_id: str,
    actor_account: dict[str, Any] | None,
    base_url: str,
) -> tuple[Cmi5Registration, bool]:
    course = get_course(session, course_id)
    if not _may_register(user, course.owner_id, learner_id):
        raise RegistrationForbidden("Only the course owner or an admin may register others")
    account = registration_actor_account(user, learner_id, actor_account, base_url)
    return _upsert(
        session,
        course=course,
        content_id=None,
        learner_id=learner_id,
        actor_account=account,
        owner_id=course.owner_id,
        base_url=base_url,
    )


def may_access(user: User, registration: Cmi5Registration) -> bool:
    """The learner, the owner of the course or content, or an admin."""
    return user.is_admin or registration.learner_id == user.id or registration.owner_id == user.id


def may_manage(user: User, registration: Cmi5Registration) -> bool:
    """Waive and abandon: admins, and teachers owning the course or content."""
    return user.is_admin or (user.is_teacher and registration.owner_id == user.id)


def get_registration(
    session: Session, registration_id: str, *, lock: bool = False
) -> Cmi5Registration:
    query = select(Cmi5Registration).where(Cmi5Registration.id == registration_id)
    registration = session.scalar(query.with_for_update() if lock else query)
    if registration is None:
        raise RegistrationNotFound(f"Registration not found: {registration_id}")
    return registration


def accessible_registration(
    session: Session, user: User, registration_id: str, *, lock: bool = False
) -> Cmi5Registration:
    registration = get_registration(session, registration_id, lock=lock)
    if not may_access(user, registration):
        # Someone else's registration looks like a missing one.
        raise RegistrationNotFound(f"Registration not found: {registration_id}")
    return registration


def registration_of_session(session: Session, user: User, session_id: str) -> Cmi5Registration:
    """The registration a cmi5 session (the id in the session id extension, cmi5 9.6.3.1)
    belongs to, for the learner, the course owner or an admin."""
    registration_id = session.scalar(
        select(Cmi5Session.registration_id).where(Cmi5Session.id == session_id.lower())
    )
    if registration_id is None:
        raise RegistrationNotFound(f"No registration has the session {session_id}")
    return accessible_registration(session, user, registration_id, lock=True)


def au_status(
    session: Session, registration: Cmi5Registration, au_id: str, base_url: str
) -> Cmi5AuStatus:
    status = session.scalar(
        select(Cmi5AuStatus).where(
            Cmi5AuStatus.registration_id == registration.id, Cmi5AuStatus.au_id == au_id
        )
    )
    if status is None:
        status = Cmi5AuStatus(
            registration_id=registration.id,
            au_id=au_id,
            launch_activity_id=generated_activity_id(base_url, registration.id, au_id),
        )
        session.add(status)
        session.flush()
    return status


def actor_for(registration: Cmi5Registration) -> dict[str, Any]:
    account = registration.actor_account
    return {
        "objectType": "Agent",
        "account": {"homePage": account["homePage"], "name": account["name"]},
    }


def update_session_record(
    registration: Cmi5Registration, status: str, score: dict[str, Any] | None
) -> None:
    """PUT /api/cmi5/sessions/:id: status, and a score merged field by field (COALESCE)."""
    registration.status = status
    if score is not None:
        merged = dict(registration.score or {})
        merged.update({key: value for key, value in score.items() if value is not None})
        registration.score = merged
    registration.updated_at = utcnow()


class TeacherActivities:
    """LRS teacher activity provider: the activity ids of the cmi5 statements of the courses
    a teacher owns (launch activity ids, blocks and the course of each registration), so
    the teacher reads those statements on /xapi/statements."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def __call__(self, session: Session, user_id: str) -> list[str]:
        registrations = list(
            session.execute(
                select(
                    Cmi5Registration.id,
                    Cmi5Registration.course_id,
                    Cmi5Registration.course_activity_id,
                )
                .join(Cmi5Course, Cmi5Course.id == Cmi5Registration.course_id)
                .where(Cmi5Course.owner_id == user_id)
            )
        )
        if not registrations:
            return []
        ids = [row.course_activity_id for row in registrations]
        ids.extend(
            session.scalars(
                select(Cmi5AuStatus.launch_activity_id).where(
                    Cmi5AuStatus.registration_id.in_([row.id for row in registrations])
                )
            )
        )
        course_ids = {row.course_id for row in registrations}
        blocks: dict[str, list[str]] = {}
        for block_id, course_id in session.execute(
            select(Cmi5Block.id, Cmi5Block.course_id).where(Cmi5Block.course_id.in_(course_ids))
        ):
            blocks.setdefault(course_id, []).append(block_id)
        for row in registrations:
            ids.extend(
                generated_activity_id(self.base_url, row.id, block_id)
                for block_id in blocks.get(row.course_id, [])
            )
        return ids
