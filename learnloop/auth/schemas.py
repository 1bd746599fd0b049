from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from learnloop.auth.models import Role, User


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class UserOut(BaseModel):
    id: str
    email: str
    displayName: str  # noqa: N815 - the reference's JSON is camelCase
    role: str
    plan: str | None
    createdAt: datetime  # noqa: N815

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            email=user.email,
            displayName=user.display_name,
            role=user.role,
            plan=user.plan_id,
            createdAt=user.created_at,
        )


class LoginData(BaseModel):
    token: str
    tokenType: str = "Bearer"  # noqa: N815
    expiresAt: datetime  # noqa: N815
    user: UserOut


class CreateUserRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)
    displayName: str = Field(default="", max_length=200)  # noqa: N815
    role: Role = Role.LEARNER
    password: str | None = Field(default=None, min_length=8, max_length=1024)


class UpdateUserRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    displayName: str | None = Field(default=None, min_length=1, max_length=200)  # noqa: N815
    isActive: bool | None = None  # noqa: N815
