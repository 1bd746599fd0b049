from __future__ import annotations

from fastapi import APIRouter, Response

from learnloop.auth import users
from learnloop.auth.dependencies import TOKEN_COOKIE, CurrentUser, RequireAdmin
from learnloop.auth.models import Role
from learnloop.auth.schemas import (
    CreateUserRequest,
    LoginData,
    LoginRequest,
    UpdateUserRequest,
    UserOut,
)
from learnloop.auth.tokens import issue_token
from learnloop.deps import SessionDep, SettingsDep
from learnloop.envelope import Envelope, ok

router = APIRouter(tags=["auth"])


@router.post("/api/auth/login")
def login(
    body: LoginRequest, session: SessionDep, settings: SettingsDep, response: Response
) -> Envelope[LoginData]:
    user = users.authenticate(session, body.email, body.password)
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
def logout(response: Response) -> Envelope[None]:
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
        user.is_active = body.isActive
    session.flush()
    return ok(UserOut.of(user))
