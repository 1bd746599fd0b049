"""Detailed analytics of one content item (``GET /api/analytics/content/:contentId``):
totals from the per-day aggregates, learners from the progress rows, and the
per-question breakdown from the per-question aggregates."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from learnloop.analytics.activities import content_activity_id
from learnloop.analytics.catalog import content_infos
from learnloop.analytics.models import LearnerProgress, QuestionStats
from learnloop.analytics.progress import content_summary
from learnloop.analytics.schemas import ContentDetail, QuestionBreakdown, ScoreBucket
from learnloop.analytics.units import rate

BUCKETS = 10


def score_distribution(best_scores_milli: list[int]) -> list[ScoreBucket]:
    """Learners by best score in ten-point buckets; 100 falls in the last one."""
    counts = [0] * BUCKETS
    for milli in best_scores_milli:
        index = min(max(int(milli // 10_000), 0), BUCKETS - 1)
        counts[index] += 1
    return [
        ScoreBucket(range=f"{i * 10}-{i * 10 + 9 if i < BUCKETS - 1 else 100}", students=count)
        for i, count in enumerate(counts)
    ]


def question_breakdown(session: Session, base_url: str, content_id: str) -> list[QuestionBreakdown]:
    rows = session.scalars(
        select(QuestionStats)
        .where(QuestionStats.content_id == content_id)
        .order_by(QuestionStats.question_id)
    )
    activity = content_activity_id(base_url, content_id)
    return [
        QuestionBreakdown(
            questionId=row.question_id,
            activityId=f"{activity}?subContentId={row.question_id}",
            answered=row.answered,
            correctRate=rate(row.correct, row.answered),
            avgAttempts=round(row.answered / row.learners, 2) if row.learners else 0,
        )
        for row in rows
    ]


def content_detail(session: Session, base_url: str, content_id: str) -> ContentDetail:
    summary = content_summary(session, content_id)
    learners, completed = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((LearnerProgress.completions > 0, 1), else_=0)), 0),
        ).where(LearnerProgress.content_id == content_id)
    ).one()
    best = list(
        session.scalars(
            select(LearnerProgress.best_score_milli).where(
                LearnerProgress.content_id == content_id,
                LearnerProgress.best_score_milli.is_not(None),
            )
        )
    )
    info = content_infos(session, [content_id])[content_id]
    return ContentDetail(
        contentId=content_id,
        title=info.title,
        totalAttempts=summary.totalAttempts,
        uniqueStudents=int(learners),
        averageScore=summary.averageScore,
        completionRate=rate(int(completed), int(learners)),
        averageDuration=summary.averageDuration,
        questionBreakdown=question_breakdown(session, base_url, content_id),
        scoreDistribution=score_distribution([int(m) for m in best if m is not None]),
    )
