"""The web app's shared page machinery: one Jinja2 environment, the base layout's
context (navigation per role, the CSRF token), security headers, and a route class
that turns an ``AppError`` into an HTML error page instead of the API's JSON.

Every page calls the same service functions as the API; handlers here only parse the
form, call one service and render or redirect (post/redirect/get).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from learnloop.auth.csrf import CsrfTokenInvalid, csrf_token_for_request
from learnloop.auth.dependencies import resolve_user
from learnloop.auth.models import User
from learnloop.config import Settings
from learnloop.deps import SessionDep, SettingsDep
from learnloop.errors import AppError, Forbidden

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))

# Pages run only this server's scripts and styles (nothing from the internet); the
# preview and play pages frame the player page of this same server.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; "
        "form-action 'self'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class NavLink:
    href: str
    label: str


TEACHER_NAV = (
    NavLink("/library", "Content library"),
    NavLink("/classes", "Classes"),
    NavLink("/dashboard", "Dashboard"),
)
LEARNER_NAV = (NavLink("/my-assignments", "My assignments"), NavLink("/my-progress", "Progress"))
ADMIN_NAV = (NavLink("/admin", "Admin"), *TEACHER_NAV)


def navigation(user: User | None) -> tuple[NavLink, ...]:
    if user is None:
        return ()
    if user.is_admin:
        return ADMIN_NAV
    if user.is_teacher:
        return TEACHER_NAV
    return LEARNER_NAV


def home_path(user: User) -> str:
    """Where a role starts: a learner never lands on a teacher page (and its 403)."""
    if user.is_admin:
        return "/admin"
    if user.is_teacher:
        return "/library"
    return "/my-assignments"


def human_datetime(value: datetime | str | None) -> str:
    """``3 Dec 2026, 14:05 UTC``: no microseconds, no ISO ``T``."""
    if value is None or value == "":
        return "–"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def human_date(value: datetime | str | None) -> str:
    if value is None or value == "":
        return "–"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{moment.day} {moment:%b %Y}"


def percent(value: float | None, *, fraction: bool = False) -> str:
    """``67 %`` for 66.67 (or for 0.6667 with ``fraction``); a dash for no value."""
    if value is None:
        return "–"
    return f"{round(value * 100 if fraction else value)} %"


def duration(milliseconds: int | float | None) -> str:
    if not milliseconds:
        return "–"
    seconds = int(milliseconds // 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {seconds} s"
    return f"{seconds} s"


TEMPLATES.env.filters["human_datetime"] = human_datetime
TEMPLATES.env.filters["human_date"] = human_date
TEMPLATES.env.filters["percent"] = percent
TEMPLATES.env.filters["duration"] = duration


def page_user(request: Request, session: SessionDep, settings: SettingsDep) -> User | None:
    """The signed-in user from the cookie; an expired or bad token counts as signed out."""
    try:
        user = resolve_user(request, session, settings)
    except CsrfTokenInvalid:
        raise  # a cookie write without its token is refused (403), not treated as signed out
    except AppError:
        return None
    if user is not None and not user.is_active:
        return None
    request.state.page_user = user
    return user


PageUser = Annotated[User | None, Depends(page_user)]


class SignInRequired(Exception):
    """Raised by page dependencies when nobody is signed in; answered with a redirect."""


def signed_in(user: PageUser) -> User:
    if user is None:
        raise SignInRequired
    return user


def teacher(user: Annotated[User, Depends(signed_in)]) -> User:
    if not user.is_teacher:
        raise Forbidden("This page is for teachers.")
    return user


def admin(user: Annotated[User, Depends(signed_in)]) -> User:
    if not user.is_admin:
        raise Forbidden("This page is for administrators.")
    return user


SignedIn = Annotated[User, Depends(signed_in)]
TeacherPage = Annotated[User, Depends(teacher)]
AdminPage = Annotated[User, Depends(admin)]


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    user: User | None,
    status_code: int = 200,
) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    base = {
        "user": user,
        "nav": navigation(user),
        "current_path": request.url.path,
        "csrf_token": csrf_token_for_request(request, settings, user) if user else None,
        "notice": NOTICES.get(request.query_params.get("done", "")),
    }
    response = TEMPLATES.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )
    response.headers.update(PAGE_HEADERS)
    return response


def redirect(path: str, done: str | None = None) -> RedirectResponse:
    """Post/redirect/get; ``done`` names one of NOTICES (never free text from a request)."""
    if done is not None:
        path = f"{path}{'&' if '?' in path else '?'}done={done}"
    return RedirectResponse(path, status_code=303)


NOTICES = {
    "uploaded": "Upload finished.",
    "renamed": "Renamed.",
    "saved": "Saved.",
    "deleted": "Deleted.",
    "created": "Created.",
    "assigned": "Assigned.",
    "unassigned": "Assignment removed.",
    "added": "Learners added.",
    "removed": "Learner removed.",
    "retried": "The job will run again.",
    "revoked": "Revoked.",
}


def error_page(request: Request, error: AppError) -> HTMLResponse:
    return render(
        request,
        "layout/error.html",
        {"message": error.message, "status": error.status_code},
        user=getattr(request.state, "page_user", None),
        status_code=error.status_code,
    )


def sign_in_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        target = request.url.path
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


class PageRoute(APIRoute):
    """Pages answer errors as pages: a signed-out visitor is sent to sign in, and an
    ``AppError`` (403, 404, 400 …) becomes the error page with the same status."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                return sign_in_redirect(request)
            except AppError as error:
                return error_page(request, error)

        return page_handler
