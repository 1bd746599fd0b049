"""The CSRF token of a cookie session, and the check every cookie-authenticated write passes.

A browser attaches the ``learnloop_token`` cookie to requests other pages make it send:
another port of the same host is the same *site*, so ``SameSite=Lax`` does not stop a
form POST from there. Every state-changing request authenticated by the cookie must
therefore carry this token, which such a page cannot read: in the ``X-CSRF-Token``
header, the ``csrf`` query parameter, or the ``csrf_token`` form field (urlencoded or
multipart, found by :mod:`learnloop.auth.csrf_forms` before routing).

The token is an HMAC with the JWT secret over the user id and a hash of the session's
cookie token: stateless (any process can check it), bound to this user *and* session,
and useless once the cookie changes.
"""

from __future__ import annotations

import hashlib
import hmac

from starlette.requests import Request

from learnloop.config import Settings
from learnloop.errors import Forbidden

CSRF_PARAMETER = "csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FORM_FIELD = "csrf_token"
# Where csrf_forms leaves a token it found in the body or took from an /xapi query.
PRESENTED_TOKEN_STATE = "csrf_presented_token"  # noqa: S105 - a state key
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class CsrfTokenInvalid(Forbidden):
    code = "csrf-token-invalid"


def csrf_token(settings: Settings, user_id: str, session_token: str) -> str:
    session_hash = hashlib.sha256(session_token.encode()).hexdigest()
    message = f"learnloop-csrf:{user_id}:{session_hash}".encode()
    return hmac.new(settings.jwt_secret.encode(), message, hashlib.sha256).hexdigest()


def presented_csrf_token(request: Request) -> str:
    form_token = getattr(request.state, PRESENTED_TOKEN_STATE, None)
    return (
        request.headers.get(CSRF_HEADER)
        or request.query_params.get(CSRF_PARAMETER)
        or (form_token if isinstance(form_token, str) else "")
    )


def check_cookie_write(request: Request, settings: Settings, user_id: str, cookie: str) -> None:
    """Refuse a state-changing request authenticated by the cookie without its token."""
    if request.method not in UNSAFE_METHODS:
        return
    presented = presented_csrf_token(request)
    expected = csrf_token(settings, user_id, cookie)
    if not presented or not hmac.compare_digest(presented.encode(), expected.encode()):
        raise CsrfTokenInvalid(
            "Missing or invalid CSRF token: a request authenticated by the session cookie "
            "must send it in the X-CSRF-Token header, the csrf query parameter or the "
            "csrf_token form field"
        )
