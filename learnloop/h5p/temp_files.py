"""The temporary upload area: one row per file, expiry, and the clean-up job.

Files uploaded with ``POST /h5p/media/upload`` live under ``temp/<user id>/`` until they
are attached to content (copied) or expire after ``h5p_temp_file_ttl_seconds``. The
clean-up is a job (learnloop/jobs): each upload makes sure one is pending for the
earliest expiry, and each run deletes what has expired and schedules the next run while
files remain, so no process has to remember anything.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from learnloop.auth.models import User
from learnloop.config import Settings
from learnloop.db import utcnow
from learnloop.h5p.models import H5PTempFile
from learnloop.jobs.models import Job, JobStatus
from learnloop.jobs.queue import enqueue
from learnloop.jobs.worker import JobContext, JobRegistry
from learnloop.storage import FileStorage

TEMP_CLEANUP_JOB = "h5p.temp-cleanup"
CLEANUP_BATCH = 500


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
