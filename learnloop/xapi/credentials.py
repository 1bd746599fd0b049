"""LRS client credentials: key/secret pairs for HTTP Basic auth, with xAPI scopes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from learnloop.db import utcnow
from learnloop.errors import BadRequest
from learnloop.xapi.errors import LrsClientNotFound
from learnloop.xapi.models import LrsClient

# xAPI-Communication 4.2 "OAuth 1.0 Authorization Scope".
SCOPES = (
    "statements/write",
    "statements/read",
    "statements/read/mine",
    "state",
    "define",
    "profile",
    "all/read",
    "all",
)
# "The LRS MUST assume a requested scope of statements/write and statements/read/mine if no
# scope is specified" (xAPI-Communication 4.2).
DEFAULT_SCOPES = ("statements/write", "statements/read/mine")


@dataclass(frozen=True)
class IssuedClient:
    client: LrsClient
    secret: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalise_scopes(scopes: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(scope.strip() for scope in scopes if scope.strip()))
    unknown = [scope for scope in chosen if scope not in SCOPES]
    if unknown:
        raise BadRequest(f"Unknown xAPI scope(s): {', '.join(unknown)}; known: {', '.join(SCOPES)}")
    return chosen or list(DEFAULT_SCOPES)


def create_client(
    session: Session,
    *,
    name: str,
    scopes: Iterable[str] = DEFAULT_SCOPES,
    owner_id: str | None = None,
) -> IssuedClient:
    if not name.strip():
        raise BadRequest("An LRS client needs a name")
    key = secrets.token_hex(16)
    secret = secrets.token_urlsafe(32)
    client = LrsClient(
        key=key,
        secret_hash=hash_secret(secret),
        name=name.strip(),
        scopes=normalise_scopes(scopes),
        owner_id=owner_id,
    )
    session.add(client)
    session.flush()
    return IssuedClient(client=client, secret=secret)


# Built once: every LRS request runs it.
_CLIENT_BY_KEY = select(LrsClient).where(LrsClient.key == bindparam("key"))


def authenticate(session: Session, key: str, secret: str) -> LrsClient | None:
    client = session.scalar(_CLIENT_BY_KEY, {"key": key})
    expected = client.secret_hash if client is not None else hash_secret("no-such-client")
    matches = hmac.compare_digest(expected, hash_secret(secret))
    if client is None or not matches or not client.is_active:
        return None
    return client


def list_clients(session: Session) -> list[LrsClient]:
    return list(session.scalars(select(LrsClient).order_by(LrsClient.created_at, LrsClient.key)))


def get_client(session: Session, key_or_id: str) -> LrsClient:
    client = session.scalar(
        select(LrsClient).where((LrsClient.key == key_or_id) | (LrsClient.id == key_or_id))
    )
    if client is None:
        raise LrsClientNotFound(f"No LRS client {key_or_id}")
    return client


def revoke_client(session: Session, key_or_id: str) -> LrsClient:
    client = get_client(session, key_or_id)
    if client.is_active:
        client.is_active = False
        client.revoked_at = utcnow()
        session.flush()
    return client
