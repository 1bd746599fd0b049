"""Signed-out tokens: a denylist in the database, checked on every request.

A JWT stays valid until it expires (8 h by default), so signing out has to remember
the token until then. Entries are keyed by the token's ``jti`` (every token LearnLoop
issues has one; the SHA-256 of the token stands in for tokens without) and are pruned
once the token would have expired anyway. Being rows, they hold for every process.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from learnloop.auth.errors import InvalidToken
from learnloop.auth.models import RevokedToken
from learnloop.auth.tokens import VerifiedClaims


def revocation_key(token: str, verified: VerifiedClaims) -> str:
    jti = verified.claims.get("jti")
    source = f"jti:{verified.issuer}:{jti}" if isinstance(jti, str) and jti else f"token:{token}"
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()


def ensure_not_revoked(session: Session, token: str, verified: VerifiedClaims) -> None:
    if session.get(RevokedToken, revocation_key(token, verified)) is not None:
        raise InvalidToken("Token has been revoked (signed out)")


def revoke(session: Session, token: str, verified: VerifiedClaims, now: datetime) -> None:
    """Refuse this token from now on; drop entries of tokens that have expired."""
    key = revocation_key(token, verified)
    expiry = verified.claims.get("exp")
    expires_at = (
        datetime.fromtimestamp(expiry, UTC)
        if isinstance(expiry, int | float)
        else now + timedelta(days=1)
    )
    if session.get(RevokedToken, key) is None:
        session.add(RevokedToken(token_key=key, expires_at=expires_at, revoked_at=now))
    prune_revoked(session, now)
    session.flush()


def prune_revoked(session: Session, now: datetime, leeway_seconds: int = 300) -> None:
    # Past their expiry (plus the verification leeway) the tokens are refused anyway.
    cutoff = now - timedelta(seconds=leeway_seconds)
    session.execute(delete(RevokedToken).where(RevokedToken.expires_at < cutoff))
