from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from learnloop.jobs.models import Job


class JobOut(BaseModel):
    id: int
    kind: str
    status: str
    attempts: int
    maxAttempts: int  # noqa: N815
    payload: dict[str, Any]
    lastError: str | None  # noqa: N815
    runAfter: datetime  # noqa: N815
    createdAt: datetime  # noqa: N815
    finishedAt: datetime | None  # noqa: N815

    @classmethod
    def of(cls, job: Job) -> JobOut:
        return cls(
            id=job.id,
            kind=job.kind,
            status=job.status,
            attempts=job.attempts,
            maxAttempts=job.max_attempts,
            payload=job.payload,
            lastError=job.last_error,
            runAfter=job.run_after,
            createdAt=job.created_at,
            finishedAt=job.finished_at,
        )
