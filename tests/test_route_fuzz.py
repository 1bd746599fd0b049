"""Issue 12 item 12: a sweep over every API route (from ``app.routes``) with NUL bytes,
deep JSON and bodies of the wrong type. Whatever a route answers, it is never a 5xx."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import Account

DEEP_BODY = b"[" * 100_000 + b"]" * 100_000
WRONG_BODIES: tuple[bytes, ...] = (
    b"[]",
    b'"text"',
    b"123",
    b"null",
    b'{"name": 5, "emails": "x", "userIds": {}, "contentIds": [[]], "params": []}',
    b'{"name": "a\\u0000b", "email": "a\\u0000@x.test", "id": "\\u0000"}',
    b"{not json",
    DEEP_BODY,
)
# Routes that open streams or long-running work are not request/response handlers.
SKIPPED = re.compile(r"^/(api/auth/logout)")


def _paths(app: FastAPI) -> list[tuple[str, str]]:
    """Every documented route and method (the OpenAPI document is built from
    ``app.routes``, through the included routers)."""
    found: list[tuple[str, str]] = []
    for path, operations in app.openapi()["paths"].items():
        if SKIPPED.match(path):
            continue
        for method in operations:
            if method.upper() in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                found.append((method.upper(), path))
    return found


def _fill(path: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, path)


def test_the_sweep_covers_the_api(app: FastAPI) -> None:
    paths = {path for _, path in _paths(app)}
    assert {"/xapi/statements", "/api/analytics/classes", "/h5p/content"} <= paths


@pytest.mark.parametrize("role", ["admin", "teacher"])
def test_no_route_answers_5xx_to_nul_bytes_deep_json_or_wrong_types(
    app: FastAPI, client: TestClient, request: pytest.FixtureRequest, role: str
) -> None:
    account: Account = request.getfixturevalue(role)
    headers = {**account.headers, "X-Experience-API-Version": "1.0.3"}
    failures: list[str] = []
    for method, path in _paths(app):
        for value in ("x%00", "x"):
            url = _fill(path, value)
            queries = ("", "?verbId=a%00b&agent=%7B%7D&activityId=x%00")
            for query in queries:
                response = client.request(method, url + query, headers=headers)
                if response.status_code >= 500:
                    failures.append(f"{method} {url}{query}: {response.status_code}")
        if method in ("POST", "PUT", "PATCH"):
            url = _fill(path, "x")
            for body in WRONG_BODIES:
                for content_type in ("application/json", "text/plain"):
                    response = client.request(
                        method, url, content=body, headers={**headers, "Content-Type": content_type}
                    )
                    if response.status_code >= 500:
                        failures.append(f"{method} {url} {body[:40]!r}: {response.status_code}")
    assert failures == []
