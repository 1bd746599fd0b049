"""Public keys of an outside identity provider, read from its JWKS URL (RFC 7517).

Keys are cached for ``jwks_cache_seconds``; a token naming an unknown ``kid`` causes at
most one refetch per ``MIN_REFETCH_SECONDS`` (key rotation without letting forged ``kid``
values turn every request into an outbound call).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import jwt

from learnloop.auth.errors import InvalidToken

MIN_REFETCH_SECONDS = 10.0
ASYMMETRIC_ALGORITHMS = ("RS256", "ES256")


class JwksKeySet:
    def __init__(self, url: str, http: httpx.Client, cache_seconds: float) -> None:
        self.url = url
        self._http = http
        self._cache_seconds = cache_seconds
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._lock = threading.Lock()

    def _refresh(self) -> None:
        try:
            response = self._http.get(self.url)
            response.raise_for_status()
            document: Any = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise InvalidToken("Identity provider keys could not be loaded") from exc
        keys: dict[str, jwt.PyJWK] = {}
        for entry in document.get("keys", []) if isinstance(document, dict) else []:
            if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
                continue
            try:
                key = jwt.PyJWK(entry)
            except (jwt.PyJWKError, jwt.InvalidKeyError):
                continue
            keys[str(entry.get("kid", ""))] = key
        self._keys = keys
        self._fetched_at = time.monotonic()

    def key_for(self, kid: str | None, algorithm: str) -> jwt.PyJWK:
        if algorithm not in ASYMMETRIC_ALGORITHMS:
            raise InvalidToken(f"Unsupported token algorithm: {algorithm}")
        wanted = kid or ""
        with self._lock:
            age = time.monotonic() - self._fetched_at
            if age > self._cache_seconds or (
                wanted not in self._keys and age > MIN_REFETCH_SECONDS
            ):
                self._refresh()
            key = self._keys.get(wanted)
        if key is None:
            raise InvalidToken("Token signed with an unknown key")
        if key.algorithm_name != algorithm:
            raise InvalidToken("Token algorithm does not match its key")
        return key
