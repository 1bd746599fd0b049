"""``GET /xapi/activities`` (xAPI-Communication 2.5) and ``GET /xapi/agents`` (2.4)."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request, Response

from learnloop.deps import SessionDep, SettingsDep
from learnloop.xapi.activity_definitions import canonical_activity
from learnloop.xapi.callers import XapiCaller
from learnloop.xapi.dependencies import XapiCallerDep, XapiVersionDep
from learnloop.xapi.errors import InsufficientScope, InvalidParameter, InvalidStatement
from learnloop.xapi.person import person_for
from learnloop.xapi.validation_agents import check_agent
from learnloop.xapi.validation_primitives import check_iri

router = APIRouter(prefix="/xapi", tags=["xAPI LRS"])


def _only(request: Request, name: str) -> str:
    for key in request.query_params:
        if key != name:
            raise InvalidParameter(f"Unknown parameter {key!r} for this resource")
    value = request.query_params.get(name)
    if not value:
        raise InvalidParameter(f"Parameter {name!r} is required")
    return value


def _json(body: Any, *, head: bool) -> Response:
    payload = orjson.dumps(body)
    if head:
        return Response(
            status_code=200,
            headers={"Content-Length": str(len(payload))},
            media_type="application/json",
        )
    return Response(payload, media_type="application/json")


# xAPI-Communication 4.2: the read scopes. A client that may only write (statements/write,
# state, define, profile) reads nothing here (issue 12 item 13).
RESOURCE_READ_SCOPES = frozenset({"statements/read", "statements/read/mine", "all/read", "all"})


def require_read_scope(caller: XapiCaller) -> None:
    if caller.user_id is None and not caller.scopes & RESOURCE_READ_SCOPES:
        raise InsufficientScope("These credentials may not read (scope)")


@router.api_route("/activities", methods=["GET", "HEAD"])
def get_activity(
    request: Request, session: SessionDep, caller: XapiCallerDep, _version: XapiVersionDep
) -> Response:
    """Callers with a read scope, and signed-in users, may read Activity definitions: they
    describe content, not learners."""
    require_read_scope(caller)
    activity_id = _only(request, "activityId")
    try:
        check_iri(activity_id, "activityId")
    except InvalidStatement as exc:
        raise InvalidParameter(f"Parameter {exc.message}") from exc
    return _json(canonical_activity(session, activity_id), head=request.method == "HEAD")


@router.api_route("/agents", methods=["GET", "HEAD"])
def get_person(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    caller: XapiCallerDep,
    _version: XapiVersionDep,
) -> Response:
    require_read_scope(caller)
    raw = _only(request, "agent")
    try:
        agent: Any = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidParameter("Parameter 'agent' must be an Agent object as JSON") from exc
    try:
        # Communication 2.4: "a normal Agent Object with a single identifier ... not a Group".
        check_agent(agent, "agent")
    except InvalidStatement as exc:
        raise InvalidParameter(f"Parameter {exc.message}") from exc
    person = person_for(session, agent, caller, settings.base_url)
    return _json(person, head=request.method == "HEAD")
