"""Statements the LMS records itself (cmi5 9.3: launched, abandoned, waived, satisfied),
stored through the LRS's statement service so that hooks and projections see them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from learnloop.cmi5.vocabulary import CATEGORY_CMI5, EXT_SESSION_ID, VERB_DISPLAY
from learnloop.xapi.agents import account_agent
from learnloop.xapi.callers import XapiCaller
from learnloop.xapi.hooks import StatementHooks
from learnloop.xapi.statements import StoreLimits, store_statements
from learnloop.xapi.versions import XapiVersion

LMS_ACCOUNT_NAME = "learnloop-lms"


@dataclass(frozen=True)
class LmsWriter:
    """Where LMS statements go: the app's base URL (for the authority) and its hooks."""

    base_url: str
    hooks: StatementHooks

    @property
    def caller(self) -> XapiCaller:
        authority = account_agent(self.base_url.rstrip("/"), LMS_ACCOUNT_NAME, "LearnLoop LMS")
        return XapiCaller(authority=authority, scopes=frozenset({"all"}))

    def store(self, session: Session, statements: Sequence[dict[str, Any]]) -> list[str]:
        return store_statements(
            session,
            list(statements),
            caller=self.caller,
            version=XapiVersion.V1_0_3,
            hooks=self.hooks,
            limits=StoreLimits(max_statements=max(1, len(statements))),
        )


def format_timestamp(moment: datetime) -> str:
    """UTC with millisecond precision (cmi5 9.7: timestamps in UTC)."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def iso_duration(delta: timedelta) -> str:
    """An ISO 8601 duration with centisecond precision (xAPI-Data 4.6)."""
    total = max(delta.total_seconds(), 0.0)
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"PT{int(hours)}H{int(minutes)}M{seconds:.2f}S"


def cmi5_statement(
    *,
    actor: dict[str, Any],
    verb_id: str,
    activity_id: str,
    registration_id: str,
    session_id: str | None,
    publisher_id: str | None,
    timestamp: datetime,
    result: dict[str, Any] | None = None,
    extensions: dict[str, Any] | None = None,
    categories: Sequence[str] = (CATEGORY_CMI5,),
    activity_type: str | None = None,
) -> dict[str, Any]:
    context_extensions: dict[str, Any] = dict(extensions or {})
    if session_id is not None:
        context_extensions[EXT_SESSION_ID] = session_id
    context_activities: dict[str, Any] = {
        "category": [{"id": category, "objectType": "Activity"} for category in categories]
    }
    if publisher_id is not None:
        context_activities["grouping"] = [{"id": publisher_id, "objectType": "Activity"}]
    activity: dict[str, Any] = {"id": activity_id, "objectType": "Activity"}
    if activity_type:
        activity["definition"] = {"type": activity_type}
    statement: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": actor,
        "verb": {"id": verb_id, "display": {"en-US": VERB_DISPLAY.get(verb_id, verb_id)}},
        "object": activity,
        "context": {
            "registration": registration_id,
            "contextActivities": context_activities,
            "extensions": context_extensions,
        },
        "timestamp": format_timestamp(timestamp),
    }
    if not context_extensions:
        del statement["context"]["extensions"]
    if result is not None:
        statement["result"] = result
    return statement
