"""cmi5 tables: imported course structures, registrations, launch sessions, fetch tokens,
and what the LMS has recorded per AU and per block/course of a registration.

A course keeps its tree as rows (blocks and AUs with their parent and position) so that
moveOn evaluation and launch can address one AU without parsing the XML again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from learnloop.db import UUID_LENGTH, Base, new_uuid, utcnow

IRI_LENGTH = 2048
SHA256_HEX_LENGTH = 64


class Cmi5Course(Base):
    __tablename__ = "cmi5_courses"

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True, default=new_uuid)
    # The course id of cmi5.xml (cmi5 Course Structure 13.1.1), the "publisher id".
    publisher_id: Mapped[str] = mapped_column(String(IRI_LENGTH))
    title: Mapped[dict[str, Any]]
    description: Mapped[dict[str, Any]]
    owner_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # Storage prefix of the AU files of a zip package; None for a standalone cmi5.xml.
    files_prefix: Mapped[str | None] = mapped_column(String(255), default=None)
    # For a course generated from H5P content (one AU): that content's id.
    content_id: Mapped[str | None] = mapped_column(String(500), default=None, unique=True)
    au_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_cmi5_courses_owner_id", "owner_id"),)


class Cmi5Block(Base):
    __tablename__ = "cmi5_blocks"

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True, default=new_uuid)
    course_id: Mapped[str] = mapped_column(ForeignKey("cmi5_courses.id", ondelete="CASCADE"))
    parent_block_id: Mapped[str | None] = mapped_column(
        ForeignKey("cmi5_blocks.id", ondelete="CASCADE"), default=None
    )
    publisher_id: Mapped[str] = mapped_column(String(IRI_LENGTH))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[dict[str, Any]]
    description: Mapped[dict[str, Any]]
    objectives: Mapped[list[str]]

    __table_args__ = (Index("ix_cmi5_blocks_course_id", "course_id"),)


class Cmi5Au(Base):
    __tablename__ = "cmi5_aus"

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True, default=new_uuid)
    course_id: Mapped[str] = mapped_column(ForeignKey("cmi5_courses.id", ondelete="CASCADE"))
    block_id: Mapped[str | None] = mapped_column(
        ForeignKey("cmi5_blocks.id", ondelete="CASCADE"), default=None
    )
    publisher_id: Mapped[str] = mapped_column(String(IRI_LENGTH))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[dict[str, Any]]
    description: Mapped[dict[str, Any]]
    objectives: Mapped[list[str]]
    url: Mapped[str] = mapped_column(Text)
    # True when ``url`` names a file of the course's zip package (served by LearnLoop).
    url_is_relative: Mapped[bool] = mapped_column(Boolean, default=False)
    move_on: Mapped[str] = mapped_column(String(32), default="NotApplicable")
    mastery_score: Mapped[float | None] = mapped_column(Float, default=None)
    launch_method: Mapped[str] = mapped_column(String(16), default="AnyWindow")
    launch_parameters: Mapped[str | None] = mapped_column(Text, default=None)
    entitlement_key: Mapped[str | None] = mapped_column(Text, default=None)
    activity_type: Mapped[str | None] = mapped_column(String(IRI_LENGTH), default=None)

    __table_args__ = (Index("ix_cmi5_aus_course_id_position", "course_id", "position"),)


class Cmi5Objective(Base):
    __tablename__ = "cmi5_objectives"

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True, default=new_uuid)
    course_id: Mapped[str] = mapped_column(ForeignKey("cmi5_courses.id", ondelete="CASCADE"))
    publisher_id: Mapped[str] = mapped_column(String(IRI_LENGTH))
    title: Mapped[dict[str, Any]]
    description: Mapped[dict[str, Any]]

    __table_args__ = (Index("ix_cmi5_objectives_course_id", "course_id"),)


class Cmi5Registration(Base):
    """The reference's ``cmi5_registrations`` (per content + learner), extended with
    registrations per course + learner. Its id is the cmi5 registration UUID."""

    __tablename__ = "cmi5_registrations"

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True, default=new_uuid)
    course_id: Mapped[str] = mapped_column(ForeignKey("cmi5_courses.id", ondelete="CASCADE"))
    content_id: Mapped[str | None] = mapped_column(String(500), default=None)
    learner_id: Mapped[str] = mapped_column(String(255))
    actor_account: Mapped[dict[str, Any]]
    # Who may manage the registration besides the learner and admins.
    owner_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    status: Mapped[str] = mapped_column(String(50), default="initialized")
    session_id: Mapped[str | None] = mapped_column(String(255), default=None)
    score: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    launch_mode: Mapped[str] = mapped_column(String(20), default="Normal")
    # The LMS-generated activity id of the course in statements (satisfied).
    course_activity_id: Mapped[str] = mapped_column(String(IRI_LENGTH))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("content_id", "learner_id"),
        UniqueConstraint("course_id", "learner_id"),
        Index("ix_cmi5_registrations_learner_id", "learner_id"),
    )


class Cmi5AuStatus(Base):
    """What the LMS knows of one AU in one registration (cmi5 moveOn, 9.3 verbs)."""

    __tablename__ = "cmi5_au_statuses"

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True, default=new_uuid)
    registration_id: Mapped[str] = mapped_column(
        ForeignKey("cmi5_registrations.id", ondelete="CASCADE")
    )
    au_id: Mapped[str] = mapped_column(ForeignKey("cmi5_aus.id", ondelete="CASCADE"))
    # The activityId of the launch URL: LMS-generated, stable per AU and registration.
    launch_activity_id: Mapped[str] = mapped_column(String(IRI_LENGTH))
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    passed: Mapped[bool] = mapped_column(Boolean, default=False)
    failed: Mapped[bool] = mapped_column(Boolean, default=False)
    waived: Mapped[bool] = mapped_column(Boolean, default=False)
    satisfied: Mapped[bool] = mapped_column(Boolean, default=False)
    score: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("registration_id", "au_id"),)


# The states of an AU session. ``preferences_read``: the AU has retrieved its
# cmi5LearnerPreferences document, which it MUST do before Initialized (cmi5 11.0.0.0-3).
SESSION_LAUNCHED = "launched"
SESSION_PREFERENCES_READ = "preferences_read"
SESSION_INITIALIZED = "initialized"
OPEN_SESSION_STATES = (SESSION_LAUNCHED, SESSION_PREFERENCES_READ, SESSION_INITIALIZED)


class Cmi5Session(Base):
    """One AU launch (cmi5 session). Its id is the session id of the statements."""

    __tablename__ = "cmi5_sessions"

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True, default=new_uuid)
    registration_id: Mapped[str] = mapped_column(
        ForeignKey("cmi5_registrations.id", ondelete="CASCADE")
    )
    au_id: Mapped[str] = mapped_column(ForeignKey("cmi5_aus.id", ondelete="CASCADE"))
    launch_activity_id: Mapped[str] = mapped_column(String(IRI_LENGTH))
    launch_mode: Mapped[str] = mapped_column(String(20), default="Normal")
    # launched → preferences_read → initialized → terminated, or abandoned (SESSION_STATES).
    state: Mapped[str] = mapped_column(String(20), default="launched")
    launched_at: Mapped[datetime] = mapped_column(default=utcnow)
    initialized_at: Mapped[datetime | None] = mapped_column(default=None)
    last_activity_at: Mapped[datetime | None] = mapped_column(default=None)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    # The auth token handed out by the fetch URL: a public key and a hashed secret.
    auth_key: Mapped[str] = mapped_column(String(64), unique=True)
    auth_secret_hash: Mapped[str | None] = mapped_column(String(SHA256_HEX_LENGTH), default=None)
    auth_expires_at: Mapped[datetime | None] = mapped_column(default=None)

    __table_args__ = (Index("ix_cmi5_sessions_registration_id", "registration_id"),)


class Cmi5FetchToken(Base):
    """A one-time fetch URL token (cmi5 8.2.3), stored as its SHA-256."""

    __tablename__ = "cmi5_fetch_tokens"

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True, default=new_uuid)
    token_hash: Mapped[str] = mapped_column(String(SHA256_HEX_LENGTH), unique=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("cmi5_sessions.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_cmi5_fetch_tokens_session_id", "session_id"),)


class Cmi5Satisfaction(Base):
    """A block or the course satisfied in a registration; unique so it is written once."""

    __tablename__ = "cmi5_satisfactions"

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True, default=new_uuid)
    registration_id: Mapped[str] = mapped_column(
        ForeignKey("cmi5_registrations.id", ondelete="CASCADE")
    )
    # A block's row id, or the course's row id.
    node_id: Mapped[str] = mapped_column(String(UUID_LENGTH))
    statement_id: Mapped[str] = mapped_column(String(UUID_LENGTH))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("registration_id", "node_id"),)
