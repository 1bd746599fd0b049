"""OIDC third-party initiated login (LTI Core 1.3 §4.1, Security Framework 1.0 §5.1.1):
the platform names itself and the user hint; the tool answers with an authentication
request to the platform, carrying a fresh ``state`` and ``nonce`` it keeps server-side."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from sqlalchemy import delete
from sqlalchemy.orm import Session

from learnloop.db import utcnow
from learnloop.lti import platforms
from learnloop.lti.errors import InvalidLogin
from learnloop.lti.models import LtiLoginState, LtiPlatform

# Long enough for a user to get through the platform's authentication redirect.
LOGIN_STATE_TTL = timedelta(minutes=10)
LAUNCH_PATH = "/lti/launch"


@dataclass(frozen=True)
class LoginInitiation:
    issuer: str
    login_hint: str
    target_link_uri: str
    client_id: str | None = None
    lti_message_hint: str | None = None
    lti_deployment_id: str | None = None


def state_digest(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def launch_url(base_url: str) -> str:
    return base_url.rstrip("/") + LAUNCH_PATH


def _platform_for(session: Session, initiation: LoginInitiation) -> LtiPlatform:
    if initiation.client_id:
        platform = platforms.find_platform(session, initiation.issuer, initiation.client_id)
        if platform is None:
            raise InvalidLogin("No LTI platform is registered with this issuer and client id")
        return platform
    candidates = platforms.platforms_of_issuer(session, initiation.issuer)
    if len(candidates) != 1:
        raise InvalidLogin(
            "No LTI platform is registered with this issuer"
            if not candidates
            else "Several registrations share this issuer; the login must name client_id"
        )
    return candidates[0]


def start_login(session: Session, base_url: str, initiation: LoginInitiation) -> str:
    """The URL of the platform's authentication request the browser is sent to."""
    if any("\x00" in value for value in vars(initiation).values() if isinstance(value, str)):
        raise InvalidLogin("Login parameters must not contain NUL characters")
    if not initiation.issuer or not initiation.login_hint or not initiation.target_link_uri:
        raise InvalidLogin("iss, login_hint and target_link_uri are required")
    # Only links into this tool are followed (LTI Core §4.1: the tool must check it).
    if not initiation.target_link_uri.startswith(base_url.rstrip("/") + "/"):
        raise InvalidLogin("target_link_uri does not point at this tool")
    platform = _platform_for(session, initiation)
    if initiation.lti_deployment_id is not None and not platforms.has_deployment(
        session, platform.id, initiation.lti_deployment_id
    ):
        raise InvalidLogin("Unknown deployment id")
    now = utcnow()
    session.execute(delete(LtiLoginState).where(LtiLoginState.expires_at < now))
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    session.add(
        LtiLoginState(
            state_hash=state_digest(state),
            platform_id=platform.id,
            nonce=nonce,
            target_link_uri=initiation.target_link_uri,
            expires_at=now + LOGIN_STATE_TTL,
        )
    )
    session.flush()
    parameters = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": launch_url(base_url),
        "login_hint": initiation.login_hint,
        "state": state,
        "nonce": nonce,
    }
    if initiation.lti_message_hint is not None:
        parameters["lti_message_hint"] = initiation.lti_message_hint
    separator = "&" if "?" in platform.auth_login_url else "?"
    return platform.auth_login_url + separator + urlencode(parameters)
