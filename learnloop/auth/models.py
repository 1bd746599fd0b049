from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from learnloop.db import UUID_LENGTH, Base, new_uuid, utcnow


class Role(StrEnum):
    ADMIN = "admin"
    TEACHER = "teacher"
    LEARNER = "learner"


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True, default=new_uuid)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default=Role.LEARNER.value)
    # None for accounts that only ever sign in through an outside identity provider.
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    # "<issuer>:<sub>" of the outside identity provider's token, when known.
    external_subject: Mapped[str | None] = mapped_column(String(512), unique=True, default=None)
    plan_id: Mapped[str | None] = mapped_column(
        ForeignKey("plans.id", ondelete="SET NULL"), default=None
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN.value

    @property
    def is_teacher(self) -> bool:
        """Teachers and admins may use every teacher endpoint."""
        return self.role in (Role.TEACHER.value, Role.ADMIN.value)


class RevokedToken(Base):
    """A signed-out token, refused until it would have expired anyway (then pruned).

    ``token_key`` is the token's ``jti``, or the SHA-256 of the whole token for tokens
    without one; the denylist lives in the database so every process honours it.
    """

    __tablename__ = "auth_revoked_tokens"

    token_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    revoked_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginThrottle(Base):
    """Failed sign-ins in the current window for one account or one client address.

    ``key`` is the SHA-256 of ``account:<email>`` or ``address:<ip>``, so any input fits
    (NUL bytes included) and no address is stored in the clear.
    """

    __tablename__ = "auth_login_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(index=True)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
