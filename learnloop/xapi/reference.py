"""The reference's convenience endpoints (``/api/xapi``), on top of the conformant store.

Fixed where the reference was careless: its GET returned everyone's statements to anyone
logged in, here learners see their own, teachers their own plus statements about content
they own (via the hooks' teacher activity providers), admins all; its validation errors
were 500s, here they are 400s naming the problem.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Text, cast, or_, select
from sqlalchemy.orm import Session

from learnloop.auth.models import User
from learnloop.xapi.agents import agent_key
from learnloop.xapi.callers import XapiCaller, user_identities
from learnloop.xapi.errors import InvalidParameter
from learnloop.xapi.hooks import StatementHooks
from learnloop.xapi.models import StatementRow
from learnloop.xapi.queries import scope_condition
from learnloop.xapi.schemas import H5PEvent

VERB_IRIS = {
    name: f"http://adlnet.gov/expapi/verbs/{name}"
    for name in (
        "attempted",
        "answered",
        "completed",
        "passed",
        "failed",
        "interacted",
        "progressed",
    )
}
FALLBACK_VERB = "interacted"
ASSESSMENT_TYPE = "http://adlnet.gov/expapi/activities/assessment"
PLATFORM = "EduAgentic H5P"  # the reference's value; analytics written for it filter on it
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def with_user_actor(statement: Any, user: User, base_url: str) -> Any:
    """The reference overwrites ``actor.account`` with the authenticated user's account.
    The other identifiers are dropped with it, so the actor keeps exactly one IFI."""
    if not isinstance(statement, dict):
        return statement
    agent, _keys = user_identities(user, base_url)
    actor = statement.get("actor")
    if isinstance(actor, dict) and isinstance(actor.get("name"), str):
        agent["name"] = actor["name"]
    return {**statement, "actor": agent}


def content_activity_id(base_url: str, content_id: str) -> str:
    return f"{base_url.rstrip('/')}/h5p/content/{content_id}"


def format_duration(seconds: float) -> str:
    text = f"{seconds:.2f}".rstrip("0").rstrip(".")
    return f"PT{text}S"


def h5p_event_statement(event: H5PEvent, user: User, base_url: str) -> dict[str, Any]:
    if not event.contentId or not event.verb:
        raise InvalidParameter("Missing required fields: contentId, verb")
    verb_name = event.verb if event.verb in VERB_IRIS else FALLBACK_VERB
    actor, _keys = user_identities(user, base_url)
    statement: dict[str, Any] = {
        "actor": actor,
        "verb": {"id": VERB_IRIS[verb_name], "display": {"en-US": verb_name}},
        "object": {
            "objectType": "Activity",
            "id": content_activity_id(base_url, event.contentId),
            "definition": {"type": ASSESSMENT_TYPE},
        },
        "context": {"platform": PLATFORM, "language": "en"},
    }
    result: dict[str, Any] = {}
    if event.score is not None:
        score = event.score.model_dump(exclude_none=True)
        if score:
            result["score"] = score
    for key in ("success", "completion", "response"):
        value = getattr(event, key)
        if value is not None:
            result[key] = value
    if event.duration is not None:
        result["duration"] = format_duration(event.duration)
    if result:
        statement["result"] = result
    return statement


def query_reference(
    session: Session,
    caller: XapiCaller,
    hooks: StatementHooks,
    *,
    actor_id: str | None,
    verb_id: str | None,
    object_id: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int | None,
) -> list[dict[str, Any]]:
    """Statements the caller may see, newest ``timestamp`` first, voided ones left out."""
    if limit is not None and limit < 1:
        raise InvalidParameter("limit must be a positive integer")
    query = select(cast(StatementRow.statement, Text)).where(
        StatementRow.voided.is_(False), scope_condition(caller.read_scope(session, hooks))
    )
    if actor_id:
        mbox = actor_id if actor_id.startswith("mailto:") else f"mailto:{actor_id}"
        query = query.where(
            or_(
                StatementRow.actor_account_name == actor_id,
                StatementRow.actor_key == agent_key({"mbox": mbox}),
            )
        )
    if verb_id:
        query = query.where(StatementRow.verb_id == verb_id)
    if object_id:
        query = query.where(StatementRow.object_activity_id == object_id)
    if since is not None:
        query = query.where(StatementRow.timestamp > since)
    if until is not None:
        query = query.where(StatementRow.timestamp < until)
    query = query.order_by(StatementRow.timestamp.desc(), StatementRow.seq.desc()).limit(
        min(limit or DEFAULT_LIMIT, MAX_LIMIT)
    )
    return [orjson.loads(text) for text in session.scalars(query)]
