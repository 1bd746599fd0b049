"""``GET /h5p/content/:contentId/quality`` ("Quality Assessment" in the content API
reference). Registered before the content router, whose ``/content/{id}/{file}`` would
take the path."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel

from learnloop.auth.dependencies import CurrentUser
from learnloop.deps import SessionDep, SettingsDep
from learnloop.envelope import Envelope, ok
from learnloop.h5p import content as content_service
from learnloop.h5p.quality.reviewer import build_reviewer
from learnloop.h5p.quality.service import quality_report
from learnloop.h5p.schemas import _iso

router = APIRouter(prefix="/h5p", tags=["h5p quality"])

ContentId = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]


class QualityReportOut(BaseModel):
    contentId: str  # noqa: N815
    qualityReport: dict[str, Any]  # noqa: N815
    generatedAt: str  # noqa: N815


@router.get("/content/{content_id}/quality")
def get_quality(
    content_id: ContentId,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
) -> Envelope[QualityReportOut]:
    """Whoever may read the content may read its report (its params are in the player)."""
    content = content_service.readable_content(session, user, content_id)
    library = content_service.main_library(session, content)
    reviewer = build_reviewer(settings, request.app.state.services.http)
    report = quality_report(session, content, library, reviewer)
    return ok(
        QualityReportOut(
            contentId=content.id,
            qualityReport=report.report,
            generatedAt=_iso(report.generated_at),
        )
    )
