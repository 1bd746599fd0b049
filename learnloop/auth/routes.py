from __future__ import annotations

from fastapi import APIRouter, Request, Response

from learnloop.auth import login_throttle, users
from learnloop.auth.cookies import TOKEN_COOKIE
from learnloop.auth.csrf import ensure_same_origin_sign_in
from learnloop.auth.dependencies import CurrentUser, RequireAdmin
from learnloop.auth.errors import InvalidCredentials
from learnloop.auth.login_throttle import ClockDep, SignInAttempt
from learnloop.auth.models import Role
from learnloop.auth.schemas import (
    CreateUserRequest,
    LoginData,
    LoginRequest,
    UpdateUserRequest,
    UserOut,
)
from learnloop.auth.sign_out import sign_out
from learnloop.auth.tokens import issue_token
from learnloop.deps import SessionDep, SettingsDep
from learnloop.envelope import Envelope, ok
from learnloop.errors import error_response

router = APIRouter(tags=["auth"])


@router.post(
    "/api/auth/login",
    response_model=Envelope[LoginData],
    responses={
        401: {"description": "Wrong email or password (counted by the rate limit)"},
        403: {"description": "Sent by a browser from another origin (login CSRF)"},
        429: {"description": "Too many failed sign-ins; Retry-After gives the seconds left"},
    },
)
def login(
    body: LoginRequest,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    response: Response,
) -> Envelope[LoginData] | Response:
    ensure_same_origin_sign_in(request, settings)
    attempt = SignInAttempt(body.email, login_throttle.client_address(request))
    now = clock()
    login_throttle.ensure_allowed(session, attempt, now)
    try:
        user = users.authenticate(session, body.email, body.password)
    except InvalidCredentials as failure:
        login_throttle.record_failure(session, settings, attempt, now)
        # Answered rather than raised: the request's transaction must commit the count.
        return error_response(request.url.path, failure.status_code, failure.message)
    login_throttle.record_success(session, settings, attempt, now)
    token, expires_at = issue_token(settings, user)
    # The cookie lets server-rendered pages authenticate; API clients use the token.
    response.set_cookie(
        TOKEN_COOKIE,
        token,
        max_age=settings.jwt_ttl_seconds,
        httponly=True,
        samesite="lax",
        secure=settings.base_url.startswith("https://"),
    )
    return ok(LoginData(token=token, expiresAt=expires_at, user=UserOut.of(user)))


@router.post("/api/auth/logout")
def logout(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    response: Response,
) -> Envelope[None]:
    """Revoke the presented token (bearer, ``?token=`` or cookie) and drop the cookie."""
    sign_out(request, session, settings, clock())
    response.delete_cookie(TOKEN_COOKIE)
    return ok(None)


@router.get("/api/auth/me")
def me(user: CurrentUser) -> Envelope[UserOut]:
    return ok(UserOut.of(user))


@router.get("/api/admin/users")
def list_users(
    _admin: RequireAdmin, session: SessionDep, role: Role | None = None
) -> Envelope[list[UserOut]]:
    return ok([UserOut.of(user) for user in users.list_users(session, role)])


@router.post("/api/admin/users", status_code=201)
def create_user(
    body: CreateUserRequest, _admin: RequireAdmin, session: SessionDep
) -> Envelope[UserOut]:
    user = users.create_user(
        session,
        email=body.email,
        display_name=body.displayName,
        role=body.role,
        password=body.password,
    )
    return ok(UserOut.of(user))


@router.patch("/api/admin/users/{user_id}")
def update_user(
    user_id: str, body: UpdateUserRequest, _admin: RequireAdmin, session: SessionDep
) -> Envelope[UserOut]:
    user = users.get_user(session, user_id)
    if body.role is not None:
        users.set_role(session, user, body.role)
    if body.displayName is not None:
        user.display_name = body.displayName
    if body.isActive is not None:
        users.set_active(session, user, body.isActive)
    session.flush()
    return ok(UserOut.of(user))
