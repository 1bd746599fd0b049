"""Finds the CSRF token a form sends in its body, before routing.

Plain HTML forms cannot set headers, so they send the token as the ``csrf_token``
field (urlencoded or multipart). The field sits in the body, which only the route
reads, while the check lives in the authentication dependency that every cookie
caller passes (:func:`learnloop.auth.dependencies.resolve_user`). This middleware reads
the body of a cookie-carrying write far enough to find the field, leaves the value in
``request.state`` and hands the body on unchanged (a spooled copy of what it read,
then the rest of the stream). It refuses nothing itself.

For the conformant LRS (``/xapi``), where an unknown parameter is a 400
(xAPI-Communication 3.2), the token is taken out of the query string and out of an
Alternate Request Syntax form (xAPI-Communication 1.3) before the LRS sees them.
"""

from __future__ import annotations

import tempfile
from typing import IO
from urllib.parse import parse_qsl, urlencode

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from learnloop.auth.cookies import TOKEN_COOKIE
from learnloop.auth.csrf_tokens import (
    CSRF_FORM_FIELD,
    CSRF_HEADER,
    CSRF_PARAMETER,
    PRESENTED_TOKEN_STATE,
    UNSAFE_METHODS,
)

XAPI_PREFIX = "/xapi/"
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
MULTIPART_MEDIA_TYPE = "multipart/form-data"
# A token is 64 hex digits; a longer field value is not ours and is not kept.
MAX_TOKEN_LENGTH = 256
SPOOL_MEMORY_BYTES = 1024 * 1024
REPLAY_CHUNK_BYTES = 64 * 1024


class CsrfFormTokenMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        if scope["path"].startswith(XAPI_PREFIX):
            token = _take_query_token(scope)
            if token:
                state[PRESENTED_TOKEN_STATE] = token
        headers = Headers(scope=scope)
        if not _needs_body_scan(scope, headers, state):
            await self.app(scope, receive, send)
            return
        media_type, options = parse_options_header(headers.get("content-type"))
        if media_type == FORM_MEDIA_TYPE.encode():
            await self._scan_urlencoded(scope, receive, send, state)
        elif media_type == MULTIPART_MEDIA_TYPE.encode() and options.get(b"boundary"):
            await self._scan_multipart(scope, receive, send, state, options[b"boundary"])
        else:
            await self.app(scope, receive, send)

    async def _scan_urlencoded(
        self, scope: Scope, receive: Receive, send: Send, state: dict[str, object]
    ) -> None:
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                # The client went away; let the app see the same.
                await self.app(scope, _replay_messages([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        try:
            fields = parse_qsl(body.decode("latin-1"), keep_blank_values=True)
        except ValueError:
            fields = []
        tokens = [value for name, value in fields if name == CSRF_FORM_FIELD]
        if tokens and len(tokens[0]) <= MAX_TOKEN_LENGTH:
            state[PRESENTED_TOKEN_STATE] = tokens[0]
            if scope["path"].startswith(XAPI_PREFIX):
                body = _without_field(body, CSRF_FORM_FIELD)
                scope = _with_content_length(scope, len(body))
        message = {"type": "http.request", "body": body, "more_body": False}
        await self.app(scope, _replay_messages([message], receive), send)

    async def _scan_multipart(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        state: dict[str, object],
        boundary: bytes,
    ) -> None:
        finder = _MultipartTokenFinder(boundary)
        spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)  # noqa: SIM115 - closed after the app ran
        more_body = True
        disconnect: Message | None = None
        try:
            while more_body and finder.token is None and not finder.failed:
                message = await receive()
                if message["type"] != "http.request":
                    disconnect = message
                    break
                chunk = message.get("body", b"")
                spool.write(chunk)
                finder.feed(chunk)
                more_body = bool(message.get("more_body", False))
            if finder.token is not None:
                state[PRESENTED_TOKEN_STATE] = finder.token
            spool.seek(0)
            replay = _replay_spool(spool, more_body and disconnect is None, disconnect, receive)
            await self.app(scope, replay, send)
        finally:
            spool.close()


def _needs_body_scan(scope: Scope, headers: Headers, state: dict[str, object]) -> bool:
    """Only a cookie caller that sent no token elsewhere and no explicit credential."""
    if state.get(PRESENTED_TOKEN_STATE) or headers.get(CSRF_HEADER):
        return False
    if headers.get("authorization"):
        return False
    cookies = cookie_parser(headers.get("cookie", ""))
    if not cookies.get(TOKEN_COOKIE):
        return False
    query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    return not any(name in ("token", CSRF_PARAMETER) and value for name, value in query)


def _take_query_token(scope: Scope) -> str:
    raw: bytes = scope.get("query_string", b"")
    # latin-1 both ways keeps the other parameters' bytes as they were sent.
    query = parse_qsl(raw.decode("latin-1"), keep_blank_values=True, encoding="latin-1")
    tokens = [value for name, value in query if name == CSRF_PARAMETER]
    if not tokens:
        return ""
    rest = [(name, value) for name, value in query if name != CSRF_PARAMETER]
    scope["query_string"] = urlencode(rest, encoding="latin-1").encode("latin-1")
    return tokens[0]


def _without_field(body: bytes, field: str) -> bytes:
    # latin-1 both ways keeps every other field's bytes as they were sent.
    pairs = parse_qsl(body.decode("latin-1"), keep_blank_values=True, encoding="latin-1")
    kept = [(name, value) for name, value in pairs if name != field]
    return urlencode(kept, encoding="latin-1").encode("latin-1")


def _with_content_length(scope: Scope, length: int) -> Scope:
    headers = [(key, value) for key, value in scope["headers"] if key.lower() != b"content-length"]
    headers.append((b"content-length", str(length).encode("latin-1")))
    return {**scope, "headers": headers}


def _replay_messages(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


def _replay_spool(
    spool: IO[bytes], more_after_spool: bool, disconnect: Message | None, receive: Receive
) -> Receive:
    """What was read (from the spool), then the rest of the client's stream."""
    finished = {"spool": False}

    async def replay() -> Message:
        if not finished["spool"]:
            chunk = spool.read(REPLAY_CHUNK_BYTES)
            at_end = len(chunk) < REPLAY_CHUNK_BYTES or not spool.read(1)
            if not at_end:
                spool.seek(-1, 1)
            if at_end:
                finished["spool"] = True
                if disconnect is not None:
                    return disconnect
            return {
                "type": "http.request",
                "body": chunk,
                "more_body": not at_end or more_after_spool,
            }
        return await receive()

    return replay


class _MultipartTokenFinder:
    """Streams a multipart body through python-multipart until the token field ends."""

    def __init__(self, boundary: bytes) -> None:
        self.token: str | None = None
        self.failed = False
        self._header_field = bytearray()
        self._header_value = bytearray()
        self._disposition = b""
        self._capturing = False
        self._value = bytearray()
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._on_part_begin,
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._on_header_end,
                "on_headers_finished": self._on_headers_finished,
                "on_part_data": self._on_part_data,
                "on_part_end": self._on_part_end,
            },
        )

    def feed(self, chunk: bytes) -> None:
        try:
            self._parser.write(chunk)
        except MultipartParseError:  # a malformed body is the route's to refuse
            self.failed = True

    def _on_part_begin(self) -> None:
        self._disposition = b""
        self._capturing = False
        self._value.clear()

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field.extend(data[start:end])

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value.extend(data[start:end])

    def _on_header_end(self) -> None:
        if bytes(self._header_field).lower() == b"content-disposition":
            self._disposition = bytes(self._header_value)
        self._header_field.clear()
        self._header_value.clear()

    def _on_headers_finished(self) -> None:
        _kind, options = parse_options_header(self._disposition)
        self._capturing = (
            options.get(b"name") == CSRF_FORM_FIELD.encode() and b"filename" not in options
        )

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._capturing:
            self._value.extend(data[start:end])
            if len(self._value) > MAX_TOKEN_LENGTH:
                self._capturing = False

    def _on_part_end(self) -> None:
        if self._capturing and self.token is None:
            self.token = self._value.decode("latin-1")
        self._capturing = False
