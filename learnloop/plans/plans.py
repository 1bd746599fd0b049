"""Plan lookups, feature gates and quota checks.

The reference answers a disabled feature with 403 ``Feature not available`` and an
exhausted creation quota with 429; these functions raise exactly those errors.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.auth.models import User
from learnloop.errors import FeatureNotAvailable, QuotaExceeded
from learnloop.plans.errors import InvalidPlan, PlanNotFound
from learnloop.plans.models import Plan

# Lets the plan's users install and upgrade H5P libraries, an admin right otherwise
# (H5P core's canUpdateLibraries).
INSTALL_LIBRARIES_FEATURE = "install-libraries"
KNOWN_FEATURES = frozenset(
    {"cmi5-launch", "analytics-dashboard", "scorm-export", INSTALL_LIBRARIES_FEATURE}
)
# "content": number of content items; "storage-bytes": bytes of content, media and
# temporary files a user owns; "temp-bytes": bytes of a user's temporary uploads.
CONTENT_QUOTA = "content"
STORAGE_BYTES_QUOTA = "storage-bytes"
TEMP_BYTES_QUOTA = "temp-bytes"
KNOWN_QUOTAS = frozenset({CONTENT_QUOTA, STORAGE_BYTES_QUOTA, TEMP_BYTES_QUOTA})


def feature_list(plan: Plan) -> list[str]:
    return sorted(plan.features)


def get_plan(session: Session, plan_id: str) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise PlanNotFound(f"Plan not found: {plan_id}")
    return plan


def list_plans(session: Session) -> list[Plan]:
    return list(session.scalars(select(Plan).order_by(Plan.id)))


def effective_plan(session: Session, user_plan_id: str | None, default_plan_id: str) -> Plan:
    return get_plan(session, user_plan_id or default_plan_id)


def ensure_feature(plan: Plan, feature: str) -> None:
    if feature not in feature_list(plan):
        raise FeatureNotAvailable("Feature not available", details={"feature": feature})


def ensure_within_quota(plan: Plan, quota: str, used: int, adding: int = 1) -> None:
    limit = plan.quotas.get(quota)
    if limit is not None and used + adding > int(limit):
        raise QuotaExceeded(
            f"Plan '{plan.id}' allows {limit} {quota} item(s); {used} already used",
            details={"quota": quota, "limit": limit, "used": used},
        )


def upsert_plan(
    session: Session,
    plan_id: str,
    *,
    name: str,
    features: list[str],
    quotas: dict[str, int],
) -> Plan:
    unknown_features = set(features) - KNOWN_FEATURES
    if unknown_features:
        raise InvalidPlan(f"Unknown feature(s): {', '.join(sorted(unknown_features))}")
    unknown_quotas = set(quotas) - KNOWN_QUOTAS
    if unknown_quotas:
        raise InvalidPlan(f"Unknown quota(s): {', '.join(sorted(unknown_quotas))}")
    if any(limit < 0 for limit in quotas.values()):
        raise InvalidPlan("Quota limits cannot be negative")
    plan = session.get(Plan, plan_id)
    if plan is None:
        plan = Plan(id=plan_id, name=name, features=sorted(set(features)), quotas=dict(quotas))
        session.add(plan)
    else:
        plan.name = name
        plan.features = sorted(set(features))
        plan.quotas = dict(quotas)
    session.flush()
    return plan


def assign_plan(session: Session, user: User, plan_id: str | None) -> User:
    """Give ``user`` a plan; ``None`` puts them back on the configured default plan."""
    if plan_id is not None:
        get_plan(session, plan_id)
    user.plan_id = plan_id
    session.flush()
    return user
