"""Per-user storage: bytes of content, media and temporary files a user owns.

Two limits, both in bytes:

- the plan's ``storage-bytes`` quota: content files (imported packages, attached media)
  of the content a user owns plus their temporary uploads; checked on import, media
  upload and attach;
- a cap on the temporary area alone, the plan's ``temp-bytes`` quota or else
  ``h5p_temp_max_bytes_per_user``, which applies to every user, learners included:
  temporary files are only removed when they expire (:mod:`learnloop.h5p.temp_files`).

Sizes come from the database (``h5p_content.files_bytes`` and ``h5p_temp_files``), not
from listing storage, so a check is two small queries whatever the storage backend.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learnloop.auth.models import User
from learnloop.config import Settings
from learnloop.h5p.errors import StorageQuotaExceeded
from learnloop.h5p.models import ContentOwnership, H5PContent, H5PTempFile
from learnloop.plans.plans import STORAGE_BYTES_QUOTA, TEMP_BYTES_QUOTA, effective_plan


@dataclass(frozen=True)
class StorageUse:
    content_bytes: int
    temp_bytes: int

    @property
    def total(self) -> int:
        return self.content_bytes + self.temp_bytes


def storage_use(
    session: Session, user_id: str, *, except_temp_file: str | None = None
) -> StorageUse:
    """What ``user_id`` stores now; ``except_temp_file`` leaves out a temporary file an
    upload of the same name is about to replace."""
    content_bytes = session.scalar(
        select(func.coalesce(func.sum(H5PContent.files_bytes), 0))
        .join(ContentOwnership, ContentOwnership.content_id == H5PContent.id)
        .where(ContentOwnership.user_id == user_id)
    )
    temp_query = select(func.coalesce(func.sum(H5PTempFile.size), 0)).where(
        H5PTempFile.user_id == user_id
    )
    if except_temp_file is not None:
        temp_query = temp_query.where(H5PTempFile.filename != except_temp_file)
    temp_bytes = session.scalar(temp_query)
    return StorageUse(int(content_bytes or 0), int(temp_bytes or 0))


def _megabytes(value: int) -> str:
    if value < 1024 * 1024:
        return f"{value / 1024:.1f} kB" if value >= 1024 else f"{value} bytes"
    return f"{value / (1024 * 1024):.1f} MB"


def ensure_storage_quota(
    session: Session,
    user: User,
    settings: Settings,
    adding: int,
    *,
    except_temp_file: str | None = None,
) -> None:
    """413 when ``adding`` more bytes would take ``user`` past their plan's storage quota."""
    plan = effective_plan(session, user.plan_id, settings.default_plan)
    limit = plan.quotas.get(STORAGE_BYTES_QUOTA)
    if limit is None:
        return
    use = storage_use(session, user.id, except_temp_file=except_temp_file)
    if use.total + adding > int(limit):
        raise StorageQuotaExceeded(
            f"Storage quota exceeded: plan '{plan.id}' allows {_megabytes(int(limit))}; "
            f"{_megabytes(use.total)} used and this needs {_megabytes(adding)} more. "
            "Delete content or uploads, or ask an admin for a larger plan.",
            details={"quota": STORAGE_BYTES_QUOTA, "limit": int(limit), "used": use.total},
        )


def temp_limit(session: Session, user: User, settings: Settings) -> int:
    plan = effective_plan(session, user.plan_id, settings.default_plan)
    limit = plan.quotas.get(TEMP_BYTES_QUOTA)
    return settings.h5p_temp_max_bytes_per_user if limit is None else int(limit)


def ensure_temp_capacity(
    session: Session, user: User, settings: Settings, filename: str, adding: int
) -> None:
    """413 when a temporary upload of ``adding`` bytes (replacing ``filename`` if it
    exists) would exceed the temporary-area cap or the storage quota."""
    limit = temp_limit(session, user, settings)
    use = storage_use(session, user.id, except_temp_file=filename)
    if use.temp_bytes + adding > limit:
        raise StorageQuotaExceeded(
            f"Your temporary uploads are limited to {_megabytes(limit)}; "
            f"{_megabytes(use.temp_bytes)} are in use. Attach or wait for earlier uploads "
            "to expire before uploading more.",
            details={"quota": TEMP_BYTES_QUOTA, "limit": limit, "used": use.temp_bytes},
        )
    ensure_storage_quota(session, user, settings, adding, except_temp_file=filename)
