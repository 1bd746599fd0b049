"""What an AU may do on the LRS with the auth token from its fetch URL.

The token is Basic credentials ``<auth key>:<secret>`` bound to one AU session. It lets
the AU read its ``LMS.LaunchData``, read and write its own state, read
``cmi5LearnerPreferences``, and write statements for its own session only (the statement
rules in ``session_rules`` check the last part).
"""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.cmi5.fetch import AUTH_KEY_PREFIX, hash_token
from learnloop.cmi5.models import OPEN_SESSION_STATES, Cmi5Registration, Cmi5Session
from learnloop.cmi5.registrations import actor_for
from learnloop.cmi5.vocabulary import LAUNCH_DATA_STATE_ID, LEARNER_PREFERENCES_PROFILE_ID
from learnloop.db import utcnow
from learnloop.xapi.agents import account_agent, agent_key
from learnloop.xapi.callers import XapiCaller

AU_AUTHORITY_PATH = "/cmi5/au-sessions"
# What the LRS scopes of an AU caller are (xAPI-Communication 4.2); the finer limits are
# enforced by ``may_use_document`` and the statement rules.
AU_SCOPES = frozenset({"statements/write", "statements/read/mine", "state", "profile"})


@dataclass(frozen=True)
class AuGrant:
    session_id: str
    registration_id: str
    au_id: str
    launch_activity_id: str
    actor: dict[str, Any]
    auth_key: str
    # False once the session is terminated or abandoned: reads only.
    session_open: bool = True

    @property
    def actor_key(self) -> str | None:
        return agent_key(self.actor)


def decode_basic(credentials: str) -> tuple[str, str] | None:
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    key, separator, secret = decoded.partition(":")
    return (key, secret) if separator else None


def is_au_key(key: str) -> bool:
    return key.startswith(AUTH_KEY_PREFIX)


def authenticate_auth_token(session: Session, key: str, secret: str) -> AuGrant | None:
    """The grant of a valid, unexpired auth token; None otherwise."""
    if not is_au_key(key):
        return None
    cmi5_session = session.scalar(select(Cmi5Session).where(Cmi5Session.auth_key == key))
    if cmi5_session is None or cmi5_session.auth_secret_hash is None:
        hmac.compare_digest(hash_token("no-such-token"), hash_token(secret))
        return None
    if not hmac.compare_digest(cmi5_session.auth_secret_hash, hash_token(secret)):
        return None
    if cmi5_session.auth_expires_at is None or cmi5_session.auth_expires_at <= utcnow():
        return None
    registration = session.get(Cmi5Registration, cmi5_session.registration_id)
    if registration is None:
        return None
    return AuGrant(
        session_id=cmi5_session.id,
        registration_id=registration.id,
        au_id=cmi5_session.au_id,
        launch_activity_id=cmi5_session.launch_activity_id,
        actor=actor_for(registration),
        auth_key=key,
        session_open=cmi5_session.state in OPEN_SESSION_STATES,
    )


def authenticate_basic(session: Session, credentials: str) -> AuGrant | None:
    """``credentials``: the part after ``Basic `` of an Authorization header."""
    pair = decode_basic(credentials)
    return None if pair is None else authenticate_auth_token(session, *pair)


def au_authority(base_url: str, auth_key: str) -> dict[str, Any]:
    return account_agent(f"{base_url.rstrip('/')}{AU_AUTHORITY_PATH}", auth_key, "cmi5 AU session")


def au_caller(grant: AuGrant, base_url: str) -> XapiCaller:
    """The LRS caller for an AU: statements are written with an authority naming the
    session's auth key, which is how ``session_rules`` recognises them."""
    key = grant.actor_key
    return XapiCaller(
        authority=au_authority(base_url, grant.auth_key),
        scopes=AU_SCOPES,
        own_actor_keys=(key,) if key else (),
    )


def auth_key_of_authority(authority: dict[str, Any]) -> str | None:
    """The auth key when ``authority`` is that of an AU caller, else None."""
    account = authority.get("account")
    if not isinstance(account, dict):
        return None
    name = str(account.get("name", ""))
    home_page = str(account.get("homePage", ""))
    if is_au_key(name) and home_page.endswith(AU_AUTHORITY_PATH):
        return name
    return None


def may_use_document(
    grant: AuGrant,
    *,
    resource: str,
    activity_id: str,
    agent: str,
    registration: str,
    document_id: str | None,
    write: bool,
) -> bool:
    """Document access of an AU (cmi5 10, 11). ``resource``: "state", "agent_profile" or
    "activity_profile"; ``agent`` is an agent identity key (learnloop.xapi.agents)."""
    if agent != grant.actor_key:
        return False
    if resource == "state":
        if activity_id != grant.launch_activity_id or registration != grant.registration_id:
            return False
        # LMS.LaunchData is the LMS's document: the AU reads it (cmi5 10.0).
        return not (write and document_id in (LAUNCH_DATA_STATE_ID, None))
    if resource == "agent_profile":
        return not write and document_id in (LEARNER_PREFERENCES_PROFILE_ID, None)
    return False
