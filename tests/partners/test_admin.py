"""The partners admin API: who may call each endpoint, CSRF for cookie sessions, and the
management flows (partners, organizations, clients, catalog)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.auth.csrf_tokens import csrf_token
from learnloop.auth.dependencies import TOKEN_COOKIE
from learnloop.config import Settings
from learnloop.partners.models import ForwardingRule, Partner, PartnerClient
from tests.conftest import Account, MakeAccount

RULE = {"endpoint": "http://127.0.0.1:9/xapi", "username": "u", "password": "p"}

# (method, path, JSON body) of every admin endpoint; "acme" exists in each test.
ENDPOINTS: list[tuple[str, str, Any]] = [
    ("POST", "/api/admin/partners", {"name": "initech"}),
    ("GET", "/api/admin/partners", None),
    ("POST", "/api/admin/partners/acme/organizations", {"orgId": "north"}),
    ("GET", "/api/admin/partners/acme/organizations", None),
    ("POST", "/api/admin/partners/acme/clients", {}),
    ("GET", "/api/admin/partners/acme/clients", None),
    ("DELETE", "/api/admin/partners/acme/clients/acme-unknown", None),
    ("POST", "/api/admin/partners/acme/user-links", {"externalUserId": "x", "userId": "y"}),
    ("GET", "/api/admin/partners/acme/catalog", None),
    ("POST", "/api/admin/partners/acme/pull-sources", RULE),
    ("GET", "/api/admin/partners/acme/pull-sources", None),
    ("POST", "/api/admin/partners/acme/pull-sources/nope/run", None),
    ("POST", "/api/admin/forwarding-rules", RULE),
    ("GET", "/api/admin/forwarding-rules", None),
    ("DELETE", "/api/admin/forwarding-rules/nope", None),
    ("GET", "/api/admin/forwarding-rules/nope/dead-letters", None),
]


@pytest.fixture
def acme_partner(client: TestClient, admin: Account) -> dict[str, Any]:
    response = client.post(
        "/api/admin/partners",
        json={"name": "acme", "displayName": "Acme Learning", "unknownUsers": "create"},
        headers=admin.headers,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_only_admins_reach_the_partner_admin_api(
    client: TestClient,
    session: Session,
    make_account: MakeAccount,
    acme_partner: dict[str, Any],
    method: str,
    path: str,
    body: Any,
) -> None:
    before = _state(session)
    assert client.request(method, path, json=body).status_code == 401
    for role in ("learner", "teacher"):
        account = make_account(role)
        response = client.request(method, path, json=body, headers=account.headers)
        assert response.status_code == 403, (role, response.text)
    assert _state(session) == before


def _state(session: Session) -> tuple[int, int, int]:
    session.expire_all()
    return (
        len(session.scalars(select(Partner.id)).all()),
        len(session.scalars(select(PartnerClient.id)).all()),
        len(session.scalars(select(ForwardingRule.id)).all()),
    )


def test_a_cookie_session_needs_the_csrf_token_to_create_a_client(
    client: TestClient, session: Session, settings: Settings, admin: Account, acme_partner: Any
) -> None:
    client.cookies.set(TOKEN_COOKIE, admin.token)
    try:
        forged = client.post("/api/admin/partners/acme/clients", json={})
        assert forged.status_code == 403
        assert session.scalars(select(PartnerClient.id)).all() == []
        token = csrf_token(settings, admin.id, admin.token)
        allowed = client.post(
            "/api/admin/partners/acme/clients", json={}, headers={"X-CSRF-Token": token}
        )
        assert allowed.status_code == 201, allowed.text
    finally:
        client.cookies.clear()


def test_admins_manage_partners_organizations_and_clients(
    client: TestClient, admin: Account, acme_partner: dict[str, Any]
) -> None:
    assert acme_partner["name"] == "acme" and acme_partner["unknownUsers"] == "create"
    duplicate = client.post("/api/admin/partners", json={"name": "acme"}, headers=admin.headers)
    assert duplicate.status_code == 409
    bad_bodies: list[Any] = [
        {"name": "Has Spaces"},
        {"name": "x" * 65},
        {"name": "ok", "extra": 1},
        [],
    ]
    for bad in bad_bodies:
        assert (
            client.post("/api/admin/partners", json=bad, headers=admin.headers).status_code == 400
        )
    org = client.post(
        "/api/admin/partners/acme/organizations",
        json={"orgId": "north", "name": "North"},
        headers=admin.headers,
    )
    assert org.status_code == 201
    issued = client.post(
        "/api/admin/partners/acme/clients",
        json={"orgId": "north", "scopes": ["track:write"]},
        headers=admin.headers,
    )
    assert issued.status_code == 201
    body = issued.json()
    assert body["orgId"] == "north" and body["scopes"] == ["track:write"]
    assert len(body["clientSecret"]) >= 40
    listed = client.get("/api/admin/partners/acme/clients", headers=admin.headers).json()
    assert [(c["clientId"], c["orgId"], c["active"]) for c in listed] == [
        (body["clientId"], "north", True)
    ]
    assert "clientSecret" not in listed[0]
    bad_scope = client.post(
        "/api/admin/partners/acme/clients", json={"scopes": ["all"]}, headers=admin.headers
    )
    assert bad_scope.status_code == 400
    unknown_org = client.post(
        "/api/admin/partners/acme/clients", json={"orgId": "south"}, headers=admin.headers
    )
    assert unknown_org.status_code == 404
    assert client.get("/api/admin/partners/nope/clients", headers=admin.headers).status_code == 404


def test_the_catalog_lists_each_tracked_content_once_with_the_first_title(
    client: TestClient, admin: Account, learner: Account, acme_partner: Any
) -> None:
    issued = client.post("/api/admin/partners/acme/clients", json={}, headers=admin.headers).json()
    token = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(issued["clientId"], issued["clientSecret"]),
    ).json()["access_token"]
    for status, title in (("started", "Cloud Foundations"), ("completed", "Renamed")):
        response = client.post(
            "/v1/partners/acme/track",
            json={
                "content_id": "ext 101/cloud",
                "user": learner.user.email,
                "status": status,
                "event_date": "2024-05-13T14:25:00Z",
                "title": title,
            },
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 201
    catalog = client.get("/api/admin/partners/acme/catalog", headers=admin.headers).json()
    assert catalog == [
        {
            "contentId": "ext 101/cloud",
            "title": "Cloud Foundations",
            "activityId": "http://testserver/v1/partners/acme/content/ext%20101%2Fcloud",
        }
    ]


def test_forwarding_rules_validate_their_endpoint_and_batch_size(
    client: TestClient, admin: Account
) -> None:
    for bad in (
        {**RULE, "endpoint": "file:///etc/passwd"},
        {**RULE, "batchSize": 0},
        {**RULE, "batchSize": 501},
        {**RULE, "partner": "nobody"},
    ):
        response = client.post("/api/admin/forwarding-rules", json=bad, headers=admin.headers)
        assert response.status_code in (400, 404), response.text
    created = client.post(
        "/api/admin/forwarding-rules",
        json={**RULE, "actorDomain": "@Example.ORG"},
        headers=admin.headers,
    )
    assert created.status_code == 201
    assert created.json()["actorDomain"] == "example.org"
    assert "password" not in created.json()
    removed = client.delete(
        f"/api/admin/forwarding-rules/{created.json()['id']}", headers=admin.headers
    )
    assert removed.json()["active"] is False
