"""Fetch URL tokens (cmi5 8.2.3): one-time, stored hashed in the database with an expiry,
so that any server process can redeem a token another one issued, and only once.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from learnloop.cmi5.models import Cmi5FetchToken, Cmi5Session
from learnloop.db import utcnow

FETCH_TOKEN_TTL = timedelta(hours=1)
# The auth token lives as long as a learner may reasonably keep one AU open.
AUTH_TOKEN_TTL = timedelta(hours=12)
AUTH_KEY_PREFIX = "cmi5-"

FetchOutcome = Literal["issued", "already_used", "unknown", "expired"]


@dataclass(frozen=True)
class FetchResult:
    outcome: FetchOutcome
    auth_token: str | None = None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_auth_key() -> str:
    return AUTH_KEY_PREFIX + secrets.token_hex(16)


def issue_fetch_token(session: Session, cmi5_session: Cmi5Session) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        Cmi5FetchToken(
            token_hash=hash_token(token),
            session_id=cmi5_session.id,
            expires_at=utcnow() + FETCH_TOKEN_TTL,
        )
    )
    session.flush()
    return token


def redeem_fetch_token(session: Session, token: str) -> FetchResult:
    """Mark the token used and hand out the session's auth token; a token that was used
    before (by any process) is refused. The conditional UPDATE is the single-use guarantee:
    of two racing requests only one sees a row count of 1."""
    now = utcnow()
    digest = hash_token(token)
    result = session.execute(
        update(Cmi5FetchToken)
        .where(
            Cmi5FetchToken.token_hash == digest,
            Cmi5FetchToken.used_at.is_(None),
            Cmi5FetchToken.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    if result.rowcount != 1:
        row = session.scalar(select(Cmi5FetchToken).where(Cmi5FetchToken.token_hash == digest))
        if row is None:
            return FetchResult("unknown")
        if row.used_at is not None:
            return FetchResult("already_used")
        return FetchResult("expired")
    row = session.scalar(select(Cmi5FetchToken).where(Cmi5FetchToken.token_hash == digest))
    assert row is not None
    cmi5_session = session.get(Cmi5Session, row.session_id)
    assert cmi5_session is not None
    secret = secrets.token_urlsafe(32)
    cmi5_session.auth_secret_hash = hash_token(secret)
    cmi5_session.auth_expires_at = now + AUTH_TOKEN_TTL
    session.flush()
    # cmi5 8.2.3: the auth-token is the credential part of an HTTP Basic header.
    credentials = f"{cmi5_session.auth_key}:{secret}".encode()
    return FetchResult("issued", base64.b64encode(credentials).decode("ascii"))
