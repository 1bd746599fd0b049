"""The conformant LRS: ``/xapi/statements`` (PUT, POST, GET, HEAD) and ``/xapi/about``.

Errors under ``/xapi`` are plain text (learnloop.errors); every response carries
``X-Experience-API-Version`` (versions.XapiVersionHeaderMiddleware).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from learnloop.deps import SessionDep, SettingsDep
from learnloop.errors import BadRequest
from learnloop.storage import FileStorage
from learnloop.xapi import queries
from learnloop.xapi.attachments import StatementRequest
from learnloop.xapi.dependencies import StatementHooksDep, StatementWriteDep, XapiCallerDep
from learnloop.xapi.parameters import (
    ListRequest,
    SingleRequest,
    StatementFormat,
    parse_get,
    reject_unknown,
)
from learnloop.xapi.responses import apply_format, json_response, lrs_headers
from learnloop.xapi.statement_attachments import (
    accept_statement_attachments,
    multipart_statements_response,
    read_statement_body,
)
from learnloop.xapi.statement_shapes import activity_ids
from learnloop.xapi.statements import StoreLimits, store_statements
from learnloop.xapi.versions import SUPPORTED_VERSIONS

router = APIRouter(prefix="/xapi", tags=["xAPI LRS"])


def commit_in_handler(session: Session) -> None:
    """Commit the statement writes in the handler's own thread, before the response.

    The request still owns the transaction (``deps.get_session`` rolls back on error and
    has nothing left to commit after this), and an acknowledged statement is committed
    before its acknowledgement is sent. Committing here instead of in the dependency's
    commit thread ends the transaction without a hop back to the event loop and on to
    another thread: on SQLite the write lock, taken by the first query of the batch, is
    held only while this thread stores it, not while the other requests on the loop
    delay the hand-over (statement POSTs from 16 clients queued on it).
    """
    session.commit()


def _statement_body(request: Request, body: bytes) -> StatementRequest:
    """``application/json`` or ``multipart/mixed`` with attachment parts
    (xAPI-Communication 1.5); anything else is a 400."""
    return read_statement_body(request.headers.get("content-type"), body)


def _definitions_for(
    session: Session, documents: Sequence[dict[str, Any]], statement_format: StatementFormat
) -> dict[str, Any]:
    if statement_format is not StatementFormat.CANONICAL:
        return {}
    ids = set().union(*(activity_ids(document) for document in documents))
    return queries.canonical_definitions(session, ids)


def _multipart_with(
    request: Request, statements: Sequence[dict[str, Any]], wanted: bool
) -> Callable[[bytes], tuple[bytes, str]] | None:
    if not wanted:
        return None
    storage: FileStorage = request.app.state.storage
    return lambda payload: multipart_statements_response(storage, statements, payload)


def _accept_with(
    request: Request, parsed: StatementRequest
) -> Callable[[Sequence[dict[str, Any]]], None]:
    storage: FileStorage = request.app.state.storage

    def accept(statements: Sequence[dict[str, Any]]) -> None:
        accept_statement_attachments(storage, statements, parsed)

    return accept


@router.put("/statements", status_code=204)
def put_statement(request: Request, write: StatementWriteDep) -> Response:
    """xAPI-Communication 2.1.1: store one statement under ``statementId``."""
    session, settings = write.session, write.settings
    reject_unknown(request.query_params, frozenset({"statementId"}))
    statement_id = request.query_params.get("statementId")
    if not statement_id:
        raise BadRequest("PUT /xapi/statements needs the statementId parameter")
    parsed = _statement_body(request, write.body)
    statement = parsed.payload
    if not isinstance(statement, dict):
        raise BadRequest("PUT /xapi/statements takes one statement object")
    if "id" in statement and str(statement["id"]).lower() != statement_id.lower():
        raise BadRequest(
            f"The statement's id {statement['id']} does not match statementId {statement_id}"
        )
    statement = {**statement, "id": statement.get("id", statement_id)}
    store_statements(
        session,
        [statement],
        caller=write.caller,
        version=write.version,
        hooks=write.hooks,
        limits=StoreLimits(max_statements=settings.xapi_max_batch_statements),
        accept_received=_accept_with(request, parsed),
    )
    commit_in_handler(session)
    return Response(status_code=204, headers=lrs_headers(settings.xapi_consistency_margin_seconds))


@router.post("/statements")
def post_statements(request: Request, write: StatementWriteDep) -> Response:
    """xAPI-Communication 2.1.2: store one statement or an array; answer their ids."""
    session, settings = write.session, write.settings
    reject_unknown(request.query_params, frozenset())
    parsed = _statement_body(request, write.body)
    payload = parsed.payload
    if isinstance(payload, dict):
        statements: list[Any] = [payload]
    elif isinstance(payload, list):
        statements = payload
    else:
        raise BadRequest("POST /xapi/statements takes a statement object or an array of them")
    ids = store_statements(
        session,
        statements,
        caller=write.caller,
        version=write.version,
        hooks=write.hooks,
        limits=StoreLimits(max_statements=settings.xapi_max_batch_statements),
        accept_received=_accept_with(request, parsed),
    )
    commit_in_handler(session)
    return json_response(ids, headers=lrs_headers(settings.xapi_consistency_margin_seconds))


@router.api_route("/statements", methods=["GET", "HEAD"])
def get_statements(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    caller: XapiCallerDep,
    hooks: StatementHooksDep,
) -> Response:
    """xAPI-Communication 2.1.3: one statement by id, or a StatementResult."""
    head = request.method == "HEAD"
    margin = settings.xapi_consistency_margin_seconds
    scope = caller.read_scope(session, hooks)
    accept_language = request.headers.get("accept-language")
    params = request.query_params
    if "more" in params:
        reject_unknown(params, frozenset({"more"}))
        statement_filter, cursor, extra = queries.decode_more(params["more"])
        parsed: SingleRequest | ListRequest = parse_get(
            extra,
            default_limit=settings.xapi_default_page_size,
            max_limit=settings.xapi_max_page_size,
        )
        if not isinstance(parsed, ListRequest):
            raise BadRequest("The 'more' link is not valid")
        request_list = ListRequest(
            statement_filter, parsed.limit, parsed.format, parsed.attachments
        )
    else:
        parsed = parse_get(
            params,
            default_limit=settings.xapi_default_page_size,
            max_limit=settings.xapi_max_page_size,
        )
        cursor = None
        if isinstance(parsed, SingleRequest):
            document, stored = queries.get_statement(
                session, parsed.statement_id, voided=parsed.voided, scope=scope
            )
            definitions = _definitions_for(session, [document], parsed.format)
            return json_response(
                apply_format(document, parsed.format, accept_language, definitions),
                headers=lrs_headers(margin, stored),
                multipart=_multipart_with(request, [document], parsed.attachments),
                head=head,
            )
        request_list = parsed

    page = queries.query_statements(
        session, request_list.statement_filter, limit=request_list.limit, scope=scope, cursor=cursor
    )
    definitions = _definitions_for(session, page.documents, request_list.format)
    result: dict[str, Any] = {
        "statements": [
            apply_format(document, request_list.format, accept_language, definitions)
            for document in page.documents
        ],
        "more": "",
    }
    if page.next_cursor is not None:
        extra = {"limit": str(request_list.limit), "format": request_list.format.value}
        if request_list.attachments:
            extra["attachments"] = "true"
        token = queries.encode_more(request_list.statement_filter, page.next_cursor, extra)
        result["more"] = f"{request.scope.get('root_path', '')}/xapi/statements?more={token}"
    return json_response(
        result,
        headers=lrs_headers(margin, page.last_stored),
        multipart=_multipart_with(request, page.documents, request_list.attachments),
        head=head,
    )


@router.api_route("/about", methods=["GET", "HEAD"])
def about() -> Response:
    """xAPI-Communication 2.8: unauthenticated, no version header required."""
    return json_response(
        {"version": [v.value for v in SUPPORTED_VERSIONS], "extensions": {}}, headers={}
    )
