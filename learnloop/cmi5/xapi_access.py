"""AU auth tokens on the conformant LRS (``/xapi/``).

``authenticate_au_token`` is registered with the LRS as a Basic authenticator
(``app.state.xapi_basic_authenticators`` in ``main.py``): Basic credentials whose key is a
cmi5 auth key become an AU caller bound to one session, after the document limits of
``au_auth.may_use_document`` are applied to the request; every other credential goes to
the LRS's own authentication unchanged.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Request
from sqlalchemy.orm import Session

from learnloop.cmi5.au_auth import (
    AuGrant,
    au_caller,
    authenticate_auth_token,
    is_au_key,
    may_use_document,
)
from learnloop.cmi5.models import SESSION_LAUNCHED, SESSION_PREFERENCES_READ, Cmi5Session
from learnloop.cmi5.vocabulary import LEARNER_PREFERENCES_PROFILE_ID
from learnloop.errors import BadRequest
from learnloop.xapi.agents import agent_key
from learnloop.xapi.callers import XapiCaller
from learnloop.xapi.dependencies import basic_challenge
from learnloop.xapi.errors import InsufficientScope, InvalidLrsCredentials

_AGENT_PROFILE_PATH = "/xapi/agents/profile"
_DOCUMENT_PATHS = {
    "/xapi/activities/state": ("state", "stateId"),
    _AGENT_PROFILE_PATH: ("agent_profile", "profileId"),
    "/xapi/activities/profile": ("activity_profile", "profileId"),
}
_WRITE_METHODS = frozenset({"PUT", "POST", "DELETE"})


def _agent_key_parameter(value: str | None) -> str:
    if value is None:
        return ""
    try:
        agent: Any = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise BadRequest("Parameter 'agent' is not JSON") from exc
    return (agent_key(agent) or "") if isinstance(agent, dict) else ""


def enforce_au_document_access(request: Request, grant: AuGrant, session_open: bool) -> None:
    path = request.url.path.rstrip("/")
    target = _DOCUMENT_PATHS.get(path)
    if target is None:
        return
    resource, id_name = target
    params = request.query_params
    if resource in ("state", "agent_profile") and not params.get("agent"):
        # The request is malformed before it is forbidden: xAPI requires the agent, and
        # cmi5 11.0.0.0-1 has the AU name the launch's actor there.
        raise BadRequest("Parameter 'agent' is required (xAPI 2.0 Communication 2.3, 2.4)")
    write = request.method.upper() in _WRITE_METHODS
    if write and not session_open:
        raise InsufficientScope("The cmi5 session has ended; its state can no longer change")
    allowed = may_use_document(
        grant,
        resource=resource,
        activity_id=params.get("activityId", ""),
        agent=_agent_key_parameter(params.get("agent")),
        registration=params.get("registration", "").lower(),
        document_id=params.get(id_name),
        write=write,
    )
    if not allowed:
        raise InsufficientScope(
            "A cmi5 AU may read its LMS.LaunchData, read and write its own state and read "
            "cmi5LearnerPreferences, nothing else (cmi5 10, 11)"
        )


def record_preferences_read(request: Request, session: Session, grant: AuGrant) -> None:
    """Mark the AU session as having retrieved its learner preferences (cmi5 11.0.0.0-3),
    so that its Initialized is accepted (``session_rules``). The LMS writes the document
    at launch (``launch.ensure_learner_preferences``): the read is a 200 and this change
    commits with it; a read answered 404 rolls back and records nothing."""
    if request.method.upper() != "GET" or request.url.path.rstrip("/") != _AGENT_PROFILE_PATH:
        return
    if request.query_params.get("profileId") != LEARNER_PREFERENCES_PROFILE_ID:
        return
    cmi5_session = session.get(Cmi5Session, grant.session_id)
    if cmi5_session is not None and cmi5_session.state == SESSION_LAUNCHED:
        cmi5_session.state = SESSION_PREFERENCES_READ
        session.flush()


def authenticate_au_token(
    request: Request, session: Session, key: str, secret: str
) -> XapiCaller | None:
    """The LRS's Basic authenticator for cmi5 auth tokens (registered in ``main.py``).

    Credentials whose key is not a cmi5 auth key are passed back to the LRS (None).
    """
    if not is_au_key(key):
        return None
    grant = authenticate_auth_token(session, key, secret)
    if grant is None:
        raise InvalidLrsCredentials(
            "Invalid or expired cmi5 auth token", headers=basic_challenge(request)
        )
    enforce_au_document_access(request, grant, grant.session_open)
    record_preferences_read(request, session, grant)
    base_url: str = request.app.state.settings.base_url
    return au_caller(grant, base_url)
