"""LearnLoop's own key: generated once, kept in the database, published as JWKS."""

from __future__ import annotations

import jwt
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.lti import keys
from learnloop.lti.models import LtiToolKey


def test_jwks_publishes_one_rsa_key_generated_once(client: TestClient, session: Session) -> None:
    first = client.get("/lti/jwks")
    assert first.status_code == 200
    document = first.json()
    assert len(document["keys"]) == 1
    key = document["keys"][0]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
    assert "d" not in key and "p" not in key
    assert client.get("/lti/jwks").json() == document
    assert len(session.scalars(select(LtiToolKey.kid)).all()) == 1


def test_tokens_the_tool_signs_verify_with_its_published_jwks(
    client: TestClient, session: Session
) -> None:
    token = keys.sign(session, {"iss": "learnloop", "aud": "platform"})
    session.commit()
    document = client.get("/lti/jwks").json()
    kid = jwt.get_unverified_header(token)["kid"]
    public = jwt.PyJWK(next(key for key in document["keys"] if key["kid"] == kid))
    claims = jwt.decode(token, public, algorithms=["RS256"], audience="platform")
    assert claims["iss"] == "learnloop"


def test_configuration_names_the_urls_a_platform_admin_enters(client: TestClient) -> None:
    configuration = client.get("/lti/config").json()
    assert configuration["loginInitiationUrl"] == "http://testserver/lti/login"
    assert configuration["redirectUrl"] == "http://testserver/lti/launch"
    assert configuration["jwksUrl"] == "http://testserver/lti/jwks"
