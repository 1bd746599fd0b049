"""The id_token launch: every check of Security Framework 1.0 §5.1.3 and LTI Core 1.3
§5 before anything of the launch happens.

The platform's keys come from its registered JWKS URL (cached per URL, see
``learnloop.auth.jwks``). ``state`` is single-use: the login row is deleted when a launch
uses it; the ``nonce`` must be the one issued with that state and is recorded as used
until the token expires, so a replayed id_token is refused even with a fresh state.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from learnloop.auth.errors import InvalidToken
from learnloop.auth.jwks import JwksKeySet
from learnloop.db import utcnow
from learnloop.lti import platforms
from learnloop.lti.errors import InvalidLaunch
from learnloop.lti.login import state_digest
from learnloop.lti.models import LtiLoginState, LtiPlatform, LtiUsedNonce
from learnloop.lti.vocabulary import (
    DEEP_LINKING_REQUEST,
    DEEP_LINKING_SETTINGS,
    DEPLOYMENT_ID,
    LTI_VERSION,
    MESSAGE_TYPE,
    RESOURCE_LINK,
    RESOURCE_LINK_REQUEST,
    ROLES,
    SUPPORTED_MESSAGE_TYPES,
    TARGET_LINK_URI,
    VERSION,
)

# Security Framework §5.1.3 step 7: the tool may refuse tokens issued too long ago.
MAX_TOKEN_AGE = timedelta(minutes=10)
ID_TOKEN_ALGORITHM = "RS256"  # noqa: S105 - an algorithm name


class PlatformKeySets:
    """One cached :class:`JwksKeySet` per platform JWKS URL (a cache only: every process
    builds its own from the registrations in the database)."""

    def __init__(self, http: httpx.Client, cache_seconds: float) -> None:
        self._http = http
        self._cache_seconds = cache_seconds
        self._sets: dict[str, JwksKeySet] = {}
        self._lock = threading.Lock()

    def for_url(self, url: str) -> JwksKeySet:
        with self._lock:
            key_set = self._sets.get(url)
            if key_set is None:
                key_set = JwksKeySet(url, self._http, self._cache_seconds)
                self._sets[url] = key_set
            return key_set


@dataclass(frozen=True)
class ValidLaunch:
    platform: LtiPlatform
    claims: dict[str, Any]

    @property
    def message_type(self) -> str:
        return str(self.claims[MESSAGE_TYPE])

    @property
    def subject(self) -> str:
        return str(self.claims["sub"])

    @property
    def roles(self) -> list[str]:
        return [str(role) for role in self.claims.get(ROLES, [])]

    @property
    def target_link_uri(self) -> str:
        return str(self.claims[TARGET_LINK_URI])


def _take_login_state(session: Session, state: str) -> LtiLoginState:
    login = session.get(LtiLoginState, state_digest(state)) if state else None
    if login is None:
        raise InvalidLaunch("Unknown or already used state")
    session.delete(login)
    session.flush()
    if login.expires_at < utcnow():
        raise InvalidLaunch("The login has expired; start the launch again")
    return login


def _verified_claims(
    id_token: str, platform: LtiPlatform, key_sets: PlatformKeySets, leeway: float
) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.InvalidTokenError as exc:
        raise InvalidLaunch("The id_token is not a JWT") from exc
    # Security Framework §5.1.3 step 1 and §6.1: RS256, the key named by kid.
    if header.get("alg") != ID_TOKEN_ALGORITHM:
        raise InvalidLaunch("The id_token must be signed with RS256")
    kid = header.get("kid")
    try:
        key = key_sets.for_url(platform.jwks_url).key_for(
            kid if isinstance(kid, str) else None, ID_TOKEN_ALGORITHM
        )
        claims: dict[str, Any] = jwt.decode(
            id_token,
            key,
            algorithms=[ID_TOKEN_ALGORITHM],
            # Steps 2 and 3: iss is the registered issuer, aud contains our client id.
            issuer=platform.issuer,
            audience=platform.client_id,
            leeway=leeway,
            options={"require": ["iss", "aud", "exp", "iat", "nonce", "sub"]},
        )
    except InvalidToken as exc:
        raise InvalidLaunch(exc.message) from exc
    except jwt.InvalidTokenError as exc:
        raise InvalidLaunch(f"The id_token was refused: {exc}") from exc
    return claims


def _check_authorized_party(claims: dict[str, Any], client_id: str) -> None:
    # Steps 4 and 5: with several audiences azp is required; when present it is us.
    audience = claims["aud"]
    several = isinstance(audience, list) and len(audience) > 1
    if several and "azp" not in claims:
        raise InvalidLaunch("An id_token for several audiences must name azp")
    if "azp" in claims and claims["azp"] != client_id:
        raise InvalidLaunch("The id_token's azp is not this tool's client id")


def _check_lti_claims(
    session: Session, claims: dict[str, Any], platform: LtiPlatform, login: LtiLoginState
) -> None:
    if claims.get(VERSION) != LTI_VERSION:
        raise InvalidLaunch("Only LTI version 1.3.0 is supported")
    message_type = claims.get(MESSAGE_TYPE)
    if message_type not in SUPPORTED_MESSAGE_TYPES:
        raise InvalidLaunch(f"Unsupported LTI message type: {message_type!r}")
    deployment_id = claims.get(DEPLOYMENT_ID)
    if not isinstance(deployment_id, str) or not platforms.has_deployment(
        session, platform.id, deployment_id
    ):
        raise InvalidLaunch("The deployment id is not registered for this platform")
    roles = claims.get(ROLES)
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        raise InvalidLaunch("The roles claim must be a list of strings")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise InvalidLaunch("The id_token must name its user (sub)")
    # LTI Core §5.3.4: the launch goes where the login said it would.
    if claims.get(TARGET_LINK_URI) != login.target_link_uri:
        raise InvalidLaunch("target_link_uri differs from the one of the login")
    if message_type == RESOURCE_LINK_REQUEST:
        link = claims.get(RESOURCE_LINK)
        if not isinstance(link, dict) or not isinstance(link.get("id"), str):
            raise InvalidLaunch("A resource link launch needs the resource_link claim with id")
    if message_type == DEEP_LINKING_REQUEST:
        settings = claims.get(DEEP_LINKING_SETTINGS)
        if not isinstance(settings, dict) or not isinstance(
            settings.get("deep_link_return_url"), str
        ):
            raise InvalidLaunch("A deep linking request needs deep_link_return_url")


def _use_nonce(session: Session, claims: dict[str, Any], login: LtiLoginState) -> None:
    nonce = claims["nonce"]
    # Step 9: the nonce is the one sent with this login, and accepted only once.
    if nonce != login.nonce:
        raise InvalidLaunch("The id_token's nonce is not the one of this login")
    now = utcnow()
    session.execute(delete(LtiUsedNonce).where(LtiUsedNonce.expires_at < now))
    used = session.scalar(
        select(LtiUsedNonce.nonce).where(
            LtiUsedNonce.platform_id == login.platform_id, LtiUsedNonce.nonce == nonce
        )
    )
    if used is not None:
        raise InvalidLaunch("The id_token's nonce was already used")
    expires_at = datetime.fromtimestamp(float(claims["exp"]), UTC)
    session.add(LtiUsedNonce(platform_id=login.platform_id, nonce=nonce, expires_at=expires_at))
    session.flush()


def validate_launch(
    session: Session,
    key_sets: PlatformKeySets,
    *,
    id_token: str,
    state: str,
    leeway_seconds: float,
) -> ValidLaunch:
    if "\x00" in id_token or "\x00" in state:
        raise InvalidLaunch("Launch parameters must not contain NUL characters")
    login = _take_login_state(session, state)
    platform = platforms.get_platform(session, login.platform_id)
    claims = _verified_claims(id_token, platform, key_sets, leeway_seconds)
    _check_authorized_party(claims, platform.client_id)
    # Step 7: iat not in the future (checked by PyJWT) and not too old.
    issued_at = datetime.fromtimestamp(float(claims["iat"]), UTC)
    if utcnow() - issued_at > MAX_TOKEN_AGE + timedelta(seconds=leeway_seconds):
        raise InvalidLaunch("The id_token was issued too long ago")
    _check_lti_claims(session, claims, platform, login)
    _use_nonce(session, claims, login)
    return ValidLaunch(platform=platform, claims=claims)
