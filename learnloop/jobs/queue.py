"""Enqueue, claim and settle jobs.

``enqueue`` only adds a row to the caller's session, so a job exists exactly when the
data it concerns was committed. Claiming uses ``FOR UPDATE SKIP LOCKED`` on PostgreSQL,
so several workers never take the same job; SQLite has one writer at a time (the
transaction begins IMMEDIATE), which gives the same guarantee there.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from learnloop.db import utcnow
from learnloop.errors import Conflict, NotFound
from learnloop.jobs.models import Job, JobStatus

MAX_ERROR_LENGTH = 4000
MAX_BACKOFF_SECONDS = 3600.0


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any],
    *,
    max_attempts: int = 5,
    run_after: datetime | None = None,
) -> Job:
    job = Job(
        kind=kind,
        payload=payload,
        max_attempts=max_attempts,
        run_after=run_after or utcnow(),
    )
    session.add(job)
    session.flush()
    return job


def claim_next(
    session: Session, worker_id: str, *, lock_timeout_seconds: int, kinds: list[str] | None = None
) -> Job | None:
    """Take the oldest due job (or one whose worker died holding it) and mark it running."""
    now = utcnow()
    stale_before = now - timedelta(seconds=lock_timeout_seconds)
    query = (
        select(Job)
        .where(
            or_(
                (Job.status == JobStatus.PENDING.value) & (Job.run_after <= now),
                (Job.status == JobStatus.RUNNING.value) & (Job.locked_at < stale_before),
            )
        )
        .order_by(Job.run_after, Job.id)
        .limit(1)
    )
    if kinds is not None:
        query = query.where(Job.kind.in_(kinds))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    job = session.scalar(query)
    if job is None:
        return None
    job.status = JobStatus.RUNNING.value
    job.locked_by = worker_id
    job.locked_at = now
    job.attempts += 1
    session.flush()
    return job


def backoff_seconds(attempts: int, base_seconds: float) -> float:
    return float(min(base_seconds * (2 ** max(attempts - 1, 0)), MAX_BACKOFF_SECONDS))


def mark_done(session: Session, job_id: int) -> None:
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(
            status=JobStatus.DONE.value,
            finished_at=utcnow(),
            locked_by=None,
            locked_at=None,
            last_error=None,
        )
    )


def mark_failed(session: Session, job_id: int, error: str, *, backoff_base_seconds: float) -> str:
    """Record a failure; the job is retried later, or goes to the dead-letter state."""
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"Job {job_id} not found")
    job.last_error = error[:MAX_ERROR_LENGTH]
    job.locked_by = None
    job.locked_at = None
    if job.attempts >= job.max_attempts:
        job.status = JobStatus.DEAD.value
        job.finished_at = utcnow()
    else:
        job.status = JobStatus.PENDING.value
        job.run_after = utcnow() + timedelta(
            seconds=backoff_seconds(job.attempts, backoff_base_seconds)
        )
    session.flush()
    return job.status


def list_jobs(session: Session, status: JobStatus | None = None, limit: int = 100) -> list[Job]:
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    if status is not None:
        query = query.where(Job.status == status.value)
    return list(session.scalars(query))


def retry_dead(session: Session, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"Job {job_id} not found")
    if job.status != JobStatus.DEAD.value:
        raise Conflict(f"Job {job_id} is {job.status}, only dead jobs can be retried")
    job.status = JobStatus.PENDING.value
    job.attempts = 0
    job.run_after = utcnow()
    job.finished_at = None
    session.flush()
    return job
