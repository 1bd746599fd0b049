"""Shaping LRS responses: formats, StatementResult, headers, multipart for attachments."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import Any

import orjson
from fastapi import Response

from learnloop.db import utcnow
from learnloop.xapi.parameters import StatementFormat
from learnloop.xapi.statement_shapes import canonical_format, format_timestamp, ids_format

CONSISTENT_THROUGH = "X-Experience-API-Consistent-Through"


def apply_format(
    document: dict[str, Any],
    statement_format: StatementFormat,
    accept_language: str | None,
    definitions: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    if statement_format is StatementFormat.IDS:
        return ids_format(document)
    if statement_format is StatementFormat.CANONICAL:
        return canonical_format(document, accept_language, definitions)
    return document


def lrs_headers(margin_seconds: float, last_modified: datetime | None = None) -> dict[str, str]:
    """xAPI-Communication 2.1.3: Consistent-Through on every Statement Resource response;
    Last-Modified matching the stored time. A statement is visible once its transaction
    commits, which happens before its response is sent; ``margin_seconds`` covers
    transactions still open at this instant."""
    now = utcnow()
    headers = {CONSISTENT_THROUGH: consistent_through(margin_seconds, now)}
    headers["Last-Modified"] = format_datetime(last_modified or now, usegmt=True)
    return headers


def consistent_through(margin_seconds: float, now: datetime | None = None) -> str:
    return format_timestamp((now or utcnow()) - timedelta(seconds=margin_seconds))


def json_response(
    body: Any,
    *,
    headers: dict[str, str],
    multipart: Callable[[bytes], tuple[bytes, str]] | None = None,
    head: bool = False,
    status_code: int = 200,
) -> Response:
    """JSON, or - for ``attachments=true`` - ``multipart`` turns the JSON into a
    multipart/mixed body with the attachment data after it (xAPI-Communication 2.1.3)."""
    payload = orjson.dumps(body)
    media_type = "application/json"
    if multipart is not None:
        payload, media_type = multipart(payload)
    if head:
        return Response(status_code=status_code, headers=headers, media_type=media_type)
    return Response(payload, status_code=status_code, headers=headers, media_type=media_type)
