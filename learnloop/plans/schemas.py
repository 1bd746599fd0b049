from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from learnloop.plans.models import Plan
from learnloop.plans.plans import feature_list

PLAN_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"


class PlanOut(BaseModel):
    id: str
    name: str
    features: list[str]
    quotas: dict[str, int]

    @classmethod
    def of(cls, plan: Plan) -> PlanOut:
        return cls(
            id=plan.id,
            name=plan.name,
            features=feature_list(plan),
            quotas={key: int(value) for key, value in plan.quotas.items()},
        )


class PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    features: list[str] = Field(default_factory=list, max_length=50)
    quotas: dict[str, int] = Field(default_factory=dict)


class AssignPlanRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # None puts the user back on the configured default plan.
    plan: str | None = Field(pattern=PLAN_ID_PATTERN)


class UserPlanOut(BaseModel):
    userId: str  # noqa: N815
    plan: PlanOut
    isDefault: bool  # noqa: N815
