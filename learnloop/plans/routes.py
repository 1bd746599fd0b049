from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from learnloop.auth.dependencies import CurrentUser, RequireAdmin
from learnloop.auth.users import get_user
from learnloop.deps import SessionDep, SettingsDep
from learnloop.envelope import Envelope, ok
from learnloop.plans import plans
from learnloop.plans.schemas import PLAN_ID_PATTERN, AssignPlanRequest, PlanIn, PlanOut, UserPlanOut

router = APIRouter(tags=["plans"])

PlanId = Annotated[str, Path(pattern=PLAN_ID_PATTERN)]


@router.get("/api/plans/me")
def my_plan(user: CurrentUser, session: SessionDep, settings: SettingsDep) -> Envelope[UserPlanOut]:
    plan = plans.effective_plan(session, user.plan_id, settings.default_plan)
    return ok(UserPlanOut(userId=user.id, plan=PlanOut.of(plan), isDefault=user.plan_id is None))


@router.get("/api/admin/plans")
def list_plans(_admin: RequireAdmin, session: SessionDep) -> Envelope[list[PlanOut]]:
    return ok([PlanOut.of(plan) for plan in plans.list_plans(session)])


@router.put("/api/admin/plans/{plan_id}")
def put_plan(
    plan_id: PlanId, body: PlanIn, _admin: RequireAdmin, session: SessionDep
) -> Envelope[PlanOut]:
    plan = plans.upsert_plan(
        session, plan_id, name=body.name, features=body.features, quotas=body.quotas
    )
    return ok(PlanOut.of(plan))


@router.put("/api/admin/users/{user_id}/plan")
def assign_plan(
    user_id: str,
    body: AssignPlanRequest,
    _admin: RequireAdmin,
    session: SessionDep,
    settings: SettingsDep,
) -> Envelope[UserPlanOut]:
    user = plans.assign_plan(session, get_user(session, user_id), body.plan)
    plan = plans.effective_plan(session, user.plan_id, settings.default_plan)
    return ok(UserPlanOut(userId=user.id, plan=PlanOut.of(plan), isDefault=user.plan_id is None))
