"""``GET /h5p/content/{id}/export-scorm`` and ``/export-html`` (h5p-content-api, "Export").

Who may export follows ``GET /h5p/content/{id}/export``: a teacher (or admin) who may read
the content (their own, public or legacy content; someone else's private content is a
404). SCORM export is also behind the plan feature ``scorm-export`` (403 ``Feature not
available``, the reference's ``requireFeature``). The offline HTML folder carries the
same player as the SCORM package, so it sits behind the same feature.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from learnloop.auth.dependencies import RequireTeacher
from learnloop.deps import SessionDep, SettingsDep
from learnloop.h5p import content as content_service
from learnloop.h5p.export.filenames import attachment_disposition
from learnloop.h5p.export.html_package import HTML_SUFFIX, export_html_folder
from learnloop.h5p.export.scorm_manifest import ScormVersion
from learnloop.h5p.export.scorm_package import (
    export_scorm_package,
    resolve_mastery,
    scorm_filename_suffix,
)
from learnloop.h5p.files import FRAME_HEADERS
from learnloop.h5p.routes import ContentId, StorageDep
from learnloop.plans.dependencies import require_feature

router = APIRouter(prefix="/h5p", tags=["h5p"])

ExportFeature = Depends(require_feature("scorm-export"))
MasteryScore = Annotated[
    Decimal | None,
    Query(
        alias="masteryScore",
        ge=0,
        le=100,
        max_digits=6,
        decimal_places=2,
        description="Mastery threshold in percent (0-100); default: the server's setting",
    ),
]


def _stream(spool: IO[bytes]) -> Iterator[bytes]:
    try:
        while chunk := spool.read(1024 * 1024):
            yield chunk
    finally:
        spool.close()


def _download(spool: IO[bytes], title: str, suffix: str) -> StreamingResponse:
    return StreamingResponse(
        _stream(spool),
        media_type="application/zip",
        headers={
            **FRAME_HEADERS,
            "Content-Disposition": attachment_disposition(title, suffix),
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/content/{content_id}/export-scorm", dependencies=[ExportFeature])
def export_scorm(
    content_id: ContentId,
    user: RequireTeacher,
    session: SessionDep,
    settings: SettingsDep,
    storage: StorageDep,
    version: Annotated[ScormVersion, Query(description="SCORM version")] = ScormVersion.SCORM_12,
    mastery_score: MasteryScore = None,
) -> StreamingResponse:
    content = content_service.exportable_content(session, user, content_id)
    mastery = resolve_mastery(mastery_score, settings)
    spool = export_scorm_package(session, storage, settings, content, version, mastery)
    return _download(spool, content.title, scorm_filename_suffix(version))


@router.get("/content/{content_id}/export-html", dependencies=[ExportFeature])
def export_html(
    content_id: ContentId,
    user: RequireTeacher,
    session: SessionDep,
    settings: SettingsDep,
    storage: StorageDep,
) -> StreamingResponse:
    content = content_service.exportable_content(session, user, content_id)
    spool = export_html_folder(session, storage, settings, content)
    return _download(spool, content.title, HTML_SUFFIX)
