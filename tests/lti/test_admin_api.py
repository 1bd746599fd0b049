"""Admin API of platform registrations: who may call it, what it stores, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.auth.csrf import csrf_token
from learnloop.auth.dependencies import TOKEN_COOKIE
from learnloop.config import Settings
from learnloop.lti.models import LtiDeployment, LtiPlatform
from tests.conftest import Account

PLATFORMS = "/api/admin/lti/platforms"


def _body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "issuer": "https://lms.example",
        "clientId": "client-1",
        "authLoginUrl": "https://lms.example/auth",
        "tokenUrl": "https://lms.example/token",
        "jwksUrl": "https://lms.example/jwks",
        "deploymentIds": ["d1"],
    }
    body.update(changes)
    return body


def _platform_count(session: Session) -> int:
    return len(session.scalars(select(LtiPlatform.id)).all())


def test_admin_registers_lists_extends_and_deletes_a_platform(
    client: TestClient, admin: Account, session: Session
) -> None:
    created = client.post(PLATFORMS, json=_body(), headers=admin.headers)
    assert created.status_code == 201, created.text
    platform = created.json()
    assert platform["issuer"] == "https://lms.example"
    assert platform["deploymentIds"] == ["d1"]
    listed = client.get(PLATFORMS, headers=admin.headers).json()
    assert [item["id"] for item in listed] == [platform["id"]]
    extended = client.post(
        f"{PLATFORMS}/{platform['id']}/deployments",
        json={"deploymentIds": ["d2", "d1"]},
        headers=admin.headers,
    )
    assert extended.json()["deploymentIds"] == ["d1", "d2"]
    assert client.get(f"{PLATFORMS}/{platform['id']}", headers=admin.headers).status_code == 200
    deleted = client.delete(f"{PLATFORMS}/{platform['id']}", headers=admin.headers)
    assert deleted.status_code == 204
    assert _platform_count(session) == 0
    assert session.scalars(select(LtiDeployment.id)).all() == []
    assert client.get(f"{PLATFORMS}/{platform['id']}", headers=admin.headers).status_code == 404


@pytest.mark.parametrize("role", ["teacher", "learner"])
def test_only_admins_manage_platforms(
    client: TestClient, request: pytest.FixtureRequest, role: str, session: Session
) -> None:
    account: Account = request.getfixturevalue(role)
    assert client.post(PLATFORMS, json=_body(), headers=account.headers).status_code == 403
    assert client.get(PLATFORMS, headers=account.headers).status_code == 403
    assert _platform_count(session) == 0


def test_platforms_need_authentication(client: TestClient) -> None:
    assert client.post(PLATFORMS, json=_body()).status_code == 401
    assert client.get(PLATFORMS).status_code == 401


def test_a_cookie_session_needs_the_csrf_token(
    client: TestClient, admin: Account, settings: Settings, session: Session
) -> None:
    client.cookies.set(TOKEN_COOKIE, admin.token)
    try:
        assert client.post(PLATFORMS, json=_body()).status_code == 403
        assert _platform_count(session) == 0
        token = csrf_token(settings, admin.id, admin.token)
        allowed = client.post(PLATFORMS, json=_body(), headers={"X-CSRF-Token": token})
        assert allowed.status_code == 201, allowed.text
    finally:
        client.cookies.clear()


def test_the_same_issuer_and_client_id_twice_is_a_conflict(
    client: TestClient, admin: Account
) -> None:
    assert client.post(PLATFORMS, json=_body(), headers=admin.headers).status_code == 201
    again = client.post(PLATFORMS, json=_body(), headers=admin.headers)
    assert again.status_code == 409


@pytest.mark.parametrize(
    "body",
    [
        _body(jwksUrl="file:///etc/passwd"),
        _body(authLoginUrl="not a url"),
        _body(issuer=""),
        _body(deploymentIds=[""]),
        _body(deploymentIds="d1"),
        _body(clientId=17),
        _body(unexpected="field"),
        _body(issuer="https://lms.example/\x00"),
    ],
)
def test_bad_registrations_are_refused_and_store_nothing(
    client: TestClient, admin: Account, session: Session, body: dict[str, Any]
) -> None:
    response = client.post(PLATFORMS, json=body, headers=admin.headers)
    assert response.status_code == 400, response.text
    assert _platform_count(session) == 0


def test_deeply_nested_json_is_refused(client: TestClient, admin: Account) -> None:
    nested = "[" * 5000 + "]" * 5000
    response = client.post(
        PLATFORMS,
        content=nested,
        headers={**admin.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400


def test_unknown_platform_id_is_404(client: TestClient, admin: Account) -> None:
    response = client.post(
        f"{PLATFORMS}/no-such-id/deployments", json={"deploymentIds": ["x"]}, headers=admin.headers
    )
    assert response.status_code == 404
