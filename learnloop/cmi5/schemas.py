"""Wire models of the cmi5 API (shared/spec cmi5-api.txt shapes, camelCase)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    field_validator,
    model_validator,
)

from learnloop.cmi5.models import Cmi5Registration

LaunchMode = Literal["Normal", "Browse", "Review"]
SessionStatus = Literal[
    "initialized",
    "launched",
    "completed",
    "passed",
    "failed",
    "abandoned",
    "waived",
    "terminated",
]


def format_time(moment: datetime) -> str:
    """The reference's ``2025-01-15T10:00:00.000Z``."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


_HTTP_URL: TypeAdapter[AnyHttpUrl] = TypeAdapter(AnyHttpUrl)


class ActorAccount(BaseModel):
    model_config = ConfigDict(extra="forbid")

    homePage: str = Field(min_length=1, max_length=500)  # noqa: N815 - the reference's name
    name: str = Field(min_length=1, max_length=255)

    @field_validator("homePage")
    @classmethod
    def _home_page_is_a_url(cls, value: str) -> str:
        # Validated as a URL but kept as sent: it is part of the learner's xAPI identity.
        _HTTP_URL.validate_python(value)
        return value

    def as_json(self) -> dict[str, str]:
        return {"homePage": self.homePage, "name": self.name}


class RegisterRequest(BaseModel):
    """The reference's body (contentId), or a course registration (courseId)."""

    model_config = ConfigDict(extra="forbid")

    contentId: str | None = Field(default=None, min_length=1, max_length=500)  # noqa: N815
    courseId: str | None = Field(default=None, min_length=1, max_length=36)  # noqa: N815
    learnerId: str = Field(min_length=1, max_length=255)  # noqa: N815
    actorAccount: ActorAccount | None = None  # noqa: N815

    @model_validator(mode="after")
    def _one_target(self) -> RegisterRequest:
        if (self.contentId is None) == (self.courseId is None):
            raise ValueError("give exactly one of contentId and courseId")
        if self.contentId is not None and self.actorAccount is None:
            raise ValueError("actorAccount is required with contentId")
        return self


class ContentCourseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=500)
    contentIds: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(  # noqa: N815
        min_length=1, max_length=1000
    )


class Score(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scaled: float | None = Field(default=None, ge=-1, le=1)
    raw: float | None = None
    min: float | None = None
    max: float | None = None


class SessionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: SessionStatus
    score: Score | None = None


class WaiveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Literal["Tested Out", "Equivalent AU", "Equivalent Outside Activity", "Administrative"]


class RegistrationOut(BaseModel):
    id: str
    contentId: str | None  # noqa: N815
    courseId: str  # noqa: N815
    learnerId: str  # noqa: N815
    actorAccount: dict[str, Any]  # noqa: N815
    status: str
    sessionId: str | None  # noqa: N815
    score: dict[str, Any] | None
    launchMode: str  # noqa: N815
    createdAt: str  # noqa: N815
    updatedAt: str  # noqa: N815

    @classmethod
    def of(cls, registration: Cmi5Registration) -> RegistrationOut:
        return cls(
            id=registration.id,
            contentId=registration.content_id,
            courseId=registration.course_id,
            learnerId=registration.learner_id,
            actorAccount=registration.actor_account,
            status=registration.status,
            sessionId=registration.session_id,
            score=registration.score,
            launchMode=registration.launch_mode,
            createdAt=format_time(registration.created_at),
            updatedAt=format_time(registration.updated_at),
        )


class AuStatusOut(BaseModel):
    auId: str  # noqa: N815
    publisherId: str  # noqa: N815
    activityId: str | None  # noqa: N815
    moveOn: str  # noqa: N815
    completed: bool
    passed: bool
    failed: bool
    waived: bool
    satisfied: bool


class SessionOut(RegistrationOut):
    """GET /sessions: the reference's registration shape plus the AU and session detail."""

    sessionState: str | None  # noqa: N815
    aus: list[AuStatusOut]
    satisfied: bool


class LaunchOut(BaseModel):
    launchUrl: str  # noqa: N815
    sessionId: str  # noqa: N815
    auId: str  # noqa: N815
    launchMethod: str  # noqa: N815
    abandonedSessionIds: list[str]  # noqa: N815


class PlayGrantOut(BaseModel):
    """The player page URL an H5P content AU frames, with its play grant (cmi5.play_grant)."""

    embedUrl: str  # noqa: N815
    expiresAt: str  # noqa: N815


class AuOut(BaseModel):
    id: str
    publisherId: str  # noqa: N815
    title: dict[str, str]
    url: str
    moveOn: str  # noqa: N815
    masteryScore: float | None  # noqa: N815
    launchMethod: str  # noqa: N815
    blockId: str | None  # noqa: N815


class CourseOut(BaseModel):
    id: str
    publisherId: str  # noqa: N815
    title: dict[str, str]
    description: dict[str, str]
    auCount: int  # noqa: N815
    fileCount: int | None = None  # noqa: N815
    aus: list[AuOut] | None = None


class CourseDeletedOut(BaseModel):
    id: str
    deleted: bool


class WaiveOut(BaseModel):
    statementId: str  # noqa: N815


class AbandonOut(BaseModel):
    abandonedSessionIds: list[str]  # noqa: N815
