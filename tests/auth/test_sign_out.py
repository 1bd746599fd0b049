"""Issue 12 item 14: signing out revokes the token for every process until it expires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from learnloop.auth.csrf import csrf_token
from learnloop.auth.models import RevokedToken
from learnloop.auth.revocation import prune_revoked
from learnloop.main import create_app


def sign_in(client, account) -> str:
    response = client.post(
        "/api/auth/login", json={"email": account.user.email, "password": account.password}
    )
    assert response.status_code == 200
    return str(response.json()["data"]["token"])


def test_logout_revokes_the_bearer_token(client, teacher):
    token = sign_in(client, teacher)
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/auth/me", headers=bearer).status_code == 200
    assert client.post("/api/auth/logout", headers=bearer).status_code == 200
    refused = client.get("/api/auth/me", headers=bearer)
    assert refused.status_code == 401
    assert "revoked" in refused.json()["error"]
    # Also through ?token= and on the LRS.
    assert client.get("/api/auth/me", params={"token": token}).status_code == 401
    lrs_headers = {**bearer, "X-Experience-API-Version": "1.0.3"}
    assert client.get("/xapi/statements", headers=lrs_headers).status_code == 401
    # Signing out again is harmless; other sessions of the same user stay valid.
    assert client.post("/api/auth/logout", headers=bearer).status_code == 200
    assert client.get("/api/auth/me", headers=teacher.headers).status_code == 200


def test_logout_with_the_cookie_and_csrf_token_revokes_the_cookie_session(
    client, settings, teacher
):
    token = sign_in(client, teacher)
    assert client.cookies.get("learnloop_token") == token
    csrf = csrf_token(settings, teacher.id, token)
    response = client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200
    assert (
        client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    )
    # The browser dropped the cookie; one kept by an attacker is dead as well.
    client.cookies.set("learnloop_token", token)
    assert client.get("/api/auth/me").status_code == 401


def test_the_page_sign_out_form_revokes_and_returns_to_the_login_page(client, settings, teacher):
    token = sign_in(client, teacher)
    page = client.get("/my-progress")
    csrf = csrf_token(settings, teacher.id, token)
    assert f'<meta name="csrf-token" content="{csrf}">' in page.text
    assert f'name="csrf_token" value="{csrf}"' in page.text
    refused = client.post("/logout", data={"csrf_token": "0" * 64}, follow_redirects=False)
    assert refused.status_code == 403
    assert client.get("/api/auth/me").status_code == 200
    done = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == "/login"
    assert (
        client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    )


def test_a_revoked_token_is_refused_by_another_process(
    client, teacher, settings, database, storage
):
    token = sign_in(client, teacher)
    bearer = {"Authorization": f"Bearer {token}"}
    client.post("/api/auth/logout", headers=bearer)
    other_process = create_app(settings, database=database, storage=storage)
    with TestClient(other_process, raise_server_exceptions=False) as other:
        assert other.get("/api/auth/me", headers=bearer).status_code == 401


def test_revocations_are_pruned_once_the_token_has_expired(client, session, teacher):
    token = sign_in(client, teacher)
    client.post("/api/auth/logout", headers={"Authorization": f"Bearer {token}"})
    [entry] = session.scalars(select(RevokedToken)).all()
    prune_revoked(session, entry.expires_at - timedelta(seconds=1))
    assert session.scalars(select(RevokedToken)).all() != []
    prune_revoked(session, entry.expires_at + timedelta(hours=1))
    assert session.scalars(select(RevokedToken)).all() == []


def test_each_issued_token_has_its_own_id(client, teacher):
    import jwt

    first, second = sign_in(client, teacher), sign_in(client, teacher)
    claims = [jwt.decode(t, options={"verify_signature": False}) for t in (first, second)]
    assert claims[0]["jti"] != claims[1]["jti"]
    client.post("/api/auth/logout", headers={"Authorization": f"Bearer {first}"})
    assert (
        client.get("/api/auth/me", headers={"Authorization": f"Bearer {second}"}).status_code == 200
    )
    assert datetime.now(UTC) < datetime.fromtimestamp(claims[1]["exp"], UTC)
