"""LRS client credentials: key/secret pairs for HTTP Basic auth, with xAPI scopes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy import inspect as sa_inspect
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


# The versions a client may name as its default (xapi.versions.SUPPORTED_VERSIONS).
CLIENT_VERSIONS = ("1.0.3", "2.0.0")


def check_client_version(version: str | None) -> str | None:
    if version is not None and version not in CLIENT_VERSIONS:
        raise BadRequest(
            f"Unknown xAPI version {version!r}; a client's default is one of "
            + ", ".join(CLIENT_VERSIONS)
        )
    return version


def create_client(
    session: Session,
    *,
    name: str,
    scopes: Iterable[str] = DEFAULT_SCOPES,
    owner_id: str | None = None,
    default_xapi_version: str | None = None,
) -> IssuedClient:
    if not name.strip():
        raise BadRequest("An LRS client needs a name")
    check_client_version(default_xapi_version)
    key = secrets.token_hex(16)
    secret = secrets.token_urlsafe(32)
    client = LrsClient(
        key=key,
        secret_hash=hash_secret(secret),
        name=name.strip(),
        scopes=normalise_scopes(scopes),
        owner_id=owner_id,
        default_xapi_version=default_xapi_version,
    )
    session.add(client)
    session.flush()
    return IssuedClient(client=client, secret=secret)


# Built once: every LRS request runs it.
_CLIENT_BY_KEY = select(LrsClient).where(LrsClient.key == bindparam("key"))
_NO_SUCH_CLIENT_HASH = hash_secret("no-such-client")

# Credential look-ups are cached per process for a few seconds: every statement POST
# authenticates, and on SQLite the look-up would open the request's (write) transaction
# before anything is known about the request. A revocation takes effect at once in the
# process that made it (``revoke_client`` forgets the entry) and within this many seconds
# in every other process (``learnloop clients revoke``, other servers).
CREDENTIAL_CACHE_SECONDS = 5.0
_CACHE_LIMIT = 10_000


@dataclass(frozen=True)
class _CachedClient:
    """Every column of a client row, as read; ``expires_at`` on the monotonic clock."""

    columns: dict[str, Any]
    expires_at: float

    @property
    def is_active(self) -> bool:
        return bool(self.columns["is_active"])

    @property
    def secret_hash(self) -> str:
        return str(self.columns["secret_hash"])

    @classmethod
    def of(cls, client: LrsClient, expires_at: float) -> _CachedClient:
        columns = {name: getattr(client, name) for name in _CLIENT_COLUMNS}
        columns["scopes"] = tuple(columns["scopes"])
        return cls(columns=columns, expires_at=expires_at)

    def detached_client(self) -> LrsClient:
        """A transient copy: never attached to a session, so no request can change the
        cached values through it."""
        return LrsClient(**{**self.columns, "scopes": list(self.columns["scopes"])})


_CLIENT_COLUMNS = tuple(attribute.key for attribute in sa_inspect(LrsClient).column_attrs)
_client_cache: dict[str, _CachedClient] = {}
_client_cache_lock = threading.Lock()


def forget_cached_client(key: str) -> None:
    with _client_cache_lock:
        _client_cache.pop(key, None)


def cached_client(key: str, secret: str) -> LrsClient | None:
    """The active client with this key and secret when its row is in this process's cache
    and has not expired, else None (then ``authenticate`` decides). No I/O: the LRS's
    request dependency calls it on the event loop."""
    cached = _client_cache.get(key)
    if cached is None or cached.expires_at <= time.monotonic():
        return None
    return _checked(cached, secret)


def _checked(cached: _CachedClient | None, secret: str) -> LrsClient | None:
    expected = cached.secret_hash if cached is not None else _NO_SUCH_CLIENT_HASH
    matches = hmac.compare_digest(expected, hash_secret(secret))
    if cached is None or not matches or not cached.is_active:
        return None
    return cached.detached_client()


def authenticate(session: Session, key: str, secret: str) -> LrsClient | None:
    """The active client with this key and secret, else None.

    The client returned is a transient copy of the row (see ``_CachedClient``). A cache
    miss reads the row in a short session of its own, ended before this returns: the
    request's session must not take a connection (and on SQLite the write lock) in the
    dependency's thread and keep it while the request waits for a handler thread, or
    under load every thread ends up waiting for a connection held by a request that
    waits for a thread.
    """
    now = time.monotonic()
    cached = _client_cache.get(key)
    if cached is None or cached.expires_at <= now:
        with Session(bind=session.get_bind()) as lookup:
            client = lookup.scalar(_CLIENT_BY_KEY, {"key": key})
            expires_at = now + CREDENTIAL_CACHE_SECONDS
            cached = None if client is None else _CachedClient.of(client, expires_at)
        if cached is not None:
            with _client_cache_lock:
                if len(_client_cache) >= _CACHE_LIMIT:
                    _client_cache.clear()
                # Cached whether or not this secret matches: the entry holds the stored
                # digest, and a wrong secret is checked against it like any other.
                _client_cache[key] = cached
    return _checked(cached, secret)


def default_version_of(session: Session, key: str, secret: str) -> str | None:
    """The default xAPI version of the client these credentials authenticate, if any.
    Only asked on the error path of a request without a version header."""
    client = authenticate(session, key, secret)
    return client.default_xapi_version if client is not None else None


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
    forget_cached_client(client.key)
    return client
