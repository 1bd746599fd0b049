"""The middleware that finds a form's csrf_token hands every body on unchanged."""

from __future__ import annotations

import asyncio
from typing import Any

from learnloop.auth.csrf_forms import CsrfFormTokenMiddleware
from learnloop.auth.csrf_tokens import PRESENTED_TOKEN_STATE
from tests.auth.test_csrf_attacks import multipart_body


def run(body: bytes, content_type: str, chunk: int, path: str = "/h5p/import", query=b""):
    seen: dict[str, Any] = {}

    async def app(scope, receive, send):
        received = b""
        while True:
            message = await receive()
            received += message.get("body", b"")
            if not message.get("more_body"):
                break
        seen["body"] = received
        seen["token"] = scope["state"].get(PRESENTED_TOKEN_STATE)
        seen["query"] = scope["query_string"]

    messages = [
        {"type": "http.request", "body": body[i : i + chunk], "more_body": i + chunk < len(body)}
        for i in range(0, len(body), chunk)
    ]

    async def receive():
        return messages.pop(0)

    async def send(_message):
        return None

    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "query_string": query,
        "headers": [
            (b"content-type", content_type.encode()),
            (b"cookie", b"learnloop_token=abc"),
        ],
    }
    asyncio.run(CsrfFormTokenMiddleware(app)(scope, receive, send))
    return seen


def test_a_multipart_token_after_a_large_file_is_found_and_the_body_is_replayed_whole():
    upload = bytes(range(256)) * 6_000  # 1.5 MB, beyond the in-memory spool
    body, content_type = multipart_body([("h5p", "a.h5p", upload), ("csrf_token", None, b"t0k")])
    for chunk in (4096, 65_536, 1_000_003):
        seen = run(body, content_type, chunk)
        assert seen["token"] == "t0k"
        assert seen["body"] == body


def test_a_multipart_token_before_the_file_stops_the_scan_early_and_keeps_the_body():
    body, content_type = multipart_body([("csrf_token", None, b"first"), ("f", "x", b"y" * 99)])
    seen = run(body, content_type, 7)
    assert seen["token"] == "first"
    assert seen["body"] == body


def test_a_malformed_multipart_body_passes_through_untouched():
    body = b"this is not multipart at all"
    seen = run(body, "multipart/form-data; boundary=zzz", 5)
    assert seen["token"] is None
    assert seen["body"] == body


def test_an_urlencoded_token_is_found_and_kept_for_other_routes():
    body = b"name=a%20b&csrf_token=abc123&x=%E2%9C%93"
    seen = run(body, "application/x-www-form-urlencoded", 4)
    assert seen["token"] == "abc123"
    assert seen["body"] == body


def test_for_the_lrs_the_token_leaves_the_form_and_the_query():
    body = b"content=%7B%22a%22%3A1%7D&csrf_token=abc123&stateId=s%C3%A9"
    seen = run(
        body, "application/x-www-form-urlencoded", 4, "/xapi/activities/state", b"method=PUT"
    )
    assert seen["token"] == "abc123"
    assert seen["body"] == b"content=%7B%22a%22%3A1%7D&stateId=s%C3%A9"
    query_seen = run(b"{}", "application/json", 10, "/xapi/activities/state", b"csrf=q1&stateId=x")
    assert query_seen["token"] == "q1"
    assert query_seen["query"] == b"stateId=x"
