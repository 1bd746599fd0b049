"""Plan-aware dependencies: the caller's plan and feature gates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends

from learnloop.auth.dependencies import CurrentUser
from learnloop.auth.models import User
from learnloop.deps import SessionDep, SettingsDep
from learnloop.plans.models import Plan
from learnloop.plans.plans import effective_plan, ensure_feature


def get_user_plan(user: CurrentUser, session: SessionDep, settings: SettingsDep) -> Plan:
    return effective_plan(session, user.plan_id, settings.default_plan)


UserPlan = Annotated[Plan, Depends(get_user_plan)]


def require_feature(feature: str) -> Callable[[User, Plan], User]:
    """A dependency that answers 403 ``Feature not available`` unless the plan has ``feature``."""

    def dependency(user: CurrentUser, plan: UserPlan) -> User:
        ensure_feature(plan, feature)
        return user

    dependency.__name__ = f"require_feature_{feature.replace('-', '_')}"
    return dependency


RequireCmi5Launch = Annotated[User, Depends(require_feature("cmi5-launch"))]
RequireAnalyticsDashboard = Annotated[User, Depends(require_feature("analytics-dashboard"))]
RequireScormExport = Annotated[User, Depends(require_feature("scorm-export"))]
