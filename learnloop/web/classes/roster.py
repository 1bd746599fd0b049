"""A roster CSV against the accounts that exist: who will be added, who is already in
the class, and who cannot be added. Learner accounts can be created for the rest when
the server allows teachers to (``LEARNLOOP_TEACHERS_CREATE_LEARNERS``).

Only learner accounts join a class; an address that belongs to no learner (unknown, or a
teacher's or admin's) is reported in one group, so the preview does not tell a teacher
which addresses are staff accounts.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learnloop.analytics import classes as class_service
from learnloop.analytics.models import LearnerClass
from learnloop.auth import users as user_service
from learnloop.auth.models import Role, User


@dataclass(frozen=True)
class RosterEntry:
    email: str
    user_id: str | None
    display_name: str | None


@dataclass(frozen=True)
class RosterPreview:
    to_add: list[RosterEntry]
    already_members: list[RosterEntry]
    not_learners: list[str]


@dataclass(frozen=True)
class CreatedLearner:
    email: str
    password: str


def preview_roster(
    session: Session, learner_class: LearnerClass, emails: list[str]
) -> RosterPreview:
    wanted = list(dict.fromkeys(email.strip().lower() for email in emails if email.strip()))
    learners = {
        email: (user_id, name)
        for email, user_id, name in session.execute(
            select(func.lower(User.email), User.id, User.display_name).where(
                func.lower(User.email).in_(wanted),
                User.role == Role.LEARNER.value,
                User.is_active.is_(True),
            )
        )
    }
    members = class_service.member_ids(session, learner_class.id)
    to_add: list[RosterEntry] = []
    already: list[RosterEntry] = []
    missing: list[str] = []
    for email in wanted:
        if email not in learners:
            missing.append(email)
            continue
        user_id, name = learners[email]
        entry = RosterEntry(email=email, user_id=user_id, display_name=name)
        (already if user_id in members else to_add).append(entry)
    return RosterPreview(to_add=to_add, already_members=already, not_learners=missing)


def create_learners(session: Session, emails: list[str]) -> list[CreatedLearner]:
    """Learner accounts with generated passwords (shown once to the teacher); an address
    already taken by any account is skipped, never changed."""
    created: list[CreatedLearner] = []
    for email in dict.fromkeys(email.strip().lower() for email in emails if email.strip()):
        if user_service.find_by_email(session, email) is not None:
            continue
        password = secrets.token_urlsafe(9)
        user_service.create_user(
            session,
            email=email,
            display_name=email.split("@", 1)[0],
            role=Role.LEARNER,
            password=password,
        )
        created.append(CreatedLearner(email=email, password=password))
    return created
