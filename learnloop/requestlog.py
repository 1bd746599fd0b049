"""One structured log line per request, and a request id on every response.

The line carries method, path, status, duration, request id and user id. The query
string is logged with ``token`` (and any other secret-looking parameter) redacted, and
headers are never logged, so bearer tokens and ``?token=`` values never reach a log.
Credentials that travel in the path are redacted too: the player's file grants
(``/h5p/play-files/<contentId>/<grant>/…``), cmi5 fetch tokens
(``/api/cmi5/fetch/<token>``) and any segment shaped like a JWT or a grant (three
dot-separated base64url parts).
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson
from starlette.types import Scope

logger = logging.getLogger("learnloop.requests")

SECRET_QUERY_KEYS = frozenset(
    {
        "token",
        "auth-token",
        "access_token",
        "refresh_token",
        "id_token",
        "client_secret",
        "secret",
        "password",
        "fetch",
        "grant",
        "signature",
        "sig",
        "csrf",
        "csrf_token",
        "code",
        "ticket",
        "x-amz-signature",
        "x-amz-credential",
        "x-amz-security-token",
    }
)
# A path segment shaped like a JWT or a play-file grant: three base64url parts, the
# last one long (a signature), e.g. ``eyJ….eyJ….sig`` or ``dXNlcg.1795000000.sig``.
TOKEN_SHAPED_SEGMENT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16,}$")
# Paths that carry a credential as a segment: the prefix, then how many segments come
# before it. /h5p/play-files/<contentId>/<grant>/…, /api/cmi5/fetch/<fetch token>.
CREDENTIAL_PATH_PREFIXES = (("/h5p/play-files/", 1), ("/api/cmi5/fetch/", 0))
REDACTED = "[REDACTED]"
MAX_REQUEST_ID_LENGTH = 128


def redact_query(query_string: str) -> str:
    if not query_string:
        return ""
    pairs = parse_qsl(query_string, keep_blank_values=True)
    return urlencode(
        [(key, REDACTED if key.lower() in SECRET_QUERY_KEYS else value) for key, value in pairs]
    )


def redact_path(path: str) -> str:
    segments = path.split("/")
    for prefix, skipped in CREDENTIAL_PATH_PREFIXES:
        if path.startswith(prefix):
            credential_index = prefix.count("/") + skipped
            if credential_index < len(segments):
                segments[credential_index] = REDACTED
    return "/".join(
        REDACTED if TOKEN_SHAPED_SEGMENT.match(segment) else segment for segment in segments
    )


class JsonLineFormatter(logging.Formatter):
    """Log records as one JSON object per line; ``extra={"fields": …}`` is merged in."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def request_id_of(scope: Scope) -> str:
    """The caller's ``X-Request-ID`` when it is usable, else a new one."""
    incoming = ""
    for name, value in scope.get("headers") or ():
        if name == b"x-request-id":
            incoming = value.decode("latin-1")
            break
    return incoming if 0 < len(incoming) <= MAX_REQUEST_ID_LENGTH else uuid.uuid4().hex


def log_request(scope: Scope, status: int, seconds: float, request_id: str) -> None:
    """The request's one log line (``request_pipeline.RequestPipeline`` calls it last)."""
    if not logger.isEnabledFor(logging.INFO):
        return
    query = redact_query(scope.get("query_string", b"").decode("latin-1"))
    logger.info(
        "request",
        extra={
            "fields": {
                "method": scope.get("method"),
                "path": redact_path(str(scope.get("path", ""))),
                "query": query or None,
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
                "request_id": request_id,
                "user_id": (scope.get("state") or {}).get("user_id"),
            }
        },
    )


# uvicorn's own loggers (startup, shutdown, errors) write through the same handler, so a
# server's output is one format: a JSON object per line.
LOGGERS = ("learnloop", "uvicorn", "uvicorn.error")


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLineFormatter())
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level.upper())
        logger.propagate = False
