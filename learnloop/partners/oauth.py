"""OAuth2 client credentials grant (RFC 6749 §4.4) and the bearer tokens it issues.

Tokens are opaque random strings; the database keeps their SHA-256 only (like every
other LearnLoop secret), so any server process can check them and revoking a client ends
its tokens at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from learnloop.db import utcnow
from learnloop.partners.directory import hash_client_secret
from learnloop.partners.errors import InvalidPartnerToken, MissingScope, OAuthError, WrongPartner
from learnloop.partners.models import (
    Partner,
    PartnerAccessToken,
    PartnerClient,
    PartnerOrganization,
)
from learnloop.xapi.agents import account_agent

GRANT_TYPE = "client_credentials"


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scopes: list[str]

    def body(self) -> dict[str, Any]:
        # RFC 6749 §5.1.
        return {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "scope": " ".join(self.scopes),
        }


@dataclass(frozen=True)
class PartnerCaller:
    """Who a valid partner bearer token speaks for."""

    partner_id: str
    partner_name: str
    partner_display_name: str
    unknown_users: str
    organization_id: str | None
    org_id: str | None
    scopes: frozenset[str]

    def require(self, scope: str) -> None:
        if scope not in self.scopes:
            raise MissingScope(f"This token lacks the scope {scope}")

    def require_target(self, partner_name: str, org_id: str | None) -> None:
        """A token works for its own partner, and an organization's token only for that
        organization's URLs; a partner-wide token may use its organizations' URLs."""
        if partner_name != self.partner_name:
            raise WrongPartner("This token belongs to another partner")
        if self.org_id is not None and org_id != self.org_id:
            raise WrongPartner("This token belongs to another organization")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def partner_authority(base_url: str, partner_name: str, org_id: str | None) -> dict[str, Any]:
    """The xAPI authority (xAPI-Data 2.4.9) of what a partner sends: an account on
    ``<base>/v1/partners`` named after the partner (and organization)."""
    name = partner_name if org_id is None else f"{partner_name}/{org_id}"
    return account_agent(f"{base_url.rstrip('/')}/v1/partners", name, name)


def _requested_scopes(scope: str | None, allowed: list[str]) -> list[str]:
    # RFC 6749 §3.3: space-delimited; without one, the client's full set is the default.
    if scope is None or not scope.strip():
        return list(allowed)
    requested = list(dict.fromkeys(scope.split()))
    refused = [item for item in requested if item not in allowed]
    if refused:
        raise OAuthError("invalid_scope", f"Scope not granted to this client: {' '.join(refused)}")
    return requested


_CLIENT_BY_ID = select(PartnerClient).where(PartnerClient.client_id == bindparam("client_id"))


def issue_token(
    session: Session,
    *,
    grant_type: str | None,
    client_id: str,
    client_secret: str,
    scope: str | None,
    ttl_seconds: int,
) -> IssuedToken:
    """Check the client credentials, the grant type and the scope (RFC 6749 §4.4.2); a
    refused client is ``invalid_client`` with 401 (§5.2)."""
    client = session.scalar(_CLIENT_BY_ID, {"client_id": client_id}) if client_id else None
    expected = client.secret_hash if client is not None else hash_client_secret("no-such-client")
    matches = hmac.compare_digest(expected, hash_client_secret(client_secret))
    if client is None or not matches or not client.is_active:
        raise OAuthError("invalid_client", "Client authentication failed", status_code=401)
    if grant_type is None:
        raise OAuthError("invalid_request", "grant_type is required")
    if grant_type != GRANT_TYPE:
        raise OAuthError("unsupported_grant_type", f"Only grant_type={GRANT_TYPE} is supported")
    scopes = _requested_scopes(scope, client.scopes)
    # The client's expired tokens go as it gets a new one, so the table stays small.
    session.execute(
        delete(PartnerAccessToken).where(
            PartnerAccessToken.client_id == client.id, PartnerAccessToken.expires_at <= utcnow()
        )
    )
    token = secrets.token_urlsafe(32)
    session.add(
        PartnerAccessToken(
            token_hash=token_hash(token),
            client_id=client.id,
            scopes=scopes,
            expires_at=utcnow() + timedelta(seconds=ttl_seconds),
        )
    )
    session.flush()
    return IssuedToken(access_token=token, expires_in=ttl_seconds, scopes=scopes)


# One query per request: the token, its client, partner and organization.
_CALLER_BY_TOKEN = (
    select(PartnerAccessToken, PartnerClient, Partner, PartnerOrganization)
    .join(PartnerClient, PartnerClient.id == PartnerAccessToken.client_id)
    .join(Partner, Partner.id == PartnerClient.partner_id)
    .outerjoin(PartnerOrganization, PartnerOrganization.id == PartnerClient.organization_id)
    .where(PartnerAccessToken.token_hash == bindparam("token_hash"))
)


def authenticate_bearer(session: Session, token: str) -> PartnerCaller:
    row = session.execute(_CALLER_BY_TOKEN, {"token_hash": token_hash(token)}).first()
    if row is None:
        raise InvalidPartnerToken("Invalid partner token", headers=_challenge("invalid_token"))
    access, client, partner, organization = row
    if not client.is_active or access.expires_at <= utcnow():
        raise InvalidPartnerToken(
            "The partner token has expired or was revoked", headers=_challenge("invalid_token")
        )
    return PartnerCaller(
        partner_id=partner.id,
        partner_name=partner.name,
        partner_display_name=partner.display_name,
        unknown_users=partner.unknown_users,
        organization_id=organization.id if organization is not None else None,
        org_id=organization.org_id if organization is not None else None,
        scopes=frozenset(access.scopes),
    )


def _challenge(error: str) -> dict[str, str]:
    # RFC 6750 §3.
    return {"WWW-Authenticate": f'Bearer realm="LearnLoop partners", error="{error}"'}
