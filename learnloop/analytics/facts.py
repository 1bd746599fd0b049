"""A statement → the facts analytics keeps about it, and folding facts into deltas.

Definitions (the reference leaves them implicit; these are ours, applied identically on
ingest and on rebuild):

* Only statements about hosted content count (``activities.content_activity``).
* An **attempt** is a statement on the content itself (not a sub-question) with verb
  answered, completed, passed or failed: a finished try that reports a result.
* A **completion** is a statement on the content itself with verb completed or passed,
  or ``result.completion: true``; a **success** has verb passed or ``result.success: true``.
* **Scores** are percentages from ``result.score.scaled`` (xAPI-Data 4.2.2.6), else from
  ``(raw - min) / (max - min)`` with ``min`` 0 when absent; only the content's own
  statements are scored (a sub-question's score is part of the content's).
* **Durations** are the content's own statements' ``result.duration``.
* A **question answer** is an ``answered`` statement with a result on a sub-content
  activity; it is correct when ``result.success`` is true.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from learnloop.analytics.activities import ContentActivity, content_activity
from learnloop.analytics.durations import duration_milliseconds

VERB = "http://adlnet.gov/expapi/verbs/"
ANSWERED = VERB + "answered"
COMPLETED = VERB + "completed"
PASSED = VERB + "passed"
FAILED = VERB + "failed"
ATTEMPT_VERBS = frozenset({ANSWERED, COMPLETED, PASSED, FAILED})
COMPLETION_VERBS = frozenset({COMPLETED, PASSED})


@dataclass(frozen=True)
class Fact:
    seq: int
    statement_id: str
    learner_id: str
    content_id: str
    question_id: str | None
    timestamp: datetime
    day: date
    is_attempt: bool
    is_completion: bool
    is_success: bool
    score_milli: int | None
    duration_ms: int | None
    is_answer: bool
    is_correct: bool

    def row(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "statement_id": self.statement_id,
            "learner_id": self.learner_id,
            "content_id": self.content_id,
            "question_id": self.question_id,
            "timestamp": self.timestamp,
            "day": self.day,
            "is_attempt": self.is_attempt,
            "is_completion": self.is_completion,
            "is_success": self.is_success,
            "score_milli": self.score_milli,
            "duration_ms": self.duration_ms,
            "is_answer": self.is_answer,
            "is_correct": self.is_correct,
        }


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def score_percent(score: Any) -> float | None:
    """A score object → percent (``scaled`` first, else raw within min..max)."""
    if not isinstance(score, Mapping):
        return None
    scaled = _number(score.get("scaled"))
    if scaled is not None:
        return scaled * 100
    raw = _number(score.get("raw"))
    maximum = _number(score.get("max"))
    minimum = _number(score.get("min")) or 0.0
    if raw is None or maximum is None or maximum <= minimum:
        return None
    return (raw - minimum) / (maximum - minimum) * 100


def score_milli(score: Any) -> int | None:
    percent = score_percent(score)
    return None if percent is None else round(percent * 1000)


def _content_of(statement: Mapping[str, Any]) -> ContentActivity | None:
    obj = statement.get("object") or {}
    if obj.get("objectType", "Activity") != "Activity":
        return None
    return content_activity(str(obj.get("id", "")))


def about_content(statement: Mapping[str, Any]) -> bool:
    """Whether the statement's object is hosted content, the only statements with facts."""
    return _content_of(statement) is not None


def fact_from_statement(
    seq: int, statement: Mapping[str, Any], learner_id: str, timestamp: datetime
) -> Fact | None:
    activity = _content_of(statement)
    if activity is None:
        return None
    verb = str((statement.get("verb") or {}).get("id", ""))
    result = statement.get("result")
    result = result if isinstance(result, Mapping) else {}
    own = activity.question_id is None
    is_answer = not own and verb == ANSWERED and bool(result)
    return Fact(
        seq=seq,
        statement_id=str(statement["id"]).lower(),
        learner_id=learner_id,
        content_id=activity.content_id,
        question_id=activity.question_id,
        timestamp=timestamp,
        day=timestamp.date(),
        is_attempt=own and verb in ATTEMPT_VERBS,
        is_completion=own and (verb in COMPLETION_VERBS or result.get("completion") is True),
        is_success=own and (verb == PASSED or result.get("success") is True),
        score_milli=score_milli(result.get("score")) if own else None,
        duration_ms=duration_milliseconds(result.get("duration")) if own else None,
        is_answer=is_answer,
        is_correct=is_answer and result.get("success") is True,
    )


