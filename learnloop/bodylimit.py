"""Refuse request bodies over the configured size before a handler reads them.

Multipart uploads (H5P packages, attachments) may be as large as
``max_upload_body_bytes``; every other body as large as ``max_json_body_bytes``. A body
without ``Content-Length`` (chunked) is counted as it arrives.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from learnloop.errors import error_response


@dataclass(frozen=True)
class BodyLimit:
    """The limits; ``request_pipeline.RequestIntake`` applies them to every request."""

    max_json_bytes: int
    max_upload_bytes: int

    def limit_for(self, content_type: bytes) -> int:
        if content_type.lower().startswith(b"multipart/"):
            return self.max_upload_bytes
        return self.max_json_bytes

    async def run(
        self, app: ASGIApp, scope: Scope, receive: Receive, send: Send, headers: dict[bytes, bytes]
    ) -> None:
        """Call ``app`` with the body limited; ``headers`` are the request's, by name."""
        limit = self.limit_for(headers.get(b"content-type", b""))
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                declared_length = int(declared)
            except ValueError:
                await error_response(scope["path"], 400, "Invalid Content-Length")(
                    scope, receive, send
                )
                return
            if declared_length > limit:
                await _too_large(scope, receive, send, limit)
                return
            # The server's HTTP parser delivers exactly the declared length (RFC 9112
            # 6.3): nothing is left to count.
            await app(scope, receive, send)
            return
        await _counted(app, scope, receive, send, limit)


async def _counted(app: ASGIApp, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    received = 0
    response_started = False
    refused = False

    async def counting_receive() -> Message:
        nonlocal received, refused
        if refused:
            return {"type": "http.disconnect"}
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                # Answer 413 now and make the app see a client that went away: the
                # framework would otherwise turn a raised error into its own 400.
                refused = True
                if not response_started:
                    await _too_large(scope, receive, send, limit)
                return {"type": "http.disconnect"}
        return message

    async def guarded_send(message: Message) -> None:
        nonlocal response_started
        if refused:
            return
        if message["type"] == "http.response.start":
            response_started = True
        await send(message)

    try:
        await app(scope, counting_receive, guarded_send)
    except Exception:
        if not refused:
            raise


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    response = error_response(
        scope["path"], 413, f"Request body is larger than the limit of {limit} bytes"
    )
    await response(scope, receive, send)
