"""Signing and verifying JWTs.

LearnLoop's own tokens are HS256 with ``jwt_secret`` and carry ``iss = jwt_issuer``.
Any other issuer is an outside identity provider: HS256 with
``external_jwt_hs256_secret``, or RS256/ES256 against ``external_jwt_jwks_url``.
``alg: none`` and every algorithm not listed for the matching path are refused; an
HMAC secret is never derived from a public key (the algorithm list is fixed per path).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from learnloop.auth.errors import InvalidToken
from learnloop.auth.jwks import JwksKeySet
from learnloop.auth.models import User
from learnloop.config import Settings

REQUIRED_CLAIMS = ["exp", "sub"]


@dataclass(frozen=True)
class VerifiedClaims:
    issuer: str
    subject: str
    claims: dict[str, Any]
    is_local: bool


def issue_token(
    settings: Settings, user: User, ttl_seconds: int | None = None
) -> tuple[str, datetime]:
    now = datetime.now(UTC)
    expires_at = now + timedelta(seconds=ttl_seconds or settings.jwt_ttl_seconds)
    payload = {
        "iss": settings.jwt_issuer,
        "sub": user.id,
        "email": user.email,
        "name": user.display_name,
        "role": user.role,
        "iat": now,
        "nbf": now,
        "exp": expires_at,
        # Names this token in the revocation list when its user signs out.
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(payload, settings.jwt_secret, algorithm="HS256"), expires_at


def verify_token(token: str, settings: Settings, jwks: JwksKeySet | None) -> VerifiedClaims:
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise InvalidToken("Malformed token") from exc
    algorithm = str(header.get("alg", ""))
    issuer = str(unverified.get("iss", ""))
    if issuer == settings.jwt_issuer:
        claims = _decode(
            token, settings.jwt_secret, ["HS256"], settings, issuer=issuer, audience=None
        )
        return VerifiedClaims(issuer, str(claims["sub"]), claims, is_local=True)

    if settings.external_jwt_issuer and issuer != settings.external_jwt_issuer:
        raise InvalidToken("Token issuer is not trusted")
    key: Any
    if algorithm == "HS256" and settings.external_jwt_hs256_secret:
        key = settings.external_jwt_hs256_secret
    elif algorithm in ("RS256", "ES256") and jwks is not None:
        key = jwks.key_for(header.get("kid"), algorithm)
    else:
        raise InvalidToken(f"Unsupported token algorithm: {algorithm or 'missing'}")
    claims = _decode(
        token,
        key,
        [algorithm],
        settings,
        issuer=settings.external_jwt_issuer or None,
        audience=settings.external_jwt_audience or None,
    )
    return VerifiedClaims(issuer, str(claims["sub"]), claims, is_local=False)


def _decode(
    token: str,
    key: Any,
    algorithms: list[str],
    settings: Settings,
    *,
    issuer: str | None,
    audience: str | None,
) -> dict[str, Any]:
    options: jwt.types.Options = {"require": REQUIRED_CLAIMS, "verify_aud": audience is not None}
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=algorithms,
            issuer=issuer,
            audience=audience,
            leeway=settings.jwt_leeway_seconds,
            options=options,
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidToken("Token has expired") from exc
    except jwt.ImmatureSignatureError as exc:
        raise InvalidToken("Token is not valid yet") from exc
    except jwt.InvalidSignatureError as exc:
        raise InvalidToken("Token signature is invalid") from exc
    except jwt.PyJWTError as exc:
        raise InvalidToken(f"Invalid token: {exc}") from exc
    if not str(claims.get("sub", "")).strip():
        raise InvalidToken("Token has no subject")
    return claims
