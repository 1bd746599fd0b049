"""CSRF protection for callers authenticated by the ``learnloop_token`` cookie.

The contract: every state-changing request (POST/PUT/PATCH/DELETE) authenticated by
the cookie carries the session's CSRF token, in the ``X-CSRF-Token`` header, the
``csrf`` query parameter, or the ``csrf_token`` form field (urlencoded or multipart).
It is enforced where the cookie becomes a user
(:func:`learnloop.auth.dependencies.resolve_user`), so no route can forget it; the
token itself is described in :mod:`learnloop.auth.csrf_tokens`. Bearer, ``?token=`` and
HTTP Basic callers present their credential explicitly, which a page on another origin
cannot make a browser do, so they need no token.

Pages get the token from :func:`csrf_token_for_request` and put it into
``<meta name="csrf-token">``, hidden ``csrf_token`` inputs and ``hx-headers``.

Signing in has no session yet (login CSRF would sign the victim into the attacker's
account): :func:`ensure_same_origin_sign_in` refuses a login a browser sends from
another origin, using the Fetch Metadata and Origin headers the browser sets itself.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request

from learnloop.auth.cookies import TOKEN_COOKIE
from learnloop.auth.csrf_tokens import (
    CSRF_FORM_FIELD,
    CSRF_HEADER,
    CSRF_PARAMETER,
    CsrfTokenInvalid,
    check_cookie_write,
    csrf_token,
)
from learnloop.auth.dependencies import get_current_user
from learnloop.auth.models import User
from learnloop.config import Settings
from learnloop.errors import Forbidden

__all__ = [
    "CSRF_FORM_FIELD",
    "CSRF_HEADER",
    "CSRF_PARAMETER",
    "CrossSiteSignIn",
    "CsrfCheckedUser",
    "CsrfTokenInvalid",
    "csrf_token",
    "csrf_token_for_request",
    "ensure_same_origin_sign_in",
    "is_cookie_caller",
    "verify_csrf",
]

# Sec-Fetch-Site values of requests a page of this origin (or the user) started.
SAME_ORIGIN_FETCH_SITES = frozenset({"same-origin", "none"})


class CrossSiteSignIn(Forbidden):
    code = "cross-site-sign-in"


def is_cookie_caller(request: Request) -> bool:
    return getattr(request.state, "auth_method", None) == "cookie"


def csrf_token_for_request(request: Request, settings: Settings, user: User) -> str | None:
    """The token pages embed; None when the caller authenticated otherwise and needs none."""
    if not is_cookie_caller(request):
        return None
    return csrf_token(settings, user.id, request.cookies.get(TOKEN_COOKIE, ""))


def verify_csrf(request: Request, settings: Settings, user: User) -> None:
    """The check :func:`resolve_user` already made, for code that wants to be explicit."""
    if is_cookie_caller(request):
        check_cookie_write(request, settings, user.id, request.cookies.get(TOKEN_COOKIE, ""))


CsrfCheckedUser = Annotated[User, Depends(get_current_user)]
"""The current user; cookie callers' writes have passed the CSRF check in resolve_user."""


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def ensure_same_origin_sign_in(request: Request, settings: Settings) -> None:
    """Refuse a sign-in a browser sent on behalf of a page of another origin.

    Browsers set ``Sec-Fetch-Site`` and ``Origin`` themselves (a page cannot forge
    them); scripts and API clients send neither and are not affected.
    """
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site.lower() not in SAME_ORIGIN_FETCH_SITES:
        raise CrossSiteSignIn("Sign-in requests from other sites are refused")
    origin = request.headers.get("origin")
    if origin is None:
        return
    own_origins = {_origin_of(settings.base_url), _origin_of(str(request.base_url))}
    if origin.lower() not in own_origins:
        raise CrossSiteSignIn("Sign-in requests from other origins are refused")
