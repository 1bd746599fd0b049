"""The reference's ``/api/xapi`` endpoints, kept for its clients (shared/spec
xapi-and-analytics-api.txt), answering in its ``{"success": true, "data": …}`` envelope."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query

from learnloop.auth.dependencies import CurrentUser
from learnloop.deps import SessionDep, SettingsDep
from learnloop.envelope import Envelope, ok
from learnloop.errors import BadRequest
from learnloop.xapi.callers import user_caller
from learnloop.xapi.dependencies import RawBody, StatementHooksDep
from learnloop.xapi.reference import h5p_event_statement, query_reference, with_user_actor
from learnloop.xapi.schemas import H5PEvent, StatementId, StatementIds, StatementList
from learnloop.xapi.statements import StoreLimits, store_statements
from learnloop.xapi.versions import XapiVersion

router = APIRouter(prefix="/api/xapi", tags=["xAPI (reference API)"])


def _parse_time(name: str, value: str | None) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise BadRequest(f"{name} must be an ISO 8601 timestamp, not {value!r}") from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@router.post("/statements", response_model=Envelope[StatementIds])
def post_statements(
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    hooks: StatementHooksDep,
    body: RawBody,
) -> Envelope[StatementIds]:
    """One statement or an array; each actor becomes the authenticated user."""
    try:
        payload: Any = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"The request body is not valid JSON: {exc}") from exc
    statements = payload if isinstance(payload, list) else [payload]
    ids = store_statements(
        session,
        [with_user_actor(statement, user, settings.base_url) for statement in statements],
        caller=user_caller(user, settings.base_url),
        version=XapiVersion.V1_0_3,
        hooks=hooks,
        limits=StoreLimits(max_statements=settings.xapi_max_batch_statements),
    )
    return ok(StatementIds(ids=ids))


@router.post("/h5p-event", response_model=Envelope[StatementId])
def post_h5p_event(
    event: H5PEvent,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    hooks: StatementHooksDep,
) -> Envelope[StatementId]:
    statement = h5p_event_statement(event, user, settings.base_url)
    ids = store_statements(
        session,
        [statement],
        caller=user_caller(user, settings.base_url),
        version=XapiVersion.V1_0_3,
        hooks=hooks,
        limits=StoreLimits(max_statements=1),
    )
    return ok(StatementId(id=ids[0]))


@router.get("/statements", response_model=Envelope[StatementList])
def get_statements(
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    hooks: StatementHooksDep,
    actor_id: Annotated[str | None, Query(alias="actorId")] = None,
    verb_id: Annotated[str | None, Query(alias="verbId")] = None,
    object_id: Annotated[str | None, Query(alias="objectId")] = None,
    since: str | None = None,
    until: str | None = None,
    limit: Annotated[int | None, Query(ge=1)] = None,
) -> Envelope[StatementList]:
    statements = query_reference(
        session,
        user_caller(user, settings.base_url),
        hooks,
        actor_id=actor_id,
        verb_id=verb_id,
        object_id=object_id,
        since=_parse_time("since", since),
        until=_parse_time("until", until),
        limit=limit,
    )
    return ok(StatementList(statements=statements))
