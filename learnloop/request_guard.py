"""Refuse NUL bytes and over-deep JSON in requests before any handler sees them
(issue 12 item 12).

PostgreSQL text and JSONB columns cannot hold U+0000: a NUL in a class name, an IRI, an
email or a query filter reached the database and came back as a 500. Python's JSON parser
and recursive walkers fail on deeply nested input the same way. One guard for every route
answers both with a 400 instead:

* a NUL in the path or the query string (``%00`` or raw);
* a NUL in a JSON body (the ``\\u0000`` escape; a raw NUL is not JSON at all) or in a
  form body (``%00``), and JSON nested deeper than ``safe_json.MAX_JSON_DEPTH``.

Bodies of other types (multipart uploads, binary xAPI documents) pass through unread:
their fields are checked where they are parsed.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from learnloop.errors import error_response
from learnloop.safe_json import MAX_JSON_DEPTH, body_nests_too_deep

# A ``\u0000`` escape that is not itself escaped: an even number of backslashes before it.
_JSON_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_FORM_NUL = re.compile(rb"%00|\x00")


def _content_type(scope: Scope) -> str:
    for name, value in scope.get("headers") or ():
        if name == b"content-type":
            text: str = value.decode("latin-1")
            return text.split(";", 1)[0].strip().lower()
    return ""


def _is_json(content_type: str) -> bool:
    # The reference's /api/xapi/statements and the xAPI alternate syntax read JSON sent
    # as text/plain or without a type, so those are checked as JSON too.
    return content_type in ("", "application/json", "text/plain") or content_type.endswith("+json")


def query_or_path_has_nul(scope: Scope) -> bool:
    if "\x00" in scope.get("path", ""):
        return True
    query: bytes = scope.get("query_string", b"")
    return b"%00" in query or b"\x00" in query


def body_problem(content_type: str, body: bytes) -> str | None:
    if content_type == "application/x-www-form-urlencoded":
        return "NUL characters are not allowed" if _FORM_NUL.search(body) else None
    if b"\\u0000" in body and _JSON_NUL_ESCAPE.search(body):
        return "NUL characters (\\u0000) are not allowed in JSON strings"
    if body_nests_too_deep(body):
        return f"JSON nested deeper than {MAX_JSON_DEPTH} levels is not accepted"
    return None


class RequestGuardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if query_or_path_has_nul(scope):
            await error_response(
                scope["path"].replace("\x00", ""), 400, "NUL characters are not allowed in the URL"
            )(scope, receive, send)
            return
        content_type = _content_type(scope)
        checked = _is_json(content_type) or content_type == "application/x-www-form-urlencoded"
        if not checked or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                # The client went away (or the size limit refused the body): pass it on.
                await self.app(scope, _replay([message]), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        problem = body_problem(content_type, body) if body else None
        if problem is not None:
            await error_response(scope["path"], 400, problem)(scope, receive, send)
            return
        await self.app(
            scope,
            _replay([{"type": "http.request", "body": body, "more_body": False}], receive),
            send,
        )


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return replay
