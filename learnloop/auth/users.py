"""User accounts: creation, lookup, role and plan changes, outside-provider users."""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learnloop.auth.errors import (
    EmailTaken,
    InvalidCredentials,
    InvalidRole,
    LastActiveAdmin,
    UserNotFound,
)
from learnloop.auth.models import Role, User
from learnloop.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from learnloop.auth.tokens import VerifiedClaims
from learnloop.errors import BadRequest

logger = logging.getLogger("learnloop.auth")

ROLES = frozenset(role.value for role in Role)


def normalize_email(email: str) -> str:
    normalized = email.strip().lower()
    local, _, domain = normalized.partition("@")
    if not local or not domain or " " in normalized or "\x00" in normalized:
        raise BadRequest(f"Invalid email address: {email!r}")
    return normalized


def parse_role(role: str) -> Role:
    if role not in ROLES:
        raise InvalidRole(f"Role must be one of: {', '.join(sorted(ROLES))}")
    return Role(role)


def get_user(session: Session, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise UserNotFound("User not found")
    return user


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalize_email(email)))


def get_by_email(session: Session, email: str) -> User:
    user = find_by_email(session, email)
    if user is None:
        raise UserNotFound(f"No user with email {email}")
    return user


def list_users(session: Session, role: Role | None = None) -> list[User]:
    query = select(User).order_by(User.created_at, User.email)
    if role is not None:
        query = query.where(User.role == role.value)
    return list(session.scalars(query))


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def create_user(
    session: Session,
    *,
    email: str,
    display_name: str,
    role: Role,
    password: str | None,
) -> User:
    normalized = normalize_email(email)
    if find_by_email(session, normalized) is not None:
        raise EmailTaken(f"A user with email {normalized} already exists")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise BadRequest(f"Password must have at least {MIN_PASSWORD_LENGTH} characters")
    user = User(
        email=normalized,
        display_name=display_name.strip() or normalized,
        role=role.value,
        password_hash=hash_password(password) if password is not None else None,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User:
    try:
        user = find_by_email(session, email)
    except BadRequest:
        user = None
    password_hash = user.password_hash if user is not None else None
    if not verify_password(password_hash, password) or user is None or not user.is_active:
        raise InvalidCredentials("Invalid email or password")
    return user


def set_role(session: Session, user: User, role: Role) -> User:
    if role is not Role.ADMIN:
        ensure_another_active_admin(session, user)
    user.role = role.value
    session.flush()
    return user


def set_active(session: Session, user: User, is_active: bool) -> User:
    if not is_active:
        ensure_another_active_admin(session, user)
    user.is_active = is_active
    session.flush()
    return user


def ensure_another_active_admin(session: Session, user: User) -> None:
    """Refuse to demote or disable the last active admin: nobody could manage the server."""
    if not (user.is_admin and user.is_active):
        return
    # The other admins' rows are locked, so two admins demoting each other at once
    # cannot both pass this check (PostgreSQL; SQLite serializes writers anyway).
    other_admins = (
        select(User.id)
        .where(User.role == Role.ADMIN.value, User.is_active.is_(True), User.id != user.id)
        .with_for_update()
        .subquery()
    )
    others = session.scalar(select(func.count()).select_from(other_admins))
    if not others:
        raise LastActiveAdmin(
            f"{user.email} is the only active admin: make another user admin before "
            "removing the admin role from this account or deactivating it"
        )


def set_password(session: Session, user: User, password: str) -> User:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadRequest(f"Password must have at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = hash_password(password)
    session.flush()
    return user


def user_for_claims(session: Session, verified: VerifiedClaims) -> User:
    """The local user a verified token speaks for.

    LearnLoop's own tokens name the user id in ``sub``. An outside provider's token is
    mapped by ``<iss>:<sub>``; on first sight it is linked to the local account with the
    same email, or a new account is created from ``email``, ``name`` and ``role``. The
    provider is the source of truth for name and role, so they follow its claims.
    """
    if verified.is_local:
        user = session.get(User, verified.subject)
        if user is None or not user.is_active:
            raise InvalidCredentials("Token user no longer exists")
        return user

    claims = verified.claims
    external_subject = f"{verified.issuer}:{verified.subject}"
    role_claim = claims.get("role")
    claimed_role = role_claim if isinstance(role_claim, str) and role_claim in ROLES else None
    name_claim = claims.get("name")
    email_claim = claims.get("email")

    user = session.scalar(select(User).where(User.external_subject == external_subject))
    if user is None and isinstance(email_claim, str) and email_claim:
        user = find_by_email(session, email_claim)
        if user is not None and user.external_subject not in (None, external_subject):
            raise InvalidCredentials("Email is linked to another identity")
    if user is None:
        if not isinstance(email_claim, str) or not email_claim:
            raise InvalidCredentials("Token has no email claim for a new user")
        user = User(
            email=normalize_email(email_claim),
            display_name=name_claim if isinstance(name_claim, str) and name_claim else email_claim,
            role=claimed_role or Role.LEARNER.value,
            external_subject=external_subject,
        )
        session.add(user)
        session.flush()
        return user
    if not user.is_active:
        raise InvalidCredentials("Account is disabled")
    user.external_subject = external_subject
    if claimed_role is not None and user.role != claimed_role:
        _follow_claimed_role(session, user, Role(claimed_role))
    if isinstance(name_claim, str) and name_claim and user.display_name != name_claim:
        user.display_name = name_claim
    session.flush()
    return user


def _follow_claimed_role(session: Session, user: User, claimed: Role) -> None:
    """Take the provider's role, except that the last active admin stays admin: a
    provider's claim must not leave the server with nobody who can manage it. Signing in
    still works; the admin role is given up once another admin exists."""
    if claimed is not Role.ADMIN:
        try:
            ensure_another_active_admin(session, user)
        except LastActiveAdmin:
            logger.warning(
                "kept the admin role of %s: the identity provider claims %r, "
                "but this is the only active admin",
                user.id,
                claimed.value,
            )
            return
    user.role = claimed.value
