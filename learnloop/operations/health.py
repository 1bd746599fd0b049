"""Liveness, readiness and the metrics endpoint.

``/health/live`` answers as long as the process serves HTTP (restart it when it does
not); ``/health/ready`` also checks that the database and the file storage answer, so a
load balancer only sends traffic to a process that can do its work.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from learnloop import __version__
from learnloop.deps import DatabaseDep, SettingsDep
from learnloop.errors import Unauthorized
from learnloop.operations.metrics import METRICS_CONTENT_TYPE, Metrics
from learnloop.storage import FileStorage
from learnloop.storage.selection import check_storage_reachable

logger = logging.getLogger("learnloop.health")
router = APIRouter(tags=["operations"])


@router.get("/health/live")
async def live() -> dict[str, Any]:
    return {"status": "ok", "service": "learnloop", "version": __version__}


@router.get("/health/ready")
def ready(request: Request, database: DatabaseDep) -> JSONResponse:
    storage: FileStorage = request.app.state.storage
    checks: dict[str, str] = {}
    try:
        with database.session() as session:
            session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:
        logger.warning("readiness: database unreachable", exc_info=True)
        checks["database"] = "unavailable"
    try:
        check_storage_reachable(storage)
        checks["storage"] = "ok"
    except Exception:
        logger.warning("readiness: storage unreachable", exc_info=True)
        checks["storage"] = "unavailable"
    is_ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ok" if is_ready else "unavailable", "checks": checks},
        status_code=200 if is_ready else 503,
    )


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request, settings: SettingsDep) -> Response:
    """Prometheus text format. With ``LEARNLOOP_METRICS_TOKEN`` set, the scraper must send
    it as a bearer token (route names and job counts are not for everyone)."""
    if settings.metrics_token:
        supplied = request.headers.get("authorization", "")
        expected = f"Bearer {settings.metrics_token}"
        if not hmac.compare_digest(supplied.encode(), expected.encode()):
            raise Unauthorized(
                "A metrics token is required", headers={"WWW-Authenticate": "Bearer"}
            )
    registry: Metrics = request.app.state.metrics
    return Response(registry.exposition(), media_type=METRICS_CONTENT_TYPE)
