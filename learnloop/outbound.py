"""Outbound HTTP, behind one factory so tests can swap the transport.

Unit tests pass an ``httpx.MockTransport``; integration tests point the real transport
at a server on 127.0.0.1. Nothing else in LearnLoop builds its own HTTP client.
"""

from __future__ import annotations

import httpx

from learnloop.config import Settings


def build_http_client(
    settings: Settings, transport: httpx.BaseTransport | None = None
) -> httpx.Client:
    return httpx.Client(
        timeout=settings.outbound_http_timeout_seconds,
        transport=transport,
        follow_redirects=False,
        headers={"User-Agent": "LearnLoop"},
    )
