"""OAuth2 access tokens for LTI Advantage services: the client-credentials grant with a
JWT client assertion signed by the tool key (Security Framework 1.0 §4.1, RFC 7523)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.orm import Session

from learnloop.lti import keys
from learnloop.lti.models import LtiPlatform

ASSERTION_TTL = timedelta(minutes=5)
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class ServiceCallFailed(RuntimeError):
    """A platform service refused or failed a call; the job is retried."""


def client_assertion(session: Session, platform: LtiPlatform) -> str:
    now = datetime.now(UTC)
    return keys.sign(
        session,
        {
            "iss": platform.client_id,
            "sub": platform.client_id,
            "aud": platform.token_url,
            "iat": now,
            "exp": now + ASSERTION_TTL,
            "jti": secrets.token_urlsafe(16),
        },
    )


def access_token(
    session: Session, http: httpx.Client, platform: LtiPlatform, scopes: list[str]
) -> str:
    response = http.post(
        platform.token_url,
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": JWT_BEARER,
            "client_assertion": client_assertion(session, platform),
            "scope": " ".join(scopes),
        },
    )
    if response.status_code != 200:
        raise ServiceCallFailed(f"token endpoint answered {response.status_code}")
    token = response.json().get("access_token")
    if not isinstance(token, str) or not token:
        raise ServiceCallFailed("token endpoint answered without access_token")
    return token
