"""POST /oauth/token (RFC 6749 §4.4) and what a bearer token may reach."""

from __future__ import annotations

import base64
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from learnloop.db import utcnow
from learnloop.partners.models import PartnerAccessToken
from learnloop.partners.oauth import token_hash
from tests.partners.conftest import XAPI_HEADERS, MakeClient, PartnerClientCredentials

GRANT = {"grant_type": "client_credentials"}


def read(client: TestClient, token: str, partner: str = "acme") -> int:
    response = client.get(
        f"/v1/partners/{partner}/statements", headers={"Authorization": f"Bearer {token}"}
    )
    return int(response.status_code)


def test_basic_credentials_get_a_short_lived_bearer_token_with_every_client_scope(
    client: TestClient, session: Session, acme: PartnerClientCredentials
) -> None:
    response = client.post("/oauth/token", data=GRANT, auth=(acme.client_id, acme.secret))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "track:write statements:write statements:read"
    stored = session.scalar(select(PartnerAccessToken))
    assert stored is not None
    # Only the hash is kept.
    assert stored.token_hash == token_hash(body["access_token"])
    assert body["access_token"] not in stored.token_hash
    assert read(client, body["access_token"]) == 200


def test_form_credentials_and_a_narrower_scope(
    client: TestClient, acme: PartnerClientCredentials
) -> None:
    response = client.post(
        "/oauth/token",
        data={
            **GRANT,
            "client_id": acme.client_id,
            "client_secret": acme.secret,
            "scope": "track:write",
        },
    )
    assert response.status_code == 200
    assert response.json()["scope"] == "track:write"
    assert read(client, response.json()["access_token"]) == 403


def test_rfc6749_errors(
    client: TestClient, acme: PartnerClientCredentials, make_partner_client: MakeClient
) -> None:
    auth = (acme.client_id, acme.secret)
    wrong_secret = client.post("/oauth/token", data=GRANT, auth=(acme.client_id, "nope"))
    assert wrong_secret.status_code == 401
    assert wrong_secret.json()["error"] == "invalid_client"
    assert wrong_secret.headers["www-authenticate"].startswith("Basic")
    unknown = client.post(
        "/oauth/token", data={**GRANT, "client_id": "ghost", "client_secret": "x"}
    )
    assert (unknown.status_code, unknown.json()["error"]) == (401, "invalid_client")
    no_credentials = client.post("/oauth/token", data=GRANT)
    assert no_credentials.json()["error"] == "invalid_client"
    grant = client.post("/oauth/token", data={"grant_type": "password"}, auth=auth)
    assert (grant.status_code, grant.json()["error"]) == (400, "unsupported_grant_type")
    missing = client.post("/oauth/token", data={}, auth=auth)
    assert (missing.status_code, missing.json()["error"]) == (400, "invalid_request")
    as_json = client.post("/oauth/token", json=GRANT, auth=auth)
    assert (as_json.status_code, as_json.json()["error"]) == (400, "invalid_request")
    repeated = client.post(
        "/oauth/token",
        content=b"grant_type=client_credentials&grant_type=client_credentials",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        auth=auth,
    )
    assert repeated.json()["error"] == "invalid_request"
    both = client.post("/oauth/token", data={**GRANT, "client_secret": acme.secret}, auth=auth)
    assert both.json()["error"] == "invalid_request"
    malformed = client.post("/oauth/token", data=GRANT, headers={"Authorization": "Basic !!!"})
    assert (malformed.status_code, malformed.json()["error"]) == (401, "invalid_client")
    reader = make_partner_client("acme", scopes=["statements:read"])
    scope = client.post(
        "/oauth/token",
        data={**GRANT, "scope": "statements:read track:write"},
        auth=(reader.client_id, reader.secret),
    )
    assert (scope.status_code, scope.json()["error"]) == (400, "invalid_scope")


def test_basic_credentials_are_form_decoded(
    client: TestClient, acme: PartnerClientCredentials
) -> None:
    # RFC 6749 §2.3.1: id and secret are application/x-www-form-urlencoded before Basic.
    encoded = base64.b64encode(f"{acme.client_id}:{acme.secret}".encode()).decode()
    response = client.post(
        "/oauth/token", data=GRANT, headers={"Authorization": f"Basic {encoded}"}
    )
    assert response.status_code == 200


def test_an_expired_token_or_a_revoked_client_is_401(
    client: TestClient, session: Session, admin, acme: PartnerClientCredentials
) -> None:
    token = client.post("/oauth/token", data=GRANT, auth=(acme.client_id, acme.secret)).json()[
        "access_token"
    ]
    assert read(client, token) == 200
    session.execute(
        update(PartnerAccessToken)
        .where(PartnerAccessToken.token_hash == token_hash(token))
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    session.commit()
    expired = client.get(
        "/v1/partners/acme/statements", headers={"Authorization": f"Bearer {token}"}
    )
    assert expired.status_code == 401
    assert "invalid_token" in expired.headers["www-authenticate"]

    fresh = client.post("/oauth/token", data=GRANT, auth=(acme.client_id, acme.secret)).json()[
        "access_token"
    ]
    revoked = client.delete(
        f"/api/admin/partners/acme/clients/{acme.client_id}", headers=admin.headers
    )
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    assert read(client, fresh) == 401
    again = client.post("/oauth/token", data=GRANT, auth=(acme.client_id, acme.secret))
    assert again.status_code == 401


def test_a_token_is_refused_on_another_partners_urls(
    client: TestClient, acme: PartnerClientCredentials, make_partner_client: MakeClient
) -> None:
    make_partner_client("globex")
    token = client.post("/oauth/token", data=GRANT, auth=(acme.client_id, acme.secret)).json()[
        "access_token"
    ]
    headers = {"Authorization": f"Bearer {token}", **XAPI_HEADERS}
    assert read(client, token, "globex") == 403
    pushed = client.post("/v1/partners/globex/statements", json={}, headers=headers)
    assert pushed.status_code == 403
    tracked = client.post("/v1/partners/globex/track", json={}, headers=headers)
    assert tracked.status_code == 403


def test_learnloop_user_tokens_and_lrs_basic_credentials_are_not_partner_tokens(
    client: TestClient, admin, acme: PartnerClientCredentials
) -> None:
    assert client.get("/v1/partners/acme/statements", headers=admin.headers).status_code == 401
    basic = client.get("/v1/partners/acme/statements", auth=(acme.client_id, acme.secret))
    assert basic.status_code == 401


def test_a_clients_expired_tokens_are_removed_when_it_gets_a_new_one(
    client: TestClient, session: Session, acme: PartnerClientCredentials
) -> None:
    first = client.post("/oauth/token", data=GRANT, auth=(acme.client_id, acme.secret)).json()
    session.execute(
        update(PartnerAccessToken)
        .where(PartnerAccessToken.token_hash == token_hash(first["access_token"]))
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    session.commit()
    second = client.post("/oauth/token", data=GRANT, auth=(acme.client_id, acme.secret)).json()
    session.expire_all()
    hashes = set(session.scalars(select(PartnerAccessToken.token_hash)))
    assert hashes == {token_hash(second["access_token"])}
