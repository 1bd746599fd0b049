"""Play grants: how a cmi5 launch of H5P content plays without a LearnLoop session.

A learner who opens a launch URL of an H5P content AU in a fresh browser has no
``learnloop_token`` cookie; the launch itself (fetch URL → auth token, cmi5 8.2) is their
only credential, as for any other AU (issue 13 item 5). The AU page therefore trades the
auth token for a play grant, ``<session id>.<expiry>.<signature>``, and frames
``/h5p/embed/{contentId}?grant=…``. The grant:

- is signed (HMAC-SHA256 with the server's JWT secret) over the AU session id, the
  content id and the expiry, so it cannot be forged or moved to other content;
- expires after ``PLAY_GRANT_TTL_SECONDS`` (it is only needed to load the player page);
- is honoured only while the AU session is open (launched or initialized) and its auth
  token unexpired: a terminated or abandoned session plays nothing (cmi5 9.3.0.0-5
  ends the session's authority);
- is accepted by the player page alone (query parameter ``grant``, never a bearer
  token), and plays the content read-only: the player's own xAPI capture, saved
  ``contentUserData`` and ``setFinished`` are off, since the AU page already turns the
  content's xAPI events into the AU's cmi5 statements with the auth token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from learnloop.cmi5.au_auth import AuGrant
from learnloop.cmi5.errors import Cmi5Error
from learnloop.cmi5.models import OPEN_SESSION_STATES, Cmi5Registration, Cmi5Session
from learnloop.cmi5.registrations import actor_for
from learnloop.db import utcnow
from learnloop.errors import Forbidden, Unauthorized

PLAY_GRANT_TTL_SECONDS = 300
MAX_GRANT_LENGTH = 256


class InvalidPlayGrant(Cmi5Error, Forbidden):
    """A play grant that is forged, expired, for other content or for a closed session."""

    code = "cmi5.invalid_play_grant"


class AuCredentialRequired(Cmi5Error, Unauthorized):
    """No valid AU auth token. Answered without ``WWW-Authenticate: Basic`` so that a
    browser shows no login dialog inside the AU (issue 13 item 6)."""

    code = "cmi5.au_credential_required"


@dataclass(frozen=True)
class IssuedPlayGrant:
    grant: str
    expires_at: int  # Unix seconds


@dataclass(frozen=True)
class PlayGrant:
    """What a valid grant lets the player page do: play ``content_id`` for ``actor``."""

    session_id: str
    registration_id: str
    content_id: str
    actor: dict[str, Any]
    # Who registered the learner (the content owner or an admin): the player's content
    # file links are issued in their name when the learner has no account that may read.
    registration_owner_id: str | None
    learner_id: str


def _signature(secret: str, session_id: str, content_id: str, expires: int) -> str:
    message = f"learnloop-cmi5-play:{session_id}:{content_id}:{expires}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issue_play_grant(
    session: Session, secret: str, au: AuGrant, content_id: str, now: float | None = None
) -> IssuedPlayGrant:
    """A grant for the AU session of ``au`` to play ``content_id``; 403 when the session
    is closed or the registration is not one of this content."""
    if not au.session_open:
        raise InvalidPlayGrant("The AU session has ended (cmi5 9.3.0.0-5)")
    registration = session.get(Cmi5Registration, au.registration_id)
    if registration is None or registration.content_id != content_id:
        raise InvalidPlayGrant("This AU session is not a launch of this content")
    expires = int((now if now is not None else time.time()) + PLAY_GRANT_TTL_SECONDS)
    signature = _signature(secret, au.session_id, content_id, expires)
    return IssuedPlayGrant(grant=f"{au.session_id}.{expires}.{signature}", expires_at=expires)


def verify_play_grant(
    session: Session, secret: str, grant: str, content_id: str, now: float | None = None
) -> PlayGrant:
    """The grant's AU session and learner; InvalidPlayGrant (403) otherwise."""
    parts = grant.split(".") if len(grant) <= MAX_GRANT_LENGTH and "\x00" not in grant else []
    if len(parts) != 3 or not parts[1].isdigit():
        raise InvalidPlayGrant("Invalid play grant")
    session_id, expires_text, signature = parts
    expires = int(expires_text)
    expected = _signature(secret, session_id, content_id, expires)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise InvalidPlayGrant("Invalid play grant")
    if expires < (now if now is not None else time.time()):
        raise InvalidPlayGrant("This play grant has expired; launch the AU again")
    cmi5_session = session.get(Cmi5Session, session_id)
    if cmi5_session is None or cmi5_session.state not in OPEN_SESSION_STATES:
        raise InvalidPlayGrant("The AU session has ended (cmi5 9.3.0.0-5)")
    if cmi5_session.auth_expires_at is None or cmi5_session.auth_expires_at <= utcnow():
        raise InvalidPlayGrant("The AU session's auth token has expired")
    registration = session.get(Cmi5Registration, cmi5_session.registration_id)
    if registration is None or registration.content_id != content_id:
        raise InvalidPlayGrant("Invalid play grant")
    return PlayGrant(
        session_id=cmi5_session.id,
        registration_id=registration.id,
        content_id=content_id,
        actor=actor_for(registration),
        registration_owner_id=registration.owner_id,
        learner_id=registration.learner_id,
    )
