"""LearnLoop's own RSA key: generated once and kept in the database (so every process of
a deployment signs with the same key), published as a JWKS (Security Framework 1.0 §6),
used to sign deep-linking responses and client assertions."""

from __future__ import annotations

import json
import secrets
import threading
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.lti.models import LtiToolKey

RSA_KEY_BITS = 2048
SIGNING_ALGORITHM = "RS256"
# The published JWKS per database, kept by each process for a while. A platform checks a
# client assertion by fetching /lti/jwks while the grade job that sent it still holds its
# transaction; on SQLite every transaction holds the process's write lock, so the JWKS
# must be answerable without the database. Keys only ever get added, and the rare second
# key (two processes creating the first one at once) shows up after the cache time.
PUBLISHED_JWKS_SECONDS = 300.0
_published: dict[str, tuple[float, dict[str, Any]]] = {}
_published_guard = threading.Lock()


def _generate_key(session: Session) -> LtiToolKey:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    key = LtiToolKey(kid=secrets.token_urlsafe(16), private_key_pem=pem)
    session.add(key)
    session.flush()
    return key


def current_key(session: Session) -> LtiToolKey:
    """The newest key, created on first use."""
    key = session.scalar(
        select(LtiToolKey).order_by(LtiToolKey.created_at.desc(), LtiToolKey.kid).limit(1)
    )
    return key if key is not None else _generate_key(session)


def _private_key(key: LtiToolKey) -> rsa.RSAPrivateKey:
    loaded = serialization.load_pem_private_key(key.private_key_pem.encode(), password=None)
    if not isinstance(loaded, rsa.RSAPrivateKey):
        raise TypeError(f"LTI tool key {key.kid} is not an RSA key")
    return loaded


def _database_of(session: Session) -> str:
    return str(session.get_bind().engine.url)


def cached_jwks(session: Session) -> dict[str, Any] | None:
    """The JWKS this process published lately for the session's database, if any."""
    with _published_guard:
        entry = _published.get(_database_of(session))
    if entry is None or time.monotonic() - entry[0] > PUBLISHED_JWKS_SECONDS:
        return None
    return entry[1]


def forget_published() -> None:
    """Drop the process's JWKS cache (tests roll keys back between cases)."""
    with _published_guard:
        _published.clear()


def _remember(session: Session, document: dict[str, Any]) -> None:
    with _published_guard:
        _published[_database_of(session)] = (time.monotonic(), document)


def tool_jwks(session: Session) -> dict[str, Any]:
    """Every stored key's public half (several when two processes raced to create one, or
    after a rotation, so tokens signed with any of them still verify)."""
    cached = cached_jwks(session)
    if cached is not None:
        return cached
    return _read_jwks(session)


def _read_jwks(session: Session) -> dict[str, Any]:
    keys = list(session.scalars(select(LtiToolKey).order_by(LtiToolKey.created_at)))
    if not keys:
        keys = [current_key(session)]
    documents = []
    for key in keys:
        public = json.loads(RSAAlgorithm.to_jwk(_private_key(key).public_key()))
        public.update(kid=key.kid, alg=SIGNING_ALGORITHM, use="sig")
        documents.append(public)
    document = {"keys": documents}
    _remember(session, document)
    return document


def sign(session: Session, claims: dict[str, Any]) -> str:
    key = current_key(session)
    published = cached_jwks(session)
    if published is None or key.kid not in {entry["kid"] for entry in published["keys"]}:
        # Whoever checks this signature soon fetches /lti/jwks (see PUBLISHED_JWKS_SECONDS).
        _read_jwks(session)
    return jwt.encode(
        claims, _private_key(key), algorithm=SIGNING_ALGORITHM, headers={"kid": key.kid}
    )
