"""The temporary upload area: one row per file, expiry, and the clean-up job.

Files uploaded with ``POST /h5p/media/upload`` or the editor's ``files`` action live
under ``temp/<user id>/`` until they are attached to content (copied), saved with content
whose params name them with "#tmp" (moved, see :func:`claim_temp_files`) or expire after
``h5p_temp_file_ttl_seconds``. The clean-up is a job (learnloop/jobs): each upload makes
sure one is pending for the earliest expiry, and each run deletes what has expired and
schedules the next run while files remain, so no process has to remember anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from learnloop.auth.models import User
from learnloop.config import Settings
from learnloop.db import utcnow
from learnloop.h5p.errors import MediaNotFound
from learnloop.h5p.models import H5PTempFile
from learnloop.jobs.models import Job, JobStatus
from learnloop.jobs.queue import enqueue
from learnloop.jobs.worker import JobContext, JobRegistry
from learnloop.storage import FileStorage

TEMP_CLEANUP_JOB = "h5p.temp-cleanup"
CLEANUP_BATCH = 500
# Where editor uploads go inside content, by field type (H5P core's folders).
TEMP_MEDIA_FOLDERS = ("images", "videos", "audios", "files")


def temp_key(user_id: str, filename: str) -> str:
    return f"temp/{user_id}/{filename}"


def record_temp_file(
    session: Session, settings: Settings, user: User, filename: str, size: int
) -> H5PTempFile:
    """Record (or renew) ``filename`` in ``user``'s temporary area and make sure a
    clean-up job is pending. The caller checked the quotas (storage_quota)."""
    now = utcnow()
    expires_at = now + timedelta(seconds=settings.h5p_temp_file_ttl_seconds)
    row = session.scalars(
        select(H5PTempFile).where(H5PTempFile.user_id == user.id, H5PTempFile.filename == filename)
    ).one_or_none()
    if row is None:
        row = H5PTempFile(user_id=user.id, filename=filename, size=size)
        session.add(row)
    row.size = size
    row.created_at = now
    row.expires_at = expires_at
    session.flush()
    _ensure_cleanup_pending(session, expires_at)
    return row


def _ensure_cleanup_pending(session: Session, run_at: datetime) -> None:
    pending = session.scalar(
        select(func.min(Job.run_after)).where(
            Job.kind == TEMP_CLEANUP_JOB, Job.status == JobStatus.PENDING.value
        )
    )
    if pending is None or pending > run_at:
        enqueue(session, TEMP_CLEANUP_JOB, {}, run_after=run_at)


def delete_expired_temp_files(session: Session, storage: FileStorage) -> int:
    """Delete expired temporary files (rows and stored bytes); returns how many.

    Idempotent: a file already gone from storage is only unrecorded.
    """
    now = utcnow()
    removed = 0
    while True:
        expired = session.execute(
            select(H5PTempFile.id, H5PTempFile.user_id, H5PTempFile.filename)
            .where(H5PTempFile.expires_at <= now)
            .order_by(H5PTempFile.id)
            .limit(CLEANUP_BATCH)
        ).all()
        if not expired:
            return removed
        for _id, user_id, filename in expired:
            storage.delete(temp_key(user_id, filename))
        session.execute(delete(H5PTempFile).where(H5PTempFile.id.in_([row[0] for row in expired])))
        session.flush()
        removed += len(expired)


def run_temp_cleanup(context: JobContext, _payload: dict[str, Any]) -> None:
    delete_expired_temp_files(context.session, context.storage)
    next_expiry = context.session.scalar(select(func.min(H5PTempFile.expires_at)))
    if next_expiry is not None:
        _ensure_cleanup_pending(context.session, next_expiry)


def register_h5p_jobs(registry: JobRegistry) -> None:
    registry.register(TEMP_CLEANUP_JOB, run_temp_cleanup)


def claim_temp_files(
    session: Session, storage: FileStorage, user_id: str, paths: Iterable[str], target_prefix: str
) -> int:
    """Move the editor uploads ``paths`` ("images/photo-ab12.png", the params' "#tmp" paths
    without the suffix) from ``user_id``'s temporary area to ``<target_prefix>/<path>``;
    returns the bytes moved.

    Every path must be one of the user's own temporary files, in one of the media folders
    (images, videos, audios, files); otherwise nothing moves and :class:`MediaNotFound`
    (400) names it, so one teacher cannot take another's upload by guessing its name.
    """
    wanted = sorted(set(paths))
    rows: dict[str, H5PTempFile] = {}
    for path in wanted:
        folder, _, filename = path.partition("/")
        if folder not in TEMP_MEDIA_FOLDERS or not filename or "/" in filename:
            raise MediaNotFound(f"{path}#tmp is not an upload of yours")
        row = session.scalars(
            select(H5PTempFile).where(
                H5PTempFile.user_id == user_id, H5PTempFile.filename == filename
            )
        ).one_or_none()
        if row is None or not storage.exists(temp_key(user_id, filename)):
            raise MediaNotFound(f"{path}#tmp is not an upload of yours (or it expired)")
        rows[path] = row
    moved = 0
    for path, row in rows.items():
        source = temp_key(user_id, row.filename)
        storage.put_bytes(f"{target_prefix}/{path}", storage.get_bytes(source))
        moved += row.size
        session.delete(row)
        storage.delete(source)
    session.flush()
    return moved
