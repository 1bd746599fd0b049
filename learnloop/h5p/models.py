"""H5P tables: installed libraries and their dependencies, content, ownership, curriculum.

Deleting content: every table that belongs to one content item references
``h5p_content.id`` with ``ON DELETE CASCADE`` (SQLite runs with ``foreign_keys=ON``),
so removing the content row removes its ownership, library links and curriculum rows.
Tables that later domains add for a content item (content user data, finished results)
must do the same: declare ``ForeignKey("h5p_content.id", ondelete="CASCADE")`` and the
delete in :func:`learnloop.h5p.content.delete_content` takes them along.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from learnloop.db import UUID_LENGTH, Base, utcnow

CONTENT_ID_LENGTH = 100


class DependencyType(StrEnum):
    PRELOADED = "preloaded"
    DYNAMIC = "dynamic"
    EDITOR = "editor"


class Visibility(StrEnum):
    PRIVATE = "private"
    PUBLIC = "public"


class H5PLibrary(Base):
    """One installed library version. H5P keeps one patch per ``major.minor``."""

    __tablename__ = "h5p_libraries"
    __table_args__ = (UniqueConstraint("machine_name", "major_version", "minor_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    machine_name: Mapped[str] = mapped_column(String(255))
    major_version: Mapped[int] = mapped_column(Integer)
    minor_version: Mapped[int] = mapped_column(Integer)
    patch_version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(255))
    runnable: Mapped[bool] = mapped_column(default=False)
    # library.json as installed (paths of preloaded JS/CSS, coreApi, embedTypes …).
    library_json: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # semantics.json, kept here because every content save filters params against it.
    semantics: Mapped[list[Any] | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def folder_name(self) -> str:
        return f"{self.machine_name}-{self.major_version}.{self.minor_version}"

    @property
    def ubername(self) -> str:
        """``H5P.MultiChoice 1.16``: the form the content API uses."""
        return f"{self.machine_name} {self.major_version}.{self.minor_version}"

    @property
    def version(self) -> str:
        return f"{self.major_version}.{self.minor_version}.{self.patch_version}"


class H5PLibraryDependency(Base):
    __tablename__ = "h5p_library_dependencies"

    library_id: Mapped[int] = mapped_column(
        ForeignKey("h5p_libraries.id", ondelete="CASCADE"), primary_key=True
    )
    required_library_id: Mapped[int] = mapped_column(
        ForeignKey("h5p_libraries.id", ondelete="RESTRICT"), primary_key=True
    )
    dependency_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    # Position in library.json: the order the player must load in.
    weight: Mapped[int] = mapped_column(Integer, default=0)


class H5PContent(Base):
    __tablename__ = "h5p_content"

    id: Mapped[str] = mapped_column(String(CONTENT_ID_LENGTH), primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    main_library_id: Mapped[int] = mapped_column(
        ForeignKey("h5p_libraries.id", ondelete="RESTRICT"), index=True
    )
    # content/content.json after filtering against the library's semantics.
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # h5p.json without its dependency lists (those are rebuilt from the library rows).
    metadata_json: Mapped[dict[str, Any]] = mapped_column(default=dict)
    embed_types: Mapped[list[str]] = mapped_column(default=list)
    language: Mapped[str] = mapped_column(String(32), default="und")
    # Bytes of the content's stored files (package content files, attached media): what
    # it counts against its owner's storage quota (learnloop/h5p/storage_quota.py).
    files_bytes: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class H5PTempFile(Base):
    """A file in a user's temporary upload area (``temp/<user id>/<filename>``).

    The row lets quotas count a user's temporary bytes without listing storage, and the
    clean-up job find expired files (storage keeps no dates it could query).
    """

    __tablename__ = "h5p_temp_files"
    __table_args__ = (UniqueConstraint("user_id", "filename"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(
        String(UUID_LENGTH), ForeignKey("users.id", ondelete="CASCADE")
    )
    filename: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class H5PContentLibrary(Base):
    """Which libraries a content item uses; keeps those libraries from being deleted."""

    __tablename__ = "h5p_content_libraries"

    content_id: Mapped[str] = mapped_column(
        ForeignKey("h5p_content.id", ondelete="CASCADE"), primary_key=True
    )
    library_id: Mapped[int] = mapped_column(
        ForeignKey("h5p_libraries.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    dependency_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    weight: Mapped[int] = mapped_column(Integer, default=0)


class ContentOwnership(Base):
    """The reference's ``content_ownership`` table; no row means legacy, unowned content."""

    __tablename__ = "h5p_content_ownership"
    __table_args__ = (Index("ix_h5p_content_ownership_user_id", "user_id"),)

    content_id: Mapped[str] = mapped_column(
        ForeignKey("h5p_content.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        String(UUID_LENGTH), ForeignKey("users.id", ondelete="CASCADE")
    )
    visibility: Mapped[str] = mapped_column(String(20), default=Visibility.PRIVATE.value)
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    view_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ContentCurriculum(Base):
    """Curriculum metadata; deleted with its content (the reference leaves it orphaned)."""

    __tablename__ = "h5p_content_curriculum"

    content_id: Mapped[str] = mapped_column(
        ForeignKey("h5p_content.id", ondelete="CASCADE"), primary_key=True
    )
    framework_name: Mapped[str | None] = mapped_column(String(200), default=None)
    stage_name: Mapped[str | None] = mapped_column(String(200), default=None)
    grade_name: Mapped[str | None] = mapped_column(String(200), default=None)
    subject_name: Mapped[str | None] = mapped_column(String(200), default=None)
    topic_names: Mapped[list[str]] = mapped_column(default=list)
    difficulty: Mapped[str | None] = mapped_column(String(32), default=None)
    language: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
