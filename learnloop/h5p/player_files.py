"""Content files for the player through signed URLs.

H5P core builds content file URLs as ``contentUrl + "/" + path`` and the browser fetches
them with ``<img>``, ``<audio>``, CSS … which carry no ``Authorization`` header and, in
an iframe on another site, often no cookie either (SameSite). A query token cannot be
appended because the path comes after ``contentUrl``. So the player model's
``contentUrl`` holds a grant in the path: ``/h5p/play-files/<contentId>/<grant>``, where
the grant names the user and an expiry and is signed (HMAC-SHA256, JWT secret) over the
content id, user id and expiry. Each file request re-checks that the user still may
read the content, so revoking access (content made private) takes effect at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from sqlalchemy.orm import Session

from learnloop.auth.models import User
from learnloop.config import Settings
from learnloop.errors import Forbidden
from learnloop.h5p.content import readable_content

FILES_PREFIX = "/h5p/play-files"


class InvalidFileGrant(Forbidden):
    code = "invalid-file-grant"


def _signature(settings: Settings, content_id: str, user_id: str, expires: int) -> str:
    message = f"learnloop-h5p-files:{content_id}:{user_id}:{expires}".encode()
    digest = hmac.new(settings.jwt_secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _encode(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).rstrip(b"=").decode()


def _decode(value: str) -> str:
    padded = value + "=" * (-len(value) % 4)
    return base64.urlsafe_b64decode(padded.encode()).decode()


def file_grant(settings: Settings, content_id: str, user_id: str, now: float | None = None) -> str:
    expires = int((now if now is not None else time.time()) + settings.jwt_ttl_seconds)
    signature = _signature(settings, content_id, user_id, expires)
    return f"{_encode(user_id)}.{expires}.{signature}"


def content_files_url(settings: Settings, content_id: str, user_id: str) -> str:
    return f"{FILES_PREFIX}/{content_id}/{file_grant(settings, content_id, user_id)}"


def verify_grant(settings: Settings, content_id: str, grant: str, now: float | None = None) -> str:
    """The user id the grant was issued to; 403 when forged, for other content or expired."""
    try:
        encoded_user, expires_text, signature = grant.split(".")
        user_id = _decode(encoded_user)
        expires = int(expires_text)
    except ValueError:
        raise InvalidFileGrant("Invalid file link") from None
    expected = _signature(settings, content_id, user_id, expires)
    if not hmac.compare_digest(expected, signature):
        raise InvalidFileGrant("Invalid file link")
    if expires < (now if now is not None else time.time()):
        raise InvalidFileGrant("This file link has expired; reload the player")
    return user_id


def granted_user(session: Session, settings: Settings, content_id: str, grant: str) -> User:
    user_id = verify_grant(settings, content_id, grant)
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise InvalidFileGrant("Invalid file link")
    readable_content(session, user, content_id)
    return user
