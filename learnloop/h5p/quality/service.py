"""Quality reports cached per content version.

A content item's version is its main library and the time of its last update (every
update sets ``updated_at``): a report made for another version is stale and is made
again on the next read, so an update invalidates it without the update path knowing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.db import utcnow
from learnloop.h5p.models import H5PContent, H5PLibrary
from learnloop.h5p.quality.critic import review_content
from learnloop.h5p.quality.models import QualityReport
from learnloop.h5p.quality.reviewer import QualityReviewer, ReviewerUnavailable


def content_version(main_library: str, updated_at: datetime) -> str:
    marker = f"{main_library}|{updated_at.isoformat()}"
    return hashlib.sha256(marker.encode()).hexdigest()


def _language(content: H5PContent) -> str:
    language = content.language
    if language and language != "und":
        return language
    from_metadata = content.metadata_json.get("language")
    return from_metadata if isinstance(from_metadata, str) and from_metadata else "und"


def _review(
    session: Session, content: H5PContent, library: H5PLibrary, existing: QualityReport | None
) -> QualityReport:
    """The new report in the session, unflushed (a list flushes all of them at once)."""
    report = review_content(library.machine_name, content.params, _language(content))
    if existing is None:
        existing = QualityReport(content_id=content.id)
        session.add(existing)
    existing.content_digest = content_version(library.ubername, content.updated_at)
    existing.report = report
    existing.generated_at = utcnow()
    return existing


def quality_report(
    session: Session,
    content: H5PContent,
    library: H5PLibrary,
    reviewer: QualityReviewer | None = None,
) -> QualityReport:
    """The current report of ``content`` (whose main library is ``library``); with a
    reviewer, a report it has not seen yet gets its suggestions too."""
    cached = session.get(QualityReport, content.id)
    current = cached is not None and cached.content_digest == content_version(
        library.ubername, content.updated_at
    )
    row = cached if current and cached is not None else _review(session, content, library, cached)
    reviewed = row.report.get("llm")
    # Asked again while it was unavailable; once it answered, the answer is kept.
    if reviewer is not None and (not isinstance(reviewed, dict) or reviewed.get("status") != "ok"):
        row.report = _with_reviewer(row.report, reviewer, library.machine_name, content.params)
    session.flush()
    return row


def _with_reviewer(
    report: dict[str, Any],
    reviewer: QualityReviewer,
    machine_name: str,
    params: dict[str, Any],
) -> dict[str, Any]:
    """The report plus the reviewer's suggestions (marked ``"source": "llm"``); the
    critic's scores stay as they are. An unavailable reviewer is noted, not fatal."""
    updated = dict(report)
    try:
        found = reviewer.suggestions(machine_name, params, list(report.get("improvements", [])))
    except ReviewerUnavailable as exc:
        updated["llm"] = {"model": reviewer.model, "status": "unavailable", "error": str(exc)}
        return updated
    updated["suggestions"] = [
        *report.get("suggestions", []),
        *(
            {"category": "llm", "field": item["field"], "message": item["message"], "source": "llm"}
            for item in found
        ),
    ]
    updated["llm"] = {"model": reviewer.model, "status": "ok", "suggestions": len(found)}
    return updated


@dataclass(frozen=True)
class ListedContent:
    id: str
    main_library: str
    updated_at: datetime


def quality_summaries(
    session: Session, items: Sequence[ListedContent]
) -> dict[str, dict[str, Any]]:
    """``{"overallScore", "bloomsLevel"}`` per listed item: cached reports in one query;
    only items without a current report load their params and are reviewed."""
    if not items:
        return {}
    ids = [item.id for item in items]
    cached = {
        row.content_id: row
        for row in session.scalars(select(QualityReport).where(QualityReport.content_id.in_(ids)))
    }
    stale = [
        item.id
        for item in items
        if item.id not in cached
        or cached[item.id].content_digest != content_version(item.main_library, item.updated_at)
    ]
    if stale:
        rows = session.execute(
            select(H5PContent, H5PLibrary)
            .join(H5PLibrary, H5PLibrary.id == H5PContent.main_library_id)
            .where(H5PContent.id.in_(stale))
        )
        for content, library in rows:
            cached[content.id] = _review(session, content, library, cached.get(content.id))
        # One INSERT (and one batched UPDATE) for all of them, however long the list.
        session.flush()
    return {
        content_id: {
            "overallScore": row.report.get("overallScore"),
            "bloomsLevel": row.report.get("bloomsLevel"),
        }
        for content_id, row in cached.items()
    }
