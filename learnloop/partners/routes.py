"""Partner-facing endpoints: ``POST /oauth/token``, the Track API and the partner
Statements API (../spec/partner-track-and-statements-api.txt)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any
from urllib.parse import parse_qs, unquote_plus

import orjson
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from learnloop.config import Settings
from learnloop.deps import SessionDep, SettingsDep
from learnloop.errors import BadRequest
from learnloop.partners import statements as partner_statements
from learnloop.partners import track as track_service
from learnloop.partners.dependencies import (
    OrganizationCallerDep,
    PartnerCallerDep,
    PartnerIngestDep,
)
from learnloop.partners.errors import OAuthError, TrackFieldError, TrackUserUnknown
from learnloop.partners.ingest import PartnerIngest
from learnloop.partners.oauth import PartnerCaller, issue_token
from learnloop.partners.track import parse_track_event, record_track_event
from learnloop.xapi.dependencies import RawBody
from learnloop.xapi.versions import VERSION_HEADER, parse_version_header

router = APIRouter(tags=["partners"])

# RFC 6749 §5.1: token responses must not be cached.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
FORM_TYPE = "application/x-www-form-urlencoded"


async def _token_form(request: Request) -> dict[str, str]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM_TYPE:
        return {"__content_type__": content_type}
    body = (await request.body()).decode("utf-8", errors="replace")
    fields: dict[str, str] = {}
    for name, values in parse_qs(body, keep_blank_values=True).items():
        if len(values) > 1:
            # RFC 6749 §3.2: "Request and response parameters MUST NOT be included more
            # than once."
            fields["__repeated__"] = name
        fields[name] = values[0]
    return fields


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str, bool]:
    """RFC 6749 §2.3.1: HTTP Basic (form-encoded id and secret) or the form fields, not
    both. Returns the id, the secret and whether Basic was used."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        if "client_secret" in form:
            raise OAuthError("invalid_request", "Send the client credentials one way only")
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise OAuthError(
                "invalid_client", "Malformed Basic credentials", status_code=401
            ) from exc
        client_id, _, secret = decoded.partition(":")
        return unquote_plus(client_id), unquote_plus(secret), True
    return form.get("client_id", ""), form.get("client_secret", ""), False


def _oauth_error(error: OAuthError, basic: bool) -> JSONResponse:
    headers = dict(NO_STORE)
    if error.status_code == 401:
        # RFC 6749 §5.2: 401 with the scheme the client used.
        scheme = "Basic" if basic else "Bearer"
        headers["WWW-Authenticate"] = f'{scheme} realm="LearnLoop partners"'
    return JSONResponse(error.body(), status_code=error.status_code, headers=headers)


@router.post("/oauth/token")
def token(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    form: Annotated[dict[str, str], Depends(_token_form)],
) -> Response:
    """OAuth2 client credentials grant (RFC 6749 §4.4)."""
    basic = False
    try:
        if "__content_type__" in form:
            raise OAuthError(
                "invalid_request", f"The token request must be {FORM_TYPE} (RFC 6749 §4.4.2)"
            )
        if "__repeated__" in form:
            raise OAuthError("invalid_request", f"Parameter {form['__repeated__']} is repeated")
        client_id, secret, basic = _client_credentials(request, form)
        issued = issue_token(
            session,
            grant_type=form.get("grant_type"),
            client_id=client_id,
            client_secret=secret,
            scope=form.get("scope"),
            ttl_seconds=settings.partner_token_ttl_seconds,
        )
    except OAuthError as error:
        return _oauth_error(error, basic)
    return JSONResponse(issued.body(), headers=NO_STORE)


