"""``/``: signed out → sign in; signed in → the role's home. ``POST /sign-out`` ends the
session from any page (a form with the CSRF token, so another site cannot sign a user
out)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from learnloop.auth.dependencies import TOKEN_COOKIE
from learnloop.deps import SettingsDep
from learnloop.web.layout import PageRoute, PageUser, SignedIn, check_form_csrf, home_path

router = APIRouter(tags=["pages"], include_in_schema=False, route_class=PageRoute)


@router.get("/")
def landing(user: PageUser) -> Response:
    if user is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(home_path(user), status_code=303)


@router.post("/sign-out")
def sign_out(
    request: Request,
    user: SignedIn,
    settings: SettingsDep,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    check_form_csrf(request, settings, user, csrf_token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(TOKEN_COOKIE)
    return response
