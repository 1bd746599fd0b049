from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from learnloop import __version__
from learnloop.auth.dependencies import RequireAdmin
from learnloop.deps import DatabaseDep, SessionDep
from learnloop.envelope import Envelope, ok
from learnloop.jobs import queue
from learnloop.jobs.models import JobStatus
from learnloop.jobs.schemas import JobOut

router = APIRouter(tags=["operations"])


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@router.get("/health")
def health(database: DatabaseDep) -> JSONResponse:
    """Liveness and database reachability; 503 when the database does not answer."""
    body: dict[str, Any] = {
        "success": True,
        "status": "ok",
        "service": "learnloop",
        "version": __version__,
        "database": database.engine.dialect.name,
        "timestamp": _now_iso(),
    }
    try:
        with database.session() as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        body.update(success=False, status="unavailable", error="Database unreachable")
        return JSONResponse(body, status_code=503)
    return JSONResponse(body)


@router.get("/h5p/health")
def h5p_health() -> dict[str, Any]:
    return {"success": True, "service": "h5p", "timestamp": _now_iso()}


@router.get("/api/admin/jobs")
def list_jobs(
    _admin: RequireAdmin,
    session: SessionDep,
    status: JobStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Envelope[list[JobOut]]:
    return ok([JobOut.of(job) for job in queue.list_jobs(session, status, limit)])


@router.post("/api/admin/jobs/{job_id}/retry")
def retry_job(job_id: int, _admin: RequireAdmin, session: SessionDep) -> Envelope[JobOut]:
    return ok(JobOut.of(queue.retry_dead(session, job_id)))
