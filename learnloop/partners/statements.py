"""The partner Statements API: xAPI statements pushed by a partner, each stored on its own
(207 Multi-Status when some are refused), and read back by the partner that sent them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.orm import Session

from learnloop.errors import BadRequest, PayloadTooLarge
from learnloop.partners.ingest import STORED, PartnerIngest, StatementOutcome
from learnloop.partners.oauth import PartnerCaller, partner_authority
from learnloop.xapi import queries
from learnloop.xapi.agents import agent_key
from learnloop.xapi.callers import ReadScope
from learnloop.xapi.validation_primitives import parse_timestamp
from learnloop.xapi.versions import XapiVersion

MULTI_STATUS = 207


@dataclass(frozen=True)
class PushResult:
    status_code: int
    body: dict[str, Any]


def parse_statements_body(body: bytes) -> list[Any]:
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"The body is not valid JSON: {exc}") from exc
    if isinstance(payload, dict):
        return [payload]
    if isinstance(payload, list):
        if not payload:
            raise BadRequest("The request holds no statement")
        return payload
    raise BadRequest("Send one statement object or an array of them")


def push_statements(
    session: Session,
    caller: PartnerCaller,
    ingest: PartnerIngest,
    statements: list[Any],
    version: XapiVersion,
) -> PushResult:
    """200 when every statement is stored, 207 when some are, 400 when none is.

    The body lists an outcome per statement in request order:
    ``{"index", "id", "status"[, "error"]}`` with status 200 (stored, or already stored
    with the same content), 400 (invalid), 403, 409 (another statement has the id) or
    413 (over the size limit)."""
    caller.require("statements:write")
    if len(statements) > ingest.max_batch:
        raise PayloadTooLarge(
            f"A request may hold at most {ingest.max_batch} statements, "
            f"this one has {len(statements)}"
        )
    outcomes = ingest.store_each(session, caller, statements, version)
    stored = sum(1 for outcome in outcomes if outcome.status == STORED)
    body: dict[str, Any] = {
        "stored": stored,
        "failed": len(outcomes) - stored,
        "results": [outcome.body() for outcome in outcomes],
    }
    if stored == len(outcomes):
        return PushResult(200, body)
    if stored == 0:
        return PushResult(400, {"success": False, "error": _first_error(outcomes), **body})
    return PushResult(MULTI_STATUS, body)


def _first_error(outcomes: list[StatementOutcome]) -> str:
    errors = [outcome.error for outcome in outcomes if outcome.error]
    return "No statement of the request was stored: " + (errors[0] if errors else "invalid")


def _timestamp(name: str, value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = parse_timestamp(value)
    if parsed is None:
        raise BadRequest(f"{name}: {value!r} is not an ISO 8601 timestamp")
    return parsed


def read_statements(
    session: Session,
    caller: PartnerCaller,
    *,
    base_url: str,
    path: str,
    since: str | None,
    until: str | None,
    limit: int,
    max_limit: int,
    more: str | None,
) -> dict[str, Any]:
    """The statements this partner (or organization) sent, newest first, in pages; the
    ``more`` link continues where the page ended (xAPI-Communication 2.1.3 paging)."""
    caller.require("statements:read")
    authority = partner_authority(base_url, caller.partner_name, caller.org_id)
    scope = ReadScope(authority_key=agent_key(authority))
    if more is not None:
        statement_filter, cursor, extra = queries.decode_more(more)
        # The link is the client's to send back, so its limit is checked like a parameter.
        kept = extra.get("limit")
        if isinstance(kept, int) and 0 < kept <= max_limit:
            limit = kept
    else:
        statement_filter = queries.StatementFilter(
            since=_timestamp("since", since), until=_timestamp("until", until)
        )
        cursor = None
    page = queries.query_statements(
        session, statement_filter, limit=limit, scope=scope, cursor=cursor
    )
    more_link = ""
    if page.next_cursor is not None:
        token = queries.encode_more(statement_filter, page.next_cursor, {"limit": limit})
        more_link = f"{path}?more={token}"
    return {"statements": page.documents, "more": more_link}
