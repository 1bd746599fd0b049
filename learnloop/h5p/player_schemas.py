"""Wire models of the player, user data and finished-results endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, field_serializer

from learnloop.h5p.player_models import H5PFinishedResult


class PlayerOut(BaseModel):
    """The reference's player model: ``integration`` plus ordered ``scripts``/``styles``."""

    integration: dict[str, Any]
    scripts: list[str]
    styles: list[str]


class UserDataOut(BaseModel):
    """H5P core reads ``data``: the stored JSON string, or ``false`` when there is none."""

    success: bool = True
    data: str | bool


class AjaxSuccess(BaseModel):
    """Lumi's ``AjaxSuccessResponse`` with an empty payload."""

    success: bool = True


class FinishedResultOut(BaseModel):
    contentId: str  # noqa: N815
    userId: str  # noqa: N815
    score: float
    maxScore: float  # noqa: N815
    openedAt: datetime  # noqa: N815
    finishedAt: datetime  # noqa: N815
    timeSeconds: int  # noqa: N815

    @field_serializer("openedAt", "finishedAt")
    def _dates(self, value: datetime) -> str:
        return value.isoformat().replace("+00:00", "Z")

    @classmethod
    def of(cls, row: H5PFinishedResult) -> FinishedResultOut:
        return cls(
            contentId=row.content_id,
            userId=row.user_id,
            score=row.score,
            maxScore=row.max_score,
            openedAt=row.opened_at,
            finishedAt=row.finished_at,
            timeSeconds=row.time_seconds,
        )


class DeletedOut(BaseModel):
    deleted: int
