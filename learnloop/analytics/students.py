"""One student's analytics (``GET /api/analytics/student/:studentId``), limited to the
content through which the caller may see them (``access.student_audience``)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import orjson
from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from learnloop.analytics.access import Audience
from learnloop.analytics.catalog import content_infos
from learnloop.analytics.models import LearnerProgress, StatementFact
from learnloop.analytics.schemas import StudentContent, StudentDetail, StudentTopic
from learnloop.analytics.units import iso, percent, seconds
from learnloop.auth.models import User
from learnloop.xapi.models import StatementRow

RECENT = 20


def recent_statements(
    session: Session, student_id: str, audience: Audience, limit: int = RECENT
) -> list[dict[str, Any]]:
    """The student's latest statements about content in scope, newest first; voided ones
    have no facts and so never appear."""
    query = select(StatementFact.seq).where(StatementFact.learner_id == student_id)
    if audience.content_ids is not None:
        query = query.where(StatementFact.content_id.in_(audience.content_ids))
    seqs = list(
        session.scalars(
            query.order_by(StatementFact.timestamp.desc(), StatementFact.seq.desc()).limit(limit)
        )
    )
    if not seqs:
        return []
    documents = {
        seq: text
        for seq, text in session.execute(
            select(StatementRow.seq, cast(StatementRow.statement, Text)).where(
                StatementRow.seq.in_(seqs)
            )
        )
    }
    return [orjson.loads(documents[seq]) for seq in seqs if seq in documents]


def student_detail(session: Session, student_id: str, audience: Audience) -> StudentDetail:
    query = select(LearnerProgress).where(LearnerProgress.learner_id == student_id)
    if audience.content_ids is not None:
        query = query.where(LearnerProgress.content_id.in_(audience.content_ids))
    rows = list(
        session.scalars(
            query.order_by(LearnerProgress.last_activity_at.desc(), LearnerProgress.content_id)
        )
    )
    infos = content_infos(session, {row.content_id for row in rows})
    scored = [row for row in rows if row.best_score_milli is not None]
    by_topic: dict[str, list[int]] = defaultdict(list)
    for row in scored:
        for topic in infos[row.content_id].topics:
            by_topic[topic].append(row.best_score_milli or 0)
    user = session.get(User, student_id)
    return StudentDetail(
        studentId=student_id,
        displayName=user.display_name if user is not None else None,
        overallScore=percent(
            sum(row.best_score_milli or 0 for row in scored) / len(scored) if scored else None
        ),
        completedActivities=sum(1 for row in rows if row.completed),
        recentActivity=recent_statements(session, student_id, audience),
        topicPerformance=sorted(
            (
                StudentTopic(topic=topic, score=percent(sum(values) / len(values)))
                for topic, values in by_topic.items()
            ),
            key=lambda topic: (-topic.score, topic.topic),
        ),
        contents=[
            StudentContent(
                contentId=row.content_id,
                title=infos[row.content_id].title,
                attempts=row.attempts,
                bestScore=None if row.best_score_milli is None else percent(row.best_score_milli),
                lastScore=None if row.last_score_milli is None else percent(row.last_score_milli),
                completed=row.completed,
                passed=row.passed,
                totalDuration=seconds(row.duration_ms),
                lastActivityAt=iso(row.last_activity_at) or "",
            )
            for row in rows
        ],
    )
