"""Server-rendered analytics pages: the teacher dashboard (class overview, content,
student), the learner's "my progress", and a login page. They call the same service
functions as the API; charts are drawn in the browser by Chart.js (served from
node_modules, nothing loaded from the internet)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from learnloop.analytics import classes as class_service
from learnloop.analytics.access import (
    ensure_content_visible,
    overview_audience,
    student_audience,
)
from learnloop.analytics.catalog import content_infos
from learnloop.analytics.class_overview import class_overview, student_rows
from learnloop.analytics.content_analytics import content_detail
from learnloop.analytics.progress import (
    all_progress,
    content_id_from,
    learner_progress_rows,
    user_summary,
)
from learnloop.analytics.students import student_detail
from learnloop.auth.cookies import TOKEN_COOKIE
from learnloop.auth.csrf import csrf_token_for_request
from learnloop.auth.dependencies import resolve_user
from learnloop.auth.login_throttle import ClockDep
from learnloop.auth.models import User
from learnloop.auth.sign_out import sign_out
from learnloop.deps import SessionDep, SettingsDep
from learnloop.errors import AppError, Forbidden
from learnloop.plans.plans import effective_plan, ensure_feature
from learnloop.web.insights.presentation import (
    assigned_completion_rate,
    question_labels,
    split_top_and_weakest,
)
from learnloop.web.layout import duration, human_date, human_datetime, percent

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
# Dates without microseconds, "67 %" rather than 0.6667 (the web app's filters).
TEMPLATES.env.filters.update(
    human_date=human_date, human_datetime=human_datetime, percent=percent, duration=duration
)
# Pages run only this server's scripts and styles (issue 7: "load nothing from the internet").
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

router = APIRouter(tags=["pages"], include_in_schema=False)


def page_user(request: Request, session: SessionDep, settings: SettingsDep) -> User | None:
    """The signed-in user from the cookie; an expired or bad token counts as signed out."""
    try:
        return resolve_user(request, session, settings)
    except AppError:
        return None


PageUser = Annotated[User | None, Depends(page_user)]


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    # Every page's sign-out form (and any script) posts with the session's CSRF token.
    user = context.get("user")
    csrf = (
        csrf_token_for_request(request, request.app.state.settings, user)
        if isinstance(user, User)
        else None
    )
    context = {"csrf_token": csrf, **context}
    response = TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response


def to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def error_page(request: Request, user: User | None, error: AppError) -> HTMLResponse:
    return render(
        request,
        "analytics/error.html",
        {"user": user, "message": error.message, "status": error.status_code},
        status_code=error.status_code,
    )


def ensure_dashboard(session: Session, user: User, default_plan: str) -> None:
    if not user.is_teacher:
        raise Forbidden("The dashboard is for teachers")
    ensure_feature(effective_plan(session, user.plan_id, default_plan), "analytics-dashboard")


def heat_levels(days: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """0–4 intensity per day for the heatmap grid, relative to the busiest day."""
    busiest = max((day["activityCount"] for day in days), default=0)
    return [
        {
            **day,
            "level": 0
            if not day["activityCount"]
            else max(1, -(-day["activityCount"] * 4 // busiest)),
        }
        for day in days
    ]


# "/" sends each role to its own home, so a learner never lands on a teacher page (403).
DEFAULT_NEXT_PATH = "/"


def safe_next_path(next_path: str) -> str:
    r"""``next`` if it is a path on this server, else ``/`` (the role's home).

    An open redirect would make the login page a phishing aid. Browsers drop tabs and
    newlines from URLs and read ``\`` as ``/`` (WHATWG URL), so ``/<TAB>/evil.example``
    or ``/\evil.example`` would leave the site: a control character, a backslash, a
    scheme or a host anywhere refuses the value.
    """
    if not next_path.startswith("/") or next_path.startswith("//"):
        return DEFAULT_NEXT_PATH
    if "\\" in next_path or any(ord(char) < 0x20 or ord(char) == 0x7F for char in next_path):
        return DEFAULT_NEXT_PATH
    parts = urlsplit(next_path)
    if parts.scheme or parts.netloc:
        return DEFAULT_NEXT_PATH
    return next_path


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request,
    user: PageUser,
    next_path: Annotated[str, Query(alias="next", max_length=2000)] = DEFAULT_NEXT_PATH,
) -> Response:
    context = {"user": user, "next": safe_next_path(next_path)}
    return render(request, "analytics/login.html", context)


@router.post("/logout")
def sign_out_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    csrf_token: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    """The pages' sign-out form: revoke the session's token, drop the cookie, go to login.

    The form's ``csrf_token`` is checked where the cookie is resolved (``resolve_user``).
    """
    try:
        sign_out(request, session, settings, clock())
    except AppError as error:
        return error_page(request, None, error)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(TOKEN_COOKIE)
    return response


@router.get("/dashboard", response_class=HTMLResponse)
def overview_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    settings: SettingsDep,
    class_id: Annotated[str | None, Query(alias="classId", max_length=36)] = None,
) -> Response:
    if user is None:
        return to_login(request)
    try:
        ensure_dashboard(session, user, settings.default_plan)
        audience = overview_audience(session, user, class_id)
        overview = class_overview(session, audience)
        students = student_rows(session, audience)
        classes = class_service.list_classes(session, user)
        # For a class, completion counts against every learner × assigned item pair.
        assigned_rate = (
            assigned_completion_rate(session, class_service.get_class(session, user, class_id))
            if class_id
            else None
        )
    except AppError as error:
        return error_page(request, user, error)
    data = overview.model_dump()
    top, weakest = split_top_and_weakest(data["topPerformingContent"], data["weakestContent"])
    data["topPerformingContent"], data["weakestContent"] = top, weakest
    return render(
        request,
        "analytics/overview.html",
        {
            "user": user,
            "overview": data,
            "heatmap": heat_levels(data["activityHeatmap"]),
            "students": students,
            "classes": classes,
            "class_id": class_id,
            "assigned_completion_rate": assigned_rate,
            "chart_data": {
                "topContent": data["topPerformingContent"],
                "weakestContent": data["weakestContent"],
                "topics": data["topTopics"] + data["weakestTopics"],
            },
        },
    )


@router.get("/dashboard/content/{content_id:path}", response_class=HTMLResponse)
def content_page(
    content_id: str, request: Request, user: PageUser, session: SessionDep, settings: SettingsDep
) -> Response:
    if user is None:
        return to_login(request)
    try:
        ensure_dashboard(session, user, settings.default_plan)
        content = content_id_from(content_id)
        ensure_content_visible(session, user, content)
        detail = content_detail(session, settings.base_url, content)
    except AppError as error:
        return error_page(request, user, error)
    data = detail.model_dump()
    # Questions are named by their text (the activity definition), not by sub-content ids.
    labels = question_labels(session, [q["activityId"] for q in data["questionBreakdown"]])
    for question in data["questionBreakdown"]:
        question["label"] = labels.get(question["activityId"], question["questionId"])
    return render(
        request,
        "analytics/content.html",
        {
            "user": user,
            "detail": data,
            "chart_data": {
                "questions": data["questionBreakdown"],
                "distribution": data["scoreDistribution"],
            },
        },
    )


@router.get("/dashboard/student/{student_id}", response_class=HTMLResponse)
def student_page(
    student_id: str,
    request: Request,
    user: PageUser,
    session: SessionDep,
    settings: SettingsDep,
    class_id: Annotated[str | None, Query(alias="classId", max_length=36)] = None,
) -> Response:
    if user is None:
        return to_login(request)
    try:
        ensure_dashboard(session, user, settings.default_plan)
        detail = student_detail(
            session, student_id, student_audience(session, user, student_id, class_id)
        )
    except AppError as error:
        return error_page(request, user, error)
    data = detail.model_dump()
    return render(
        request,
        "analytics/student.html",
        {
            "user": user,
            "detail": data,
            "chart_data": {"topics": data["topicPerformance"], "contents": data["contents"]},
        },
    )


@router.get("/my-progress", response_class=HTMLResponse)
def my_progress_page(request: Request, user: PageUser, session: SessionDep) -> Response:
    if user is None:
        return to_login(request)
    progress = [p.model_dump() for p in all_progress(session, user.id)]
    infos = content_infos(session, [p["contentId"] for p in progress])
    # Content that reports no score (a Questionnaire's completion) shows none, not 0 %.
    scored = {row.content_id for row in learner_progress_rows(session, user.id) if row.scored}
    for row in progress:
        row["title"] = infos[row["contentId"]].title
        row["scored"] = row["contentId"] in scored
    summary = user_summary(session, user.id).model_dump()
    return render(
        request,
        "analytics/my_progress.html",
        {
            "user": user,
            "progress": progress,
            "summary": summary,
            "chart_data": {"progress": progress},
        },
    )
