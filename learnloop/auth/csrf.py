"""CSRF tokens for callers authenticated by the ``learnloop_token`` cookie.

A browser sends the cookie with any request another site makes it send, so the H5P
player's POSTs (contentUserData, setFinished) would be open to CSRF for cookie callers
(h5p-completion-tracking, "Security considerations"). As H5P servers do, the token is
put into the AJAX URLs the player model generates and checked on the POST.

The token is an HMAC with the JWT secret over the user id and a hash of the session's
cookie token: stateless (any process can check it), bound to this user *and* session,
and useless once the cookie changes. Bearer and ``?token=`` callers present their
credential explicitly, which a cross-site request cannot do, so they need no token.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

from fastapi import Depends, Request

from learnloop.auth.dependencies import TOKEN_COOKIE, get_current_user
from learnloop.auth.models import User
from learnloop.config import Settings
from learnloop.deps import SettingsDep
from learnloop.errors import Forbidden

CSRF_PARAMETER = "csrf"
CSRF_HEADER = "x-csrf-token"


class CsrfTokenInvalid(Forbidden):
    code = "csrf-token-invalid"


def csrf_token(settings: Settings, user_id: str, session_token: str) -> str:
    session_hash = hashlib.sha256(session_token.encode()).hexdigest()
    message = f"learnloop-csrf:{user_id}:{session_hash}".encode()
    return hmac.new(settings.jwt_secret.encode(), message, hashlib.sha256).hexdigest()


def is_cookie_caller(request: Request) -> bool:
    return getattr(request.state, "auth_method", None) == "cookie"


def csrf_token_for_request(request: Request, settings: Settings, user: User) -> str | None:
    """The token to put into generated URLs; None when the caller needs none."""
    if not is_cookie_caller(request):
        return None
    return csrf_token(settings, user.id, request.cookies.get(TOKEN_COOKIE, ""))


def verify_csrf(request: Request, settings: Settings, user: User) -> None:
    expected = csrf_token_for_request(request, settings, user)
    if expected is None:
        return
    presented = request.query_params.get(CSRF_PARAMETER) or request.headers.get(CSRF_HEADER, "")
    if not presented or not hmac.compare_digest(presented, expected):
        raise CsrfTokenInvalid("Missing or invalid CSRF token")


def require_csrf(
    request: Request, settings: SettingsDep, user: Annotated[User, Depends(get_current_user)]
) -> User:
    """The current user, after the CSRF check for cookie callers."""
    verify_csrf(request, settings, user)
    return user


CsrfCheckedUser = Annotated[User, Depends(require_csrf)]
