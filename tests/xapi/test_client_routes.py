"""Admin API for LRS clients: /api/admin/lrs-clients."""

from __future__ import annotations

import base64

from tests.xapi.conftest import VERSION, statement


def _basic(key: str, secret: str) -> dict[str, str]:
    return {
        "Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode(),
        **VERSION,
    }


def test_admin_creates_lists_and_revokes_clients(client, admin):
    created = client.post(
        "/api/admin/lrs-clients",
        json={"name": "cmi5 player", "scopes": ["statements/write", "state"]},
        headers=admin.headers,
    )
    assert created.status_code == 201
    data = created.json()["data"]
    assert data["scopes"] == ["statements/write", "state"]
    assert data["secret"]
    headers = _basic(data["key"], data["secret"])
    assert client.post("/xapi/statements", json=statement(), headers=headers).status_code == 200

    listing = client.get("/api/admin/lrs-clients", headers=admin.headers).json()["data"]
    assert [c["key"] for c in listing] == [data["key"]]
    assert "secret" not in listing[0]

    revoked = client.delete(f"/api/admin/lrs-clients/{data['id']}", headers=admin.headers)
    assert revoked.json()["data"]["isActive"] is False
    assert client.post("/xapi/statements", json=statement(), headers=headers).status_code == 401


def test_clients_default_to_write_and_read_mine(client, admin):
    data = client.post(
        "/api/admin/lrs-clients", json={"name": "tool"}, headers=admin.headers
    ).json()["data"]
    assert data["scopes"] == ["statements/write", "statements/read/mine"]


def test_unknown_scope_is_400(client, admin):
    response = client.post(
        "/api/admin/lrs-clients",
        json={"name": "x", "scopes": ["everything"]},
        headers=admin.headers,
    )
    assert response.status_code == 400
    assert "everything" in response.json()["error"]


def test_secret_is_stored_hashed(client, admin, session):
    from learnloop.xapi.models import LrsClient

    data = client.post("/api/admin/lrs-clients", json={"name": "x"}, headers=admin.headers).json()[
        "data"
    ]
    stored = session.get(LrsClient, data["id"])
    assert stored is not None
    assert data["secret"] not in stored.secret_hash


def test_only_admins_manage_clients(client, teacher, learner):
    for account in (teacher, learner):
        assert client.get("/api/admin/lrs-clients", headers=account.headers).status_code == 403
        assert (
            client.post(
                "/api/admin/lrs-clients", json={"name": "x"}, headers=account.headers
            ).status_code
            == 403
        )
    assert client.get("/api/admin/lrs-clients").status_code == 401


def test_revoking_an_unknown_client_is_404(client, admin):
    assert client.delete("/api/admin/lrs-clients/nope", headers=admin.headers).status_code == 404
