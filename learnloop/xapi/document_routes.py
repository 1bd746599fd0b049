"""The Document Resources (xAPI-Communication 2.2): ``/xapi/activities/state`` (2.3),
``/xapi/agents/profile`` (2.6) and ``/xapi/activities/profile`` (2.7).

Handlers parse and check the parameters, check who may touch which documents, and call one
service of :mod:`learnloop.xapi.document_store`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Any

import orjson
from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from learnloop.auth.models import Role
from learnloop.deps import SessionDep
from learnloop.errors import NotFound
from learnloop.xapi import document_store
from learnloop.xapi.agents import agent_key
from learnloop.xapi.callers import XapiCaller
from learnloop.xapi.dependencies import RawBody, StatementHooksDep, XapiCallerDep, XapiVersionDep
from learnloop.xapi.document_models import DOCUMENT_ID_LENGTH
from learnloop.xapi.document_store import (
    DocumentContext,
    DocumentResource,
    Preconditions,
    StoredDocument,
)
from learnloop.xapi.errors import InsufficientScope, InvalidParameter, InvalidStatement
from learnloop.xapi.hooks import StatementHooks
from learnloop.xapi.validation_agents import check_agent
from learnloop.xapi.validation_primitives import check_iri, check_timestamp, check_uuid
from learnloop.xapi.versions import XapiVersion

router = APIRouter(prefix="/xapi", tags=["xAPI LRS documents"])

# xAPI-Communication 4.2 scopes: "state" and "profile" read/write those documents,
# "all/read" reads everything, "all" does everything.
READ_SCOPES = {
    DocumentResource.STATE: frozenset({"state", "all", "all/read"}),
    DocumentResource.ACTIVITY_PROFILE: frozenset({"profile", "all", "all/read"}),
    DocumentResource.AGENT_PROFILE: frozenset({"profile", "all", "all/read"}),
}
WRITE_SCOPES = {
    DocumentResource.STATE: frozenset({"state", "all"}),
    DocumentResource.ACTIVITY_PROFILE: frozenset({"profile", "all"}),
    DocumentResource.AGENT_PROFILE: frozenset({"profile", "all"}),
}
DOCUMENT_ID_PARAMETER = {
    DocumentResource.STATE: "stateId",
    DocumentResource.ACTIVITY_PROFILE: "profileId",
    DocumentResource.AGENT_PROFILE: "profileId",
}
CONTEXT_PARAMETERS = {
    DocumentResource.STATE: ("activityId", "agent", "registration"),
    DocumentResource.ACTIVITY_PROFILE: ("activityId",),
    DocumentResource.AGENT_PROFILE: ("agent",),
}
REQUIRED_CONTEXT_PARAMETERS = {
    DocumentResource.STATE: ("activityId", "agent"),
    DocumentResource.ACTIVITY_PROFILE: ("activityId",),
    DocumentResource.AGENT_PROFILE: ("agent",),
}


@dataclass(frozen=True)
class DocumentRequest:
    context: DocumentContext
    document_id: str | None
    since: datetime | None


def _parameter_error(name: str, error: InvalidStatement) -> InvalidParameter:
    # xAPI-Data 2.2: parameters are validated like the same values in statements.
    return InvalidParameter(f"Parameter {name!r}: {error.message.split(': ', 1)[-1]}")


def parse_document_agent(value: str) -> str:
    """The ``agent`` parameter: an Agent object as JSON (Communication 2.3, 2.6), matched by
    its identifier, not by its JSON text."""
    try:
        agent: Any = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise InvalidParameter("Parameter 'agent' must be an Agent object as JSON") from exc
    try:
        check_agent(agent, "agent")
    except InvalidStatement as exc:
        raise _parameter_error("agent", exc) from exc
    key = agent_key(agent)
    if key is None:  # pragma: no cover - check_agent requires an identifier
        raise InvalidParameter("Parameter 'agent' must carry an identifier")
    return key


def parse_document_request(
    resource: DocumentResource,
    params: Mapping[str, str],
    method: str,
) -> DocumentRequest:
    id_name = DOCUMENT_ID_PARAMETER[resource]
    allowed = {*CONTEXT_PARAMETERS[resource], id_name}
    if method in ("GET", "HEAD"):
        allowed.add("since")
    for name in params:
        if name not in allowed:
            raise InvalidParameter(f"Unknown parameter {name!r} for {method} on this resource")
    for name in REQUIRED_CONTEXT_PARAMETERS[resource]:
        if not params.get(name):
            raise InvalidParameter(f"Parameter {name!r} is required")
    document_id = params.get(id_name)
    if document_id == "":
        raise InvalidParameter(f"Parameter {id_name!r} must not be empty")
    if document_id is not None and len(document_id) > DOCUMENT_ID_LENGTH:
        # The column's length; longer ids were a 500 on PostgreSQL (issue 12 item 12).
        raise InvalidParameter(
            f"Parameter {id_name!r} may be at most {DOCUMENT_ID_LENGTH} characters"
        )
    multiple_allowed = method in ("GET", "HEAD") or (
        method == "DELETE" and resource is DocumentResource.STATE
    )
    if document_id is None and not multiple_allowed:
        raise InvalidParameter(f"Parameter {id_name!r} is required for {method}")
    activity_id = ""
    if "activityId" in params:
        try:
            activity_id = check_iri(params["activityId"], "activityId")
        except InvalidStatement as exc:
            raise _parameter_error("activityId", exc) from exc
    key = parse_document_agent(params["agent"]) if "agent" in params else ""
    registration = ""
    if "registration" in params:
        try:
            registration = check_uuid(params["registration"], "registration").lower()
        except InvalidStatement as exc:
            raise _parameter_error("registration", exc) from exc
    since = None
    if "since" in params:
        try:
            since = check_timestamp(params["since"], "since")
        except InvalidStatement as exc:
            raise _parameter_error("since", exc) from exc
    context = DocumentContext(
        resource, activity_id=activity_id, agent_key=key, registration=registration
    )
    return DocumentRequest(context=context, document_id=document_id, since=since)


def check_access(
    caller: XapiCaller,
    context: DocumentContext,
    *,
    write: bool,
    owned_activities: Callable[[], Collection[str]] = tuple,
) -> None:
    """LRS clients by scope; LearnLoop users by who they are: a learner or teacher reads and
    writes only their own state and agent profiles (state is per agent, xAPI-Communication
    2.3, so another teacher's learners' state is never theirs), and a teacher changes only
    the activity profiles of activities they own (``owned_activities``: their hosted
    content; a profile describes the activity to everyone, issue 12 item 13). Admins may
    do everything."""
    if caller.user_id is not None:
        if caller.role == Role.ADMIN.value:
            return
        if context.resource is DocumentResource.ACTIVITY_PROFILE:
            if write and caller.role != Role.TEACHER.value:
                raise InsufficientScope("Only teachers may change activity profiles")
            if write and context.activity_id not in owned_activities():
                raise InsufficientScope(
                    "Teachers may change the activity profiles of their own content only"
                )
            return
        if context.agent_key not in caller.own_actor_keys:
            raise InsufficientScope("These documents belong to another agent")
        return
    needed = (WRITE_SCOPES if write else READ_SCOPES)[context.resource]
    if not caller.scopes & needed:
        action = "change" if write else "read"
        raise InsufficientScope(f"These credentials may not {action} these documents (scope)")


def _http_date(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


def _document_response(document: StoredDocument, *, head: bool) -> Response:
    headers = {
        # Set directly so the stored content type is returned exactly (no charset added).
        "Content-Type": document.content_type,
        "ETag": f'"{document.etag}"',
        "Last-Modified": _http_date(document.updated),
    }
    if head:
        headers["Content-Length"] = str(len(document.content))
        return Response(status_code=200, headers=headers)
    return Response(document.content, status_code=200, headers=headers)


def _ids_response(ids: list[str], last_modified: datetime | None, *, head: bool) -> Response:
    payload = orjson.dumps(ids)
    headers = {"ETag": f'"{document_store.content_etag(payload)}"'}
    if last_modified is not None:
        headers["Last-Modified"] = _http_date(last_modified)
    if head:
        headers["Content-Length"] = str(len(payload))
        return Response(status_code=200, headers=headers, media_type="application/json")
    return Response(payload, status_code=200, headers=headers, media_type="application/json")


# The stored Content-Type column's length; a longer header was a 500 on PostgreSQL.
MAX_CONTENT_TYPE_LENGTH = 255


def _document_content_type(request: Request) -> str | None:
    content_type = request.headers.get("content-type")
    if content_type is not None and len(content_type) > MAX_CONTENT_TYPE_LENGTH:
        raise InvalidParameter(f"Content-Type may be at most {MAX_CONTENT_TYPE_LENGTH} characters")
    return content_type


def _preconditions(request: Request) -> Preconditions:
    return Preconditions(
        if_match=request.headers.get("if-match"),
        if_none_match=request.headers.get("if-none-match"),
    )


def _requires_precondition(resource: DocumentResource, version: XapiVersion) -> bool:
    # Communication 3.1 (1.0.3): "The State Resource will permit PUT, POST and DELETE
    # requests without concurrency headers"; the 409 rule applies to the profile resources.
    # xAPI 2.0 (IEEE 9274.1.1, 4.1.4) applies it to the State Resource as well, and the ADL
    # conformance suite for 2.0 checks it there. A profile PUT without either header is a
    # 400 when there is nothing to conflict with (the ADL 1.0.3 suite checks that).
    return resource is not DocumentResource.STATE or version.is_2


def _get(
    resource: DocumentResource, request: Request, session: SessionDep, caller: XapiCaller
) -> Response:
    parsed = parse_document_request(resource, request.query_params, request.method)
    check_access(caller, parsed.context, write=False)
    head = request.method == "HEAD"
    if parsed.document_id is not None:
        document = document_store.get_document(session, parsed.context, parsed.document_id)
        if document is None:
            raise NotFound("No document with that id in this context")
        return _document_response(document, head=head)
    listing = document_store.list_document_ids(session, parsed.context, parsed.since)
    return _ids_response(listing.ids, listing.last_modified, head=head)


def _owned_activities(
    session: Session, caller: XapiCaller, hooks: StatementHooks
) -> Callable[[], Collection[str]]:
    def owned() -> Collection[str]:
        if caller.user_id is None:
            return ()
        return set(hooks.teacher_activities(session, caller.user_id))

    return owned


def _put(
    resource: DocumentResource,
    request: Request,
    session: SessionDep,
    caller: XapiCaller,
    version: XapiVersion,
    body: bytes,
    owned: Callable[[], Collection[str]],
) -> Response:
    parsed = parse_document_request(resource, request.query_params, "PUT")
    check_access(caller, parsed.context, write=True, owned_activities=owned)
    assert parsed.document_id is not None
    document_store.put_document(
        session,
        parsed.context,
        parsed.document_id,
        body,
        _document_content_type(request),
        _preconditions(request),
        require_precondition=_requires_precondition(resource, version),
        precondition_required_to_create=resource is not DocumentResource.STATE,
    )
    return Response(status_code=204)


def _post(
    resource: DocumentResource,
    request: Request,
    session: SessionDep,
    caller: XapiCaller,
    body: bytes,
    owned: Callable[[], Collection[str]],
) -> Response:
    parsed = parse_document_request(resource, request.query_params, "POST")
    check_access(caller, parsed.context, write=True, owned_activities=owned)
    assert parsed.document_id is not None
    document_store.post_document(
        session,
        parsed.context,
        parsed.document_id,
        body,
        _document_content_type(request),
        _preconditions(request),
    )
    return Response(status_code=204)


def _delete(
    resource: DocumentResource,
    request: Request,
    session: SessionDep,
    caller: XapiCaller,
    owned: Callable[[], Collection[str]],
) -> Response:
    parsed = parse_document_request(resource, request.query_params, "DELETE")
    check_access(caller, parsed.context, write=True, owned_activities=owned)
    if parsed.document_id is None:
        document_store.delete_documents(session, parsed.context)
    else:
        document_store.delete_document(
            session, parsed.context, parsed.document_id, _preconditions(request)
        )
    return Response(status_code=204)


DOCUMENT_PATHS = {
    DocumentResource.STATE: "/activities/state",
    DocumentResource.ACTIVITY_PROFILE: "/activities/profile",
    DocumentResource.AGENT_PROFILE: "/agents/profile",
}


def _register_document_routes(resource: DocumentResource, path: str) -> None:
    """The same four handlers serve each of the three document resources
    (xAPI Communication 2.3, 2.6, 2.7 share their request and response rules)."""

    def get_document(
        request: Request, session: SessionDep, caller: XapiCallerDep, _version: XapiVersionDep
    ) -> Response:
        return _get(resource, request, session, caller)

    def put_document(
        request: Request,
        session: SessionDep,
        caller: XapiCallerDep,
        version: XapiVersionDep,
        hooks: StatementHooksDep,
        body: RawBody,
    ) -> Response:
        owned = _owned_activities(session, caller, hooks)
        return _put(resource, request, session, caller, version, body, owned)

    def post_document(
        request: Request,
        session: SessionDep,
        caller: XapiCallerDep,
        _version: XapiVersionDep,
        hooks: StatementHooksDep,
        body: RawBody,
    ) -> Response:
        owned = _owned_activities(session, caller, hooks)
        return _post(resource, request, session, caller, body, owned)

    def delete_document(
        request: Request,
        session: SessionDep,
        caller: XapiCallerDep,
        _version: XapiVersionDep,
        hooks: StatementHooksDep,
    ) -> Response:
        owned = _owned_activities(session, caller, hooks)
        return _delete(resource, request, session, caller, owned)

    name = resource.name.lower()
    router.add_api_route(path, get_document, methods=["GET", "HEAD"], name=f"get_{name}")
    router.add_api_route(path, put_document, methods=["PUT"], status_code=204, name=f"put_{name}")
    router.add_api_route(
        path, post_document, methods=["POST"], status_code=204, name=f"post_{name}"
    )
    router.add_api_route(
        path, delete_document, methods=["DELETE"], status_code=204, name=f"delete_{name}"
    )


for _resource, _path in DOCUMENT_PATHS.items():
    _register_document_routes(_resource, _path)
