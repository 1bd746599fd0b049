"""Tokens: LearnLoop's own, an outside provider's (HS256 and RS256/ES256 via JWKS), and forgeries."""

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.auth.models import User
from learnloop.config import Settings
from learnloop.db import Database
from learnloop.main import create_app
from learnloop.storage import LocalFileStorage
from tests.conftest import TEST_JWT_SECRET, Account
from tests.support.jwks_server import SigningKeys, serve_jwks

EXTERNAL_SECRET = "outside-identity-provider-shared-secret-0123456789"
EXTERNAL_ISSUER = "https://idp.example.test"


def _claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": EXTERNAL_ISSUER,
        "sub": "idp-user-17",
        "email": "ada@school.example",
        "name": "Ada Lovelace",
        "role": "teacher",
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return claims


def _me(client: TestClient, token: str) -> tuple[int, dict[str, object]]:
    response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.json()


@pytest.fixture(scope="module")
def keys() -> SigningKeys:
    return SigningKeys.generate()


@pytest.fixture
def jwks_url(keys: SigningKeys) -> Iterator[str]:
    with serve_jwks(keys.jwks()) as (url, _requests):
        yield url


@pytest.fixture
def external_client(
    tmp_path: Path, database_url: str, database: Database, storage: LocalFileStorage, jwks_url: str
) -> Iterator[TestClient]:
    settings = Settings(
        environment="test",
        data_dir=tmp_path / "var",
        database_url=database_url,
        jwt_secret=TEST_JWT_SECRET,
        run_worker_in_process=False,
        external_jwt_hs256_secret=EXTERNAL_SECRET,
        external_jwt_jwks_url=jwks_url,
        external_jwt_issuer=EXTERNAL_ISSUER,
    )
    with TestClient(create_app(settings, database=database, storage=storage)) as client:
        yield client


# --- LearnLoop's own tokens -----------------------------------------------------------


def test_a_bearer_token_authenticates(client: TestClient, learner: Account) -> None:
    status, body = _me(client, learner.token)
    assert status == 200
    assert body["data"]["id"] == learner.id  # type: ignore[index]


def test_a_token_in_the_query_string_authenticates(client: TestClient, learner: Account) -> None:
    response = client.get(f"/api/auth/me?token={learner.token}")
    assert response.status_code == 200


def test_no_token_is_401_in_the_reference_shape(client: TestClient) -> None:
    response = client.get("/api/auth/me")
    assert response.status_code == 401
    assert response.json() == {"success": False, "error": "Unauthorized: no token provided"}


def test_an_expired_token_is_401(client: TestClient, learner: Account) -> None:
    token = jwt.encode(
        {"iss": "learnloop", "sub": learner.id, "exp": int(time.time()) - 3600},
        TEST_JWT_SECRET,
        algorithm="HS256",
    )
    assert _me(client, token) == (401, {"success": False, "error": "Token has expired"})


def test_a_not_yet_valid_token_is_401(client: TestClient, learner: Account) -> None:
    now = int(time.time())
    token = jwt.encode(
        {"iss": "learnloop", "sub": learner.id, "nbf": now + 3600, "exp": now + 7200},
        TEST_JWT_SECRET,
        algorithm="HS256",
    )
    assert _me(client, token) == (401, {"success": False, "error": "Token is not valid yet"})


def test_a_token_signed_with_another_secret_is_401(client: TestClient, learner: Account) -> None:
    token = jwt.encode(
        {"iss": "learnloop", "sub": learner.id, "exp": int(time.time()) + 60},
        "some-other-secret-that-is-long-enough-too",
        algorithm="HS256",
    )
    assert _me(client, token) == (401, {"success": False, "error": "Token signature is invalid"})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_alg_none_is_401(client: TestClient, learner: Account) -> None:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = _b64(
        json.dumps({"iss": "learnloop", "sub": learner.id, "exp": int(time.time()) + 60}).encode()
    )
    status, _ = _me(client, f"{header}.{payload}.")
    assert status == 401


def test_a_tampered_payload_is_401(client: TestClient, learner: Account, admin: Account) -> None:
    header, _payload, signature = learner.token.split(".")
    forged = _b64(
        json.dumps(
            {"iss": "learnloop", "sub": admin.id, "role": "admin", "exp": int(time.time()) + 60}
        ).encode()
    )
    assert _me(client, f"{header}.{forged}.{signature}")[0] == 401


