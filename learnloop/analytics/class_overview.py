"""The class overview (``GET /api/analytics/class-overview``): students, weekly activity,
completion, best and weakest content and topics, and the 30-day activity heatmap.

Scores here are learners' best scores per content item (a learner who retried until
they succeeded counts with the score they reached), averaged per content or topic.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learnloop.analytics.access import Audience
from learnloop.analytics.catalog import content_infos
from learnloop.analytics.models import ContentDay, LearnerDay, LearnerProgress
from learnloop.analytics.schemas import ClassOverview, ContentScore, DayActivity, TopicScore
from learnloop.analytics.units import percent, rate
from learnloop.auth.models import User
from learnloop.db import utcnow

HEATMAP_DAYS = 30
ACTIVE_DAYS = 7
TOP = 5
WEAK_TOPIC_BELOW = 60.0  # the reference: weakest topics score < 60 %


@dataclass(frozen=True)
class ProgressPoint:
    learner_id: str
    content_id: str
    best_score_milli: int | None
    completed: bool
    last_activity_at: datetime


def progress_points(session: Session, audience: Audience) -> list[ProgressPoint]:
    query = select(
        LearnerProgress.learner_id,
        LearnerProgress.content_id,
        LearnerProgress.best_score_milli,
        LearnerProgress.completions,
        LearnerProgress.last_activity_at,
    )
    if audience.content_ids is not None:
        query = query.where(LearnerProgress.content_id.in_(audience.content_ids))
    if audience.students is not None:
        query = query.where(LearnerProgress.learner_id.in_(audience.students))
    if audience.exclude is not None:
        query = query.where(LearnerProgress.learner_id != audience.exclude)
    return [
        ProgressPoint(learner, content, best, completions > 0, last)
        for learner, content, best, completions, last in session.execute(query)
    ]


def heatmap(session: Session, audience: Audience, today: date) -> list[DayActivity]:
    first = today - timedelta(days=HEATMAP_DAYS - 1)
    if audience.students is None:
        # Every learner of the content: the per-content day totals answer it directly.
        query = select(ContentDay.day, func.sum(ContentDay.statements)).where(
            ContentDay.day >= first, ContentDay.day <= today
        )
        if audience.content_ids is not None:
            query = query.where(ContentDay.content_id.in_(audience.content_ids))
        query = query.group_by(ContentDay.day)
    else:
        query = select(LearnerDay.day, func.sum(LearnerDay.statements)).where(
            LearnerDay.day >= first,
            LearnerDay.day <= today,
            LearnerDay.learner_id.in_(audience.students),
        )
        if audience.content_ids is not None:
            query = query.where(LearnerDay.content_id.in_(audience.content_ids))
        query = query.group_by(LearnerDay.day)
    counts = {day: int(count) for day, count in session.execute(query)}
    return [
        DayActivity(
            date=(first + timedelta(days=i)).isoformat(),
            activityCount=counts.get(first + timedelta(days=i), 0),
        )
        for i in range(HEATMAP_DAYS)
    ]


def _mean(values: list[int]) -> float:
    return percent(sum(values) / len(values)) if values else 0.0


def class_overview(
    session: Session, audience: Audience, now: datetime | None = None
) -> ClassOverview:
    now = now or utcnow()
    points = progress_points(session, audience)
    learners = {point.learner_id for point in points}
    week_ago = now - timedelta(days=ACTIVE_DAYS)
    infos = content_infos(session, {point.content_id for point in points})

    by_content: dict[str, list[int]] = defaultdict(list)
    by_topic: dict[str, list[int]] = defaultdict(list)
    topic_learners: dict[str, set[str]] = defaultdict(set)
    for point in points:
        if point.best_score_milli is None:
            continue
        by_content[point.content_id].append(point.best_score_milli)
        for topic in infos[point.content_id].topics:
            by_topic[topic].append(point.best_score_milli)
            topic_learners[topic].add(point.learner_id)

    content_scores = [
        ContentScore(contentId=content_id, title=infos[content_id].title, avgScore=_mean(scores))
        for content_id, scores in by_content.items()
    ]
    topic_scores = [
        TopicScore(topic=topic, avgScore=_mean(scores), studentCount=len(topic_learners[topic]))
        for topic, scores in by_topic.items()
    ]
    return ClassOverview(
        classId=audience.class_id,
        totalStudents=len(audience.students) if audience.students is not None else len(learners),
        activeThisWeek=len({p.learner_id for p in points if p.last_activity_at >= week_ago}),
        averageCompletionRate=rate(sum(1 for p in points if p.completed), len(points)),
        topPerformingContent=sorted(content_scores, key=lambda c: (-c.avgScore, c.contentId))[:TOP],
        weakestContent=sorted(content_scores, key=lambda c: (c.avgScore, c.contentId))[:TOP],
        topTopics=sorted(topic_scores, key=lambda t: (-t.avgScore, t.topic))[:TOP],
        weakestTopics=sorted(
            (t for t in topic_scores if t.avgScore < WEAK_TOPIC_BELOW),
            key=lambda t: (t.avgScore, t.topic),
        )[:TOP],
        activityHeatmap=heatmap(session, audience, now.date()),
    )


@dataclass(frozen=True)
class StudentRow:
    learner_id: str
    display_name: str
    contents: int
    completed: int
    average_best: float
    last_activity_at: datetime


def student_rows(session: Session, audience: Audience) -> list[StudentRow]:
    """One row per student in scope (the dashboard's student table)."""
    by_learner: dict[str, list[ProgressPoint]] = defaultdict(list)
    for point in progress_points(session, audience):
        by_learner[point.learner_id].append(point)
    names = {
        user_id: name
        for user_id, name in session.execute(
            select(User.id, User.display_name).where(User.id.in_(list(by_learner)))
        )
    }
    rows = []
    for learner_id, points in by_learner.items():
        scores = [p.best_score_milli for p in points if p.best_score_milli is not None]
        rows.append(
            StudentRow(
                learner_id=learner_id,
                display_name=names.get(learner_id, learner_id),
                contents=len(points),
                completed=sum(1 for p in points if p.completed),
                average_best=_mean(scores),
                last_activity_at=max(p.last_activity_at for p in points),
            )
        )
    return sorted(rows, key=lambda row: (row.display_name.lower(), row.learner_id))
