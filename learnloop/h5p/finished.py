"""Finished results (H5P completion tracking): one row per user and content.

H5P core posts ``contentId, score, maxScore, opened, finished, time`` (seconds since
the epoch for opened/finished) when content emits a completing xAPI statement
(h5p.js ``H5P.setFinished``). A later attempt replaces the earlier result, as Lumi's
``ContentUserDataManager.setFinished`` and H5P's PHP servers do.

Reading: the owner of the content lists its results; a user lists their own; admins
list anyone's (h5p-completion-tracking: the storage supports retrieval and deletion
but the reference exposes no endpoint, so LearnLoop adds them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from learnloop.auth.models import User
from learnloop.errors import BadRequest, Forbidden
from learnloop.h5p.content import get_ownership
from learnloop.h5p.models import H5PContent
from learnloop.h5p.player_models import H5PFinishedResult

# Generous bounds that keep nonsense out of the table (scores are small numbers).
MAX_SCORE_VALUE = 1_000_000
MAX_TIME_SECONDS = 10 * 365 * 24 * 3600
MAX_EPOCH_SECONDS = 32_503_680_000  # year 3000


class InvalidFinishedData(BadRequest):
    code = "invalid-finished-data"


class NotAllowedToReadResults(Forbidden):
    code = "results-forbidden"


@dataclass(frozen=True)
class FinishedReport:
    score: float
    max_score: float
    opened: datetime
    finished: datetime
    time_seconds: int


def _number(name: str, value: str | None, *, required: bool) -> float | None:
    if value is None or value.strip() == "":
        if required:
            raise InvalidFinishedData(f"{name} is required")
        return None
    try:
        number = float(value)
    except ValueError:
        raise InvalidFinishedData(f"{name} must be a number") from None
    if not math.isfinite(number):
        raise InvalidFinishedData(f"{name} must be a finite number")
    return number


def _epoch(name: str, value: float) -> datetime:
    if not 0 < value < MAX_EPOCH_SECONDS:
        raise InvalidFinishedData(f"{name} must be seconds since 1970")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise InvalidFinishedData(f"{name} is not a valid time") from None


def parse_report(
    score: str | None,
    max_score: str | None,
    opened: str | None,
    finished: str | None,
    time: str | None,
) -> FinishedReport:
    score_value = _number("score", score, required=True)
    max_value = _number("maxScore", max_score, required=True)
    opened_value = _number("opened", opened, required=True)
    finished_value = _number("finished", finished, required=True)
    time_value = _number("time", time, required=False)
    assert score_value is not None and max_value is not None
    assert opened_value is not None and finished_value is not None
    if not 0 <= max_value <= MAX_SCORE_VALUE:
        raise InvalidFinishedData(f"maxScore must be between 0 and {MAX_SCORE_VALUE}")
    if not 0 <= score_value <= MAX_SCORE_VALUE:
        raise InvalidFinishedData(f"score must be between 0 and {MAX_SCORE_VALUE}")
    opened_at = _epoch("opened", opened_value)
    finished_at = _epoch("finished", finished_value)
    if finished_at < opened_at:
        raise InvalidFinishedData("finished must not be before opened")
    if time_value is None:
        seconds = int((finished_at - opened_at).total_seconds())
    elif 0 <= time_value <= MAX_TIME_SECONDS:
        seconds = int(time_value)
    else:
        raise InvalidFinishedData("time must be a number of seconds")
    return FinishedReport(score_value, max_value, opened_at, finished_at, seconds)


def set_finished(
    session: Session, content: H5PContent, user_id: str, report: FinishedReport
) -> H5PFinishedResult:
    row = session.get(H5PFinishedResult, (content.id, user_id))
    if row is None:
        row = H5PFinishedResult(content_id=content.id, user_id=user_id)
        session.add(row)
    row.score = report.score
    row.max_score = report.max_score
    row.opened_at = report.opened
    row.finished_at = report.finished
    row.time_seconds = report.time_seconds
    session.flush()
    return row


def may_read_content_results(session: Session, user: User, content: H5PContent) -> bool:
    """The content's owner and admins; legacy (unowned) content: admins only."""
    if user.is_admin:
        return True
    ownership = get_ownership(session, content.id)
    return ownership is not None and ownership.user_id == user.id


def ensure_content_results_reader(session: Session, user: User, content: H5PContent) -> None:
    if not may_read_content_results(session, user, content):
        raise NotAllowedToReadResults("Only the content owner or an admin may see its results")


def ensure_user_results_reader(user: User, user_id: str) -> None:
    if user.id != user_id and not user.is_admin:
        raise NotAllowedToReadResults("Only the user themselves or an admin may see these results")


def results_for_content(session: Session, content_id: str) -> list[H5PFinishedResult]:
    return list(
        session.scalars(
            select(H5PFinishedResult)
            .where(H5PFinishedResult.content_id == content_id)
            .order_by(H5PFinishedResult.finished_at.desc(), H5PFinishedResult.user_id)
        )
    )


def results_for_user(session: Session, user_id: str) -> list[H5PFinishedResult]:
    return list(
        session.scalars(
            select(H5PFinishedResult)
            .where(H5PFinishedResult.user_id == user_id)
            .order_by(H5PFinishedResult.finished_at.desc(), H5PFinishedResult.content_id)
        )
    )


def delete_results(session: Session, content_id: str, user_id: str | None = None) -> int:
    """Delete a content's results (one user's, or everyone's); returns how many."""
    statement = delete(H5PFinishedResult).where(H5PFinishedResult.content_id == content_id)
    if user_id is not None:
        statement = statement.where(H5PFinishedResult.user_id == user_id)
    result = session.execute(statement)
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)
