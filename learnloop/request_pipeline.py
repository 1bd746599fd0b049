"""What every HTTP request passes through before and after routing, in two ASGI layers.

Each concern lives in its own module; this one runs them in order, in one coroutine per
layer, with one ``send`` wrapper for all response headers (a layer per concern cost a
coroutine, a ``send`` wrapper and often a ``receive`` wrapper each, on every request):

``RequestPipeline`` (outermost: it sees every request, including refused bodies)
  - request id: the caller's ``X-Request-ID`` or a new one, on every response
    (``requestlog``), and the request's log line when it ends;
  - metrics: requests and latency by route template (``operations.metrics``);
  - ``X-Experience-API-Version`` (and Consistent-Through) on ``/xapi`` responses
    (``xapi.versions``).

Inside it, Starlette's ``CORSMiddleware`` (its preflight answers are logged, counted and
carry the headers above) for requests that carry ``Origin``; without ``Origin`` it would
only add ``Vary: Origin``, which ``RequestPipeline`` adds itself, sparing LRS clients
and servers (no ``Origin``) a layer.

``RequestIntake`` (innermost, before routing)
  1. body size limits (``bodylimit``);
  2. the CSRF token of a cookie caller's form, read from the body (``auth.csrf_forms``);
  3. ``/xapi//statements`` is ``/xapi/statements`` (``xapi.paths``);
  4. xAPI Alternate Request Syntax rewritten into the request it stands for
     (``xapi.alternate_syntax``), after the body limit;
  5. NUL bytes and over-deep JSON refused (``request_guard``), also in rewritten bodies.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from learnloop.auth.csrf_forms import CsrfFormTokenMiddleware
from learnloop.auth.csrf_tokens import UNSAFE_METHODS
from learnloop.bodylimit import BodyLimit
from learnloop.errors import error_response
from learnloop.operations.metrics import Metrics
from learnloop.request_guard import body_problem, checked_content_type, query_or_path_has_nul
from learnloop.requestlog import log_request, request_id_of
from learnloop.xapi.alternate_syntax import (
    AlternateSyntaxError,
    read_body,
    rewrite,
    uses_alternate_syntax,
)
from learnloop.xapi.paths import collapsed_xapi_path
from learnloop.xapi.versions import XapiResponseHeaders


class RequestPipeline:
    def __init__(self, app: ASGIApp, *, metrics: Metrics, cors: dict[str, Any]) -> None:
        self.app = app
        self.with_cors = CORSMiddleware(app, **cors)
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = request_id_of(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        request_id_header = (b"x-request-id", request_id.encode("latin-1"))
        xapi_headers = XapiResponseHeaders.for_request(scope)
        has_origin = any(name == b"origin" for name, _ in scope.get("headers") or ())
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message.setdefault("headers", [])
                if not has_origin:
                    # What CORSMiddleware answers a request without Origin (it varies by it).
                    headers = MutableHeaders(scope=message)
                    headers["Vary"] = ", ".join([*headers.getlist("Vary"), "Origin"])
                if xapi_headers is not None:
                    xapi_headers.apply(message)
                message["headers"] = [*message["headers"], request_id_header]
            await send(message)

        try:
            app = self.with_cors if has_origin else self.app
            await app(scope, receive, send_with_headers)
        finally:
            seconds = time.perf_counter() - started
            self.metrics.observe_request(scope, status, seconds)
            log_request(scope, status, seconds, request_id)


class RequestIntake:
    def __init__(self, app: ASGIApp, *, max_json_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.body_limit = BodyLimit(max_json_bytes, max_upload_bytes)
        self.csrf_forms = CsrfFormTokenMiddleware(self._routed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        next_stage = self.csrf_forms if scope["method"] in UNSAFE_METHODS else self._routed
        await self.body_limit.run(next_stage, scope, receive, send, headers)

    async def _routed(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        collapsed = collapsed_xapi_path(path)
        if collapsed != path:
            scope = {**scope, "path": collapsed, "raw_path": collapsed.encode("latin-1")}
        body: bytes | None = None
        if uses_alternate_syntax(scope):
            try:
                scope, body = rewrite(scope, await read_body(receive))
            except AlternateSyntaxError as exc:
                await error_response(scope["path"], 400, str(exc))(scope, receive, send)
                return
            receive = _replay([{"type": "http.request", "body": body, "more_body": False}], receive)
        if query_or_path_has_nul(scope):
            await error_response(
                scope["path"].replace("\x00", ""), 400, "NUL characters are not allowed in the URL"
            )(scope, receive, send)
            return
        content_type = checked_content_type(scope)
        if content_type is None:
            await self.app(scope, receive, send)
            return
        if body is None:
            chunks: list[bytes] = []
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    # The client went away (or the size limit refused the body): pass it on.
                    await self.app(scope, _replay([message], None), send)
                    return
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    break
            body = b"".join(chunks)
            receive = _replay([{"type": "http.request", "body": body, "more_body": False}], receive)
        problem = body_problem(content_type, body) if body else None
        if problem is not None:
            await error_response(scope["path"], 400, problem)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _replay(messages: list[Message], then: Receive | None) -> Receive:
    """``messages`` first, then the rest of the client's stream (or a disconnect)."""
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return replay
