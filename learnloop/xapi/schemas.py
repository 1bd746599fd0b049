"""Wire models of the reference's ``/api/xapi`` endpoints and the LRS client admin API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class H5PScore(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scaled: float | None = None
    raw: float | None = None
    min: float | None = None
    max: float | None = None


class H5PEvent(BaseModel):
    """The reference's simplified H5P event (``POST /api/xapi/h5p-event``)."""

    # Bounded like the activity IRI it becomes (xapi.models.IRI_LENGTH).
    contentId: str | None = Field(default=None, max_length=2048)  # noqa: N815 - wire name
    verb: str | None = Field(default=None, max_length=100)
    score: H5PScore | None = None
    success: bool | None = None
    completion: bool | None = None
    duration: float | None = Field(default=None, ge=0)
    response: str | None = None


class StatementIds(BaseModel):
    ids: list[str]


class StatementId(BaseModel):
    id: str


class StatementList(BaseModel):
    statements: list[dict[str, object]]


class LrsClientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    scopes: list[str] = Field(default_factory=list)
    # The version of error answers to requests without X-Experience-API-Version.
    defaultXapiVersion: Literal["1.0.3", "2.0.0"] | None = None  # noqa: N815


class LrsClientOut(BaseModel):
    id: str
    key: str
    name: str
    scopes: list[str]
    defaultXapiVersion: str | None = None  # noqa: N815
    isActive: bool  # noqa: N815
    createdAt: datetime  # noqa: N815
    revokedAt: datetime | None  # noqa: N815


class LrsClientIssued(LrsClientOut):
    """Returned once, at creation: the secret is not stored and cannot be shown again."""

    secret: str
