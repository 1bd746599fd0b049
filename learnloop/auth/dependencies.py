"""Who is calling: ``CurrentUser``, ``RequireTeacher``, ``RequireAdmin``.

A token arrives as ``Authorization: Bearer …``, as ``?token=…`` (the reference's form for
iframe embedding), or in the ``learnloop_token`` cookie set by the login page.
``AuthMethod`` tells later checks (CSRF for cookie callers) which one it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Request

from learnloop.auth.cookies import TOKEN_COOKIE
from learnloop.auth.csrf_tokens import check_cookie_write
from learnloop.auth.errors import InvalidToken
from learnloop.auth.jwks import JwksKeySet
from learnloop.auth.models import User
from learnloop.auth.revocation import ensure_not_revoked
from learnloop.auth.tokens import verify_token
from learnloop.auth.users import user_for_claims
from learnloop.deps import SessionDep, SettingsDep
from learnloop.errors import Forbidden, Unauthorized

AuthMethod = Literal["bearer", "query", "cookie"]


@dataclass(frozen=True)
class PresentedToken:
    token: str
    method: AuthMethod


def presented_token(request: Request) -> PresentedToken | None:
    authorization = request.headers.get("authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return PresentedToken(value.strip(), "bearer")
    query_token = request.query_params.get("token")
    if query_token:
        return PresentedToken(query_token, "query")
    cookie_token = request.cookies.get(TOKEN_COOKIE)
    if cookie_token:
        return PresentedToken(cookie_token, "cookie")
    return None


def resolve_user(request: Request, session: SessionDep, settings: SettingsDep) -> User | None:
    """The authenticated user, or None when no token was presented at all.

    Every caller authenticated by the cookie passes here, so this is where a
    state-changing cookie request without its CSRF token is refused (403).
    """
    presented = presented_token(request)
    if presented is None:
        return None
    jwks: JwksKeySet | None = request.app.state.jwks
    verified = verify_token(presented.token, settings, jwks)
    ensure_not_revoked(session, presented.token, verified)
    user = user_for_claims(session, verified)
    if presented.method == "cookie":
        check_cookie_write(request, settings, user.id, presented.token)
    request.state.user_id = user.id
    request.state.auth_method = presented.method
    return user


async def get_current_user(user: Annotated[User | None, Depends(resolve_user)]) -> User:
    if user is None:
        raise Unauthorized("Unauthorized: no token provided")
    return user


async def require_teacher(user: Annotated[User, Depends(get_current_user)]) -> User:
    if not user.is_teacher:
        raise Forbidden("Teacher role required")
    return user


async def require_admin(user: Annotated[User, Depends(get_current_user)]) -> User:
    if not user.is_admin:
        raise Forbidden("Admin role required")
    return user


OptionalUser = Annotated[User | None, Depends(resolve_user)]
CurrentUser = Annotated[User, Depends(get_current_user)]
RequireTeacher = Annotated[User, Depends(require_teacher)]
RequireAdmin = Annotated[User, Depends(require_admin)]


__all__ = [
    "TOKEN_COOKIE",
    "CurrentUser",
    "InvalidToken",
    "OptionalUser",
    "RequireAdmin",
    "RequireTeacher",
]
