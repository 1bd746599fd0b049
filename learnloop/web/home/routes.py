"""``/``: signed out → sign in; signed in → the role's home. Every page's sign-out form
posts to ``/logout`` (web.dashboard) with the CSRF token."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from learnloop.web.layout import PageRoute, PageUser, home_path

router = APIRouter(tags=["pages"], include_in_schema=False, route_class=PageRoute)


@router.get("/")
def landing(user: PageUser) -> Response:
    if user is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(home_path(user), status_code=303)