def test_garbage_is_401(client: TestClient) -> None:
    assert _me(client, "not-a-jwt") == (401, {"success": False, "error": "Malformed token"})


def test_a_token_for_a_deleted_user_is_401(client: TestClient, settings: Settings) -> None:
    token = jwt.encode(
        {
            "iss": "learnloop",
            "sub": "00000000-0000-0000-0000-000000000000",
            "exp": int(time.time()) + 60,
        },
        settings.jwt_secret,
        algorithm="HS256",
    )
    assert _me(client, token)[0] == 401


def test_outside_tokens_are_refused_when_no_provider_is_configured(client: TestClient) -> None:
    token = jwt.encode(_claims(), EXTERNAL_SECRET, algorithm="HS256")
    assert _me(client, token)[0] == 401


# --- an outside identity provider -------------------------------------------------------


def test_an_outside_hs256_token_creates_the_user_on_first_sight(
    external_client: TestClient, session: Session
) -> None:
    token = jwt.encode(_claims(), EXTERNAL_SECRET, algorithm="HS256")
    status, body = _me(external_client, token)
    assert status == 200
    data = body["data"]
    assert data["email"] == "ada@school.example"  # type: ignore[index]
    assert data["role"] == "teacher"  # type: ignore[index]
    assert data["displayName"] == "Ada Lovelace"  # type: ignore[index]
    users = session.scalars(select(User).where(User.email == "ada@school.example")).all()
    assert len(users) == 1
    assert users[0].external_subject == f"{EXTERNAL_ISSUER}:idp-user-17"

    # The second sight maps to the same user and follows the provider's role.
    token = jwt.encode(_claims(role="admin"), EXTERNAL_SECRET, algorithm="HS256")
    status, body = _me(external_client, token)
    assert status == 200
    assert body["data"]["id"] == data["id"]  # type: ignore[index]
    assert body["data"]["role"] == "admin"  # type: ignore[index]


def test_an_outside_token_links_to_the_local_account_with_the_same_email(
    external_client: TestClient, teacher: Account
) -> None:
    token = jwt.encode(
        _claims(email=teacher.user.email, role="teacher"), EXTERNAL_SECRET, algorithm="HS256"
    )
    status, body = _me(external_client, token)
    assert status == 200
    assert body["data"]["id"] == teacher.id  # type: ignore[index]


def test_an_outside_token_cannot_demote_the_last_active_admin(
    external_client: TestClient, admin: Account, session: Session
) -> None:
    token = jwt.encode(
        _claims(email=admin.user.email, role="teacher"), EXTERNAL_SECRET, algorithm="HS256"
    )
    status, body = _me(external_client, token)
    assert status == 200  # signing in still works
    assert body["data"]["role"] == "admin"  # type: ignore[index]
    session.expire_all()
    assert session.get(User, admin.id).role == "admin"  # type: ignore[union-attr]

    # Once another admin exists, the provider's role is followed.
    other = jwt.encode(
        _claims(sub="idp-admin-2", email="second-admin@school.example", role="admin"),
        EXTERNAL_SECRET,
        algorithm="HS256",
    )
    assert _me(external_client, other)[1]["data"]["role"] == "admin"  # type: ignore[index]
    status, body = _me(external_client, token)
    assert status == 200
    assert body["data"]["role"] == "teacher"  # type: ignore[index]


def test_an_outside_rs256_token_verified_against_the_jwks_is_accepted(
    external_client: TestClient, keys: SigningKeys
) -> None:
    token = jwt.encode(
        _claims(sub="rsa-user"), keys.rsa_private, algorithm="RS256", headers={"kid": keys.rsa_kid}
    )
    status, body = _me(external_client, token)
    assert status == 200
    assert body["data"]["email"] == "ada@school.example"  # type: ignore[index]


def test_an_outside_es256_token_verified_against_the_jwks_is_accepted(
    external_client: TestClient, keys: SigningKeys
) -> None:
    token = jwt.encode(
        _claims(sub="ec-user", email="grace@school.example"),
        keys.ec_private,
        algorithm="ES256",
        headers={"kid": keys.ec_kid},
    )
    assert _me(external_client, token)[0] == 200


