"""A learner's own progress and summary, and the reference's per-content summary
(``/api/xapi/progress``, ``/api/xapi/analytics/*``), read from the projections."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learnloop.analytics.activities import content_activity
from learnloop.analytics.models import ContentDay, LearnerProgress
from learnloop.analytics.schemas import ContentSummary, Progress, UserSummary
from learnloop.analytics.units import iso, percent, rate, seconds

STRONG_AT = 80.0  # the reference: strong areas score >= 80
WEAK_BELOW = 50.0  # weak areas score > 0 and < 50


def content_id_from(value: str) -> str:
    """A path parameter may be the content id or its activity IRI (the reference accepts
    "content/activity identifier")."""
    activity = content_activity(value) if "://" in value else None
    return activity.content_id if activity is not None else value


def progress_view(row: LearnerProgress) -> Progress:
    return Progress(
        userId=row.learner_id,
        contentId=row.content_id,
        attempts=row.attempts,
        bestScore=percent(row.best_score_milli),
        lastScore=percent(row.last_score_milli),
        completed=row.completed,
        passed=row.passed,
        totalDuration=seconds(row.duration_ms),
        lastAttemptAt=iso(row.last_activity_at),
    )


def learner_progress(session: Session, learner_id: str, content_id: str) -> Progress:
    row = session.get(LearnerProgress, (learner_id, content_id))
    if row is None:
        return Progress(
            userId=learner_id,
            contentId=content_id,
            attempts=0,
            bestScore=0,
            lastScore=0,
            completed=False,
            passed=False,
            totalDuration=0,
            message="No progress recorded yet",
        )
    return progress_view(row)


def learner_progress_rows(session: Session, learner_id: str) -> list[LearnerProgress]:
    return list(
        session.scalars(
            select(LearnerProgress)
            .where(LearnerProgress.learner_id == learner_id)
            .order_by(LearnerProgress.last_activity_at.desc(), LearnerProgress.content_id)
        )
    )


def all_progress(session: Session, learner_id: str) -> list[Progress]:
    return [progress_view(row) for row in learner_progress_rows(session, learner_id)]


def user_summary(session: Session, learner_id: str) -> UserSummary:
    rows = learner_progress_rows(session, learner_id)
    scored = [row for row in rows if row.best_score_milli is not None]
    average = sum(row.best_score_milli or 0 for row in scored) / len(scored) if scored else None
    return UserSummary(
        userId=learner_id,
        totalContentsAttempted=sum(1 for row in rows if row.attempts > 0),
        totalContentsCompleted=sum(1 for row in rows if row.completed),
        averageScore=percent(average),
        strongAreas=[
            row.content_id for row in scored if percent(row.best_score_milli) >= STRONG_AT
        ],
        weakAreas=[
            row.content_id for row in scored if 0 < percent(row.best_score_milli) < WEAK_BELOW
        ],
        learningTime=seconds(sum(row.duration_ms for row in rows)),
    )


def content_summary(session: Session, content_id: str) -> ContentSummary:
    totals = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(ContentDay.attempts), 0),
            func.coalesce(func.sum(ContentDay.completions), 0),
            func.coalesce(func.sum(ContentDay.successful_completions), 0),
            func.coalesce(func.sum(ContentDay.scored), 0),
            func.coalesce(func.sum(ContentDay.score_sum_milli), 0),
            func.coalesce(func.sum(ContentDay.timed), 0),
            func.coalesce(func.sum(ContentDay.duration_ms), 0),
        ).where(ContentDay.content_id == content_id)
    ).one()
    days, attempts, completions, passes, scored, score_sum, timed, duration = (
        int(value) for value in totals
    )
    if days == 0:
        return ContentSummary(
            contentId=content_id,
            totalAttempts=0,
            totalCompletions=0,
            averageScore=0,
            averageDuration=0,
            passRate=0,
            message="No analytics data available yet",
        )
    last = session.scalar(
        select(func.max(LearnerProgress.last_activity_at)).where(
            LearnerProgress.content_id == content_id
        )
    )
    return ContentSummary(
        contentId=content_id,
        totalAttempts=attempts,
        totalCompletions=completions,
        averageScore=percent(score_sum / scored) if scored else 0,
        averageDuration=seconds(duration / timed) if timed else 0,
        passRate=rate(passes, completions),
        lastUpdated=iso(last),
    )