def _json_body(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise TrackFieldError("body", f"is not valid JSON ({exc})") from exc


def _track(session: Session, caller: PartnerCaller, ingest: PartnerIngest, body: bytes) -> Response:
    event = parse_track_event(_json_body(body))
    outcome = record_track_event(session, caller, ingest, event)
    progress = outcome.progress
    return JSONResponse(
        {
            "id": outcome.statement_id,
            "user": outcome.user_id,
            "content_id": event.content_id,
            "status": event.status,
            "progress": {
                "status": progress.status,
                "completion_percentage": progress.completion_percentage,
                "duration_spent": progress.duration_seconds,
                "completed": progress.completed_at is not None,
            },
        },
        status_code=201,
    )


@router.post("/v1/partners/{partnerName}/track", status_code=201)
def track(
    session: SessionDep, caller: PartnerCallerDep, ingest: PartnerIngestDep, body: RawBody
) -> Response:
    """Track API: one learner event, stored as an xAPI statement (docs/partners.md)."""
    return _track(session, caller, ingest, body)


@router.post("/v1/partners/{partnerName}/organizations/{orgId}/track", status_code=201)
def track_for_organization(
    session: SessionDep, caller: OrganizationCallerDep, ingest: PartnerIngestDep, body: RawBody
) -> Response:
    return _track(session, caller, ingest, body)


@router.post("/v1/partners/{partnerName}/catalog")
def register_catalog_item(
    session: SessionDep, settings: SettingsDep, caller: PartnerCallerDep, body: RawBody
) -> Response:
    """The optional catalog call: ``{"content_id", "title"}`` names a content item (201
    when new, 200 when its title changed), so Track statements carry its title."""
    item, created = track_service.register_catalog_item(
        session, caller, settings.base_url, _json_body(body)
    )
    return JSONResponse(
        {"content_id": item.content_id, "title": item.title, "activity_id": item.activity_id},
        status_code=201 if created else 200,
    )


def _push(
    request: Request, session: Session, caller: PartnerCaller, ingest: PartnerIngest, body: bytes
) -> Response:
    version = parse_version_header(request.headers.get(VERSION_HEADER))
    statements = partner_statements.parse_statements_body(body)
    result = partner_statements.push_statements(session, caller, ingest, statements, version)
    return JSONResponse(result.body, status_code=result.status_code)


@router.post("/v1/partners/{partnerName}/statements")
def push_statements(
    request: Request,
    session: SessionDep,
    caller: PartnerCallerDep,
    ingest: PartnerIngestDep,
    body: RawBody,
) -> Response:
    """One statement or an array; each stored on its own: 200 all, 207 some, 400 none."""
    return _push(request, session, caller, ingest, body)


@router.post("/v1/partners/{partnerName}/organizations/{orgId}/statements")
def push_statements_for_organization(
    request: Request,
    session: SessionDep,
    caller: OrganizationCallerDep,
    ingest: PartnerIngestDep,
    body: RawBody,
) -> Response:
    return _push(request, session, caller, ingest, body)


def _read(
    request: Request, session: Session, settings: Settings, caller: PartnerCaller
) -> Response:
    params = request.query_params
    unknown = set(params) - {"since", "until", "limit", "more"}
    if unknown:
        raise BadRequest(f"Unknown parameter(s): {', '.join(sorted(unknown))}")
    limit_text = params.get("limit", str(settings.xapi_default_page_size))
    if not limit_text.isdigit():
        raise BadRequest("limit must be a non-negative integer")
    limit = int(limit_text) or settings.xapi_max_page_size
    limit = min(limit, settings.xapi_max_page_size)
    result = partner_statements.read_statements(
        session,
        caller,
        base_url=settings.base_url,
        path=request.url.path,
        since=params.get("since"),
        until=params.get("until"),
        limit=limit,
        max_limit=settings.xapi_max_page_size,
        more=params.get("more"),
    )
    return Response(orjson.dumps(result), media_type="application/json")


@router.get("/v1/partners/{partnerName}/statements")
def read_statements(
    request: Request, session: SessionDep, settings: SettingsDep, caller: PartnerCallerDep
) -> Response:
    """The statements this partner sent, newest first; ``since``, ``until``, ``limit``,
    ``more`` as in xAPI-Communication 2.1.3."""
    return _read(request, session, settings, caller)


@router.get("/v1/partners/{partnerName}/organizations/{orgId}/statements")
def read_statements_for_organization(
    request: Request, session: SessionDep, settings: SettingsDep, caller: OrganizationCallerDep
) -> Response:
    return _read(request, session, settings, caller)


def install_partner_error_handlers(app: FastAPI) -> None:
    """Track API errors name the offending field: ``{"success": false, "error", "field"}``."""

    async def _field_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, TrackFieldError | TrackUserUnknown)
        return JSONResponse(
            {"success": False, "error": exc.message, "field": exc.details.get("field")},
            status_code=exc.status_code,
            headers=exc.headers,
        )

    app.add_exception_handler(TrackFieldError, _field_error)
    app.add_exception_handler(TrackUserUnknown, _field_error)
