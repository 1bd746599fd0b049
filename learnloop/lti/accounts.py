"""Platform users and contexts as LearnLoop users and classes (LTI Core 1.3 §5.3.6, §5.4.1).

A platform user becomes a LearnLoop account on first sight, linked by (platform, ``sub``).
The LMS's email is not used to find an existing account: whoever administers a platform
could otherwise sign in as any LearnLoop user by sending their address. Instructor roles
make a teacher (an existing learner account is promoted, nobody is demoted); everyone else
is a learner. A context becomes a class owned by the first instructor who launches from
it; learners launching from it join it.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.analytics import classes
from learnloop.analytics.models import LearnerClass
from learnloop.auth import users as user_service
from learnloop.auth.models import Role, User
from learnloop.errors import Forbidden
from learnloop.lti.launch import ValidLaunch
from learnloop.lti.models import LtiContextClass, LtiUserLink
from learnloop.lti.vocabulary import (
    CONTEXT,
    INSTRUCTOR_ROLES,
    INSTRUCTOR_SUB_ROLE_PREFIX,
    NRPS_SERVICE,
)

ACCOUNT_EMAIL_DOMAIN = "lti.invalid"
MAX_NAME_LENGTH = 200


def is_instructor(roles: list[str]) -> bool:
    return any(
        role in INSTRUCTOR_ROLES or role.startswith(INSTRUCTOR_SUB_ROLE_PREFIX) for role in roles
    )


def _display_name(launch: ValidLaunch) -> str:
    for claim in ("name", "given_name", "email"):
        value = launch.claims.get(claim)
        if isinstance(value, str) and value.strip():
            return value.strip()[:MAX_NAME_LENGTH]
    return f"{launch.platform.issuer} user"[:MAX_NAME_LENGTH]


def _account_email(platform_id: str, subject: str) -> str:
    digest = hashlib.sha256(f"{platform_id}\n{subject}".encode()).hexdigest()[:32]
    return f"lti-{digest}@{ACCOUNT_EMAIL_DOMAIN}"


def linked_user(
    session: Session, platform_id: str, subject: str, display_name: str, roles: list[str]
) -> User:
    """The account linked to the platform user ``subject``, created on first sight."""
    wanted_role = Role.TEACHER if is_instructor(roles) else Role.LEARNER
    link = session.scalar(
        select(LtiUserLink).where(
            LtiUserLink.platform_id == platform_id, LtiUserLink.subject == subject
        )
    )
    if link is None:
        user = user_service.create_user(
            session,
            email=_account_email(platform_id, subject),
            display_name=display_name[:MAX_NAME_LENGTH],
            role=wanted_role,
            password=None,
        )
        session.add(LtiUserLink(platform_id=platform_id, subject=subject, user_id=user.id))
        session.flush()
        return user
    user = user_service.get_user(session, link.user_id)
    if wanted_role is Role.TEACHER and user.role == Role.LEARNER.value:
        user.role = Role.TEACHER.value
        session.flush()
    return user


def user_for_launch(session: Session, launch: ValidLaunch) -> User:
    user = linked_user(
        session, launch.platform.id, launch.subject, _display_name(launch), launch.roles
    )
    if not user.is_active:
        raise Forbidden("This account is deactivated")
    return user


def _memberships_url(launch: ValidLaunch) -> str | None:
    service = launch.claims.get(NRPS_SERVICE)
    url = service.get("context_memberships_url") if isinstance(service, dict) else None
    return url if isinstance(url, str) and url.startswith(("http://", "https://")) else None


def context_link(session: Session, platform_id: str, context_id: str) -> LtiContextClass | None:
    return session.scalar(
        select(LtiContextClass).where(
            LtiContextClass.platform_id == platform_id, LtiContextClass.context_id == context_id
        )
    )


def context_link_of_class(
    session: Session, platform_id: str, class_id: str
) -> LtiContextClass | None:
    return session.scalar(
        select(LtiContextClass).where(
            LtiContextClass.platform_id == platform_id, LtiContextClass.class_id == class_id
        )
    )


def class_for_launch(session: Session, launch: ValidLaunch, user: User) -> LearnerClass | None:
    """The class of the launch's context, created by an instructor's launch; the launching
    learner becomes a member. None without a context or before any instructor launched."""
    context = launch.claims.get(CONTEXT)
    if not isinstance(context, dict) or not isinstance(context.get("id"), str):
        return None
    link = context_link(session, launch.platform.id, context["id"])
    memberships_url = _memberships_url(launch)
    if link is not None:
        learner_class = session.get(LearnerClass, link.class_id)
        if memberships_url is not None and link.memberships_url != memberships_url:
            link.memberships_url = memberships_url
            session.flush()
    elif user.is_teacher and is_instructor(launch.roles):
        title = context.get("title") or context.get("label") or context["id"]
        learner_class = classes.create_class(session, user, str(title)[:MAX_NAME_LENGTH])
        session.add(
            LtiContextClass(
                platform_id=launch.platform.id,
                context_id=context["id"],
                class_id=learner_class.id,
                memberships_url=memberships_url,
            )
        )
        session.flush()
    else:
        return None
    if learner_class is not None and user.role == Role.LEARNER.value:
        classes.add_members(session, learner_class, [user.id], [])
    return learner_class
