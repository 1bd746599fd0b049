"""A learner's standing on one assigned item, from the progress projection
(``analytics_learner_progress``): not started, in progress, completed or passed, and the
score only when the content is scored (a Questionnaire's completion has none)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from learnloop.analytics.models import LearnerProgress


class Status(StrEnum):
    NOT_STARTED = "not started"
    IN_PROGRESS = "in progress"
    COMPLETED = "completed"
    PASSED = "passed"


@dataclass(frozen=True)
class Standing:
    status: Status
    best_score: float | None  # percent
    last_score: float | None
    attempts: int
    duration_ms: int


NOT_STARTED = Standing(Status.NOT_STARTED, None, None, 0, 0)


def standing_of(progress: LearnerProgress | None) -> Standing:
    if progress is None:
        return NOT_STARTED
    if progress.successes > 0:
        status = Status.PASSED
    elif progress.completions > 0:
        status = Status.COMPLETED
    else:
        status = Status.IN_PROGRESS
    scored = progress.scored > 0
    return Standing(
        status=status,
        best_score=progress.best_score_milli / 1000
        if scored and progress.best_score_milli is not None
        else None,
        last_score=progress.last_score_milli / 1000
        if scored and progress.last_score_milli is not None
        else None,
        attempts=progress.attempts,
        duration_ms=progress.duration_ms,
    )