# --- folding facts into per-key deltas ---------------------------------------------------


@dataclass
class ProgressDelta:
    statements: int = 0
    attempts: int = 0
    completions: int = 0
    successes: int = 0
    scored: int = 0
    score_sum_milli: int = 0
    best_score_milli: int | None = None
    last_score_milli: int | None = None
    last_scored_at: datetime | None = None
    last_scored_seq: int | None = None
    duration_ms: int = 0
    first_activity_at: datetime | None = None
    last_activity_at: datetime | None = None

    def add(self, fact: Fact) -> None:
        self.statements += 1
        self.attempts += fact.is_attempt
        self.completions += fact.is_completion
        self.successes += fact.is_success
        if fact.score_milli is not None:
            self.scored += 1
            self.score_sum_milli += fact.score_milli
            if self.best_score_milli is None or fact.score_milli > self.best_score_milli:
                self.best_score_milli = fact.score_milli
            # The last score is that of the latest statement by timestamp, then by order stored.
            if self.last_scored_at is None or (fact.timestamp, fact.seq) > (
                self.last_scored_at,
                self.last_scored_seq or 0,
            ):
                self.last_score_milli = fact.score_milli
                self.last_scored_at = fact.timestamp
                self.last_scored_seq = fact.seq
        self.duration_ms += fact.duration_ms or 0
        if self.first_activity_at is None or fact.timestamp < self.first_activity_at:
            self.first_activity_at = fact.timestamp
        if self.last_activity_at is None or fact.timestamp > self.last_activity_at:
            self.last_activity_at = fact.timestamp


@dataclass
class DayDelta:
    statements: int = 0
    attempts: int = 0
    completions: int = 0
    successful_completions: int = 0
    scored: int = 0
    score_sum_milli: int = 0
    timed: int = 0
    duration_ms: int = 0

    def add(self, fact: Fact, sign: int = 1) -> None:
        self.statements += sign
        self.attempts += sign * fact.is_attempt
        self.completions += sign * fact.is_completion
        self.successful_completions += sign * (fact.is_completion and fact.is_success)
        if fact.score_milli is not None:
            self.scored += sign
            self.score_sum_milli += sign * fact.score_milli
        if fact.duration_ms is not None:
            self.timed += sign
            self.duration_ms += sign * fact.duration_ms


@dataclass
class AnswerDelta:
    answered: int = 0
    correct: int = 0

    def add(self, fact: Fact, sign: int = 1) -> None:
        self.answered += sign
        self.correct += sign * fact.is_correct


@dataclass
class Deltas:
    progress: dict[tuple[str, str], ProgressDelta] = field(default_factory=dict)
    days: dict[tuple[str, date], DayDelta] = field(default_factory=dict)
    learner_days: dict[tuple[str, date, str], int] = field(default_factory=dict)
    answers: dict[tuple[str, str, str], AnswerDelta] = field(default_factory=dict)


def fold(facts: Iterable[Fact], sign: int = 1) -> Deltas:
    """Sum facts per projection key. ``sign=-1`` folds facts being removed (voided); the
    progress part is then left empty: a best or last score cannot be subtracted, so the
    caller recomputes those rows from the remaining facts."""
    deltas = Deltas()
    for fact in facts:
        if sign > 0:
            deltas.progress.setdefault((fact.learner_id, fact.content_id), ProgressDelta()).add(
                fact
            )
        deltas.days.setdefault((fact.content_id, fact.day), DayDelta()).add(fact, sign)
        learner_day = (fact.learner_id, fact.day, fact.content_id)
        deltas.learner_days[learner_day] = deltas.learner_days.get(learner_day, 0) + sign
        if fact.is_answer and fact.question_id is not None:
            key = (fact.content_id, fact.question_id, fact.learner_id)
            deltas.answers.setdefault(key, AnswerDelta()).add(fact, sign)
    return deltas