def test_an_rs256_token_signed_by_a_key_not_in_the_jwks_is_401(
    external_client: TestClient, keys: SigningKeys
) -> None:
    stranger = SigningKeys.generate()
    token = jwt.encode(
        _claims(), stranger.rsa_private, algorithm="RS256", headers={"kid": keys.rsa_kid}
    )
    assert _me(external_client, token) == (
        401,
        {"success": False, "error": "Token signature is invalid"},
    )


def test_an_rs256_token_with_an_unknown_kid_is_401(
    external_client: TestClient, keys: SigningKeys
) -> None:
    token = jwt.encode(_claims(), keys.rsa_private, algorithm="RS256", headers={"kid": "nope"})
    assert _me(external_client, token) == (
        401,
        {"success": False, "error": "Token signed with an unknown key"},
    )


def test_an_hs256_token_keyed_with_the_public_rsa_key_is_401(
    external_client: TestClient, keys: SigningKeys
) -> None:
    # Algorithm confusion: the JWKS public key must never be used as an HMAC secret.
    from cryptography.hazmat.primitives import serialization

    public_pem = keys.rsa_private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": keys.rsa_kid}).encode())
    payload = _b64(json.dumps(_claims()).encode())
    import hashlib
    import hmac

    signature = _b64(hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    assert _me(external_client, f"{header}.{payload}.{signature}")[0] == 401


def test_an_rs256_token_with_a_tampered_payload_is_401(
    external_client: TestClient, keys: SigningKeys
) -> None:
    token = jwt.encode(
        _claims(role="learner"), keys.rsa_private, algorithm="RS256", headers={"kid": keys.rsa_kid}
    )
    header, _payload, signature = token.split(".")
    forged = _b64(json.dumps(_claims(role="admin")).encode())
    assert _me(external_client, f"{header}.{forged}.{signature}")[0] == 401


def test_an_expired_outside_token_is_401(external_client: TestClient, keys: SigningKeys) -> None:
    token = jwt.encode(
        _claims(exp=int(time.time()) - 3600),
        keys.rsa_private,
        algorithm="RS256",
        headers={"kid": keys.rsa_kid},
    )
    assert _me(external_client, token) == (401, {"success": False, "error": "Token has expired"})


def test_an_outside_token_not_yet_valid_is_401(external_client: TestClient) -> None:
    token = jwt.encode(_claims(nbf=int(time.time()) + 3600), EXTERNAL_SECRET, algorithm="HS256")
    assert _me(external_client, token) == (
        401,
        {"success": False, "error": "Token is not valid yet"},
    )


def test_an_outside_token_from_another_issuer_is_401(external_client: TestClient) -> None:
    token = jwt.encode(_claims(iss="https://evil.example"), EXTERNAL_SECRET, algorithm="HS256")
    assert _me(external_client, token) == (
        401,
        {"success": False, "error": "Token issuer is not trusted"},
    )


def test_an_outside_token_with_alg_none_is_401(external_client: TestClient) -> None:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(_claims()).encode())
    assert _me(external_client, f"{header}.{payload}.")[0] == 401


def test_an_outside_token_without_email_for_a_new_user_is_401(external_client: TestClient) -> None:
    claims = _claims(sub="no-email")
    del claims["email"]
    token = jwt.encode(claims, EXTERNAL_SECRET, algorithm="HS256")
    assert _me(external_client, token)[0] == 401


def test_the_jwks_is_cached_between_requests(
    keys: SigningKeys,
    tmp_path: Path,
    database_url: str,
    database: Database,
    storage: LocalFileStorage,
) -> None:
    with serve_jwks(keys.jwks()) as (url, requests):
        settings = Settings(
            environment="test",
            data_dir=tmp_path / "var",
            database_url=database_url,
            jwt_secret=TEST_JWT_SECRET,
            run_worker_in_process=False,
            external_jwt_jwks_url=url,
        )
        with TestClient(create_app(settings, database=database, storage=storage)) as client:
            for index in range(3):
                token = jwt.encode(
                    _claims(sub=f"cached-{index}", email=f"c{index}@school.example"),
                    keys.rsa_private,
                    algorithm="RS256",
                    headers={"kid": keys.rsa_kid},
                )
                assert _me(client, token)[0] == 200
        assert requests == ["/jwks.json"]
