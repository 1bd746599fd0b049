"""The player page ``GET /h5p/embed/{contentId}``: H5P content rendered for a person.

The page is what H5P core calls the content's iframe document: it sets
``H5PIntegration`` (the same model as ``GET /h5p/play``), loads H5P core from the npm
package h5p-standalone (``/h5p/core/frame.bundle.js``), then the content's libraries in
dependency order, and H5P core initialises ``<div class="h5p-content">`` on load. It
works standalone and inside an iframe on any site (``frame-ancestors *`` as the
reference allows under /h5p/; ``?token=`` authenticates iframes, where a site's cookie
may not be sent). ``capture.js`` forwards the content's xAPI statements to the LRS;
``resizer.js`` is the script an embedding site includes (the embed code's resizeCode).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlalchemy.orm import Session

from learnloop.auth.csrf import csrf_token_for_request
from learnloop.auth.dependencies import presented_token, resolve_user
from learnloop.auth.models import User
from learnloop.cmi5.play_grant import InvalidPlayGrant, PlayGrant, verify_play_grant
from learnloop.config import Settings
from learnloop.deps import DatabaseDep, SessionDep, SettingsDep
from learnloop.errors import AppError, NotFound
from learnloop.files_origin import files_base
from learnloop.h5p.content import get_ownership, readable_content
from learnloop.h5p.errors import ContentNotFound
from learnloop.h5p.player import Credentials, PlayerModel, build_player_model
from learnloop.h5p.player_routes import Language, play
from learnloop.h5p.routes import ContentId, StorageDep
from learnloop.storage import FileStorage

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=str(WEB_DIR / "templates"))
PLAYER_STATIC = WEB_DIR / "static" / "player"
# name under /h5p/player/ → file in learnloop/web/static/player/
PLAYER_FILES = {
    "capture.js": "text/javascript; charset=utf-8",
    "guard.js": "text/javascript; charset=utf-8",
    "resizer.js": "text/javascript; charset=utf-8",
    "player.css": "text/css; charset=utf-8",
}
XAPI_ENDPOINT = "/api/xapi/statements"


def external_sources(settings: Settings) -> tuple[str, str]:
    """The CSP sources H5P content may use from other sites (issue 14, "the player on
    real packages"): ``https:`` images and media, and the video hosts' frames and
    scripts (YouTube's and Vimeo's players are iframes driven by their own script API).
    Both are settings, so an offline school can switch them off."""
    media = " https:" if settings.player_remote_media else ""
    hosts = "".join(f" {host}" for host in settings.player_video_hosts)
    return media, hosts


def _security_headers(
    nonce: str, files_origin: str = "", external: tuple[str, str] = ("", "")
) -> dict[str, str]:
    # Only this server's files run (no internet); H5P libraries set inline styles, play
    # media from blob: URLs, and some evaluate strings (MultiChoice's dependencies do),
    # so 'unsafe-eval' stays; inline scripts need the nonce. Any site may frame the
    # player (reference: everything under /h5p/ allows frame-ancestors *). With a
    # separate files origin (LEARNLOOP_FILES_BASE_URL) library and content files come
    # from there: the page (trusted core) loads them as subresources.
    files = f" {files_origin}" if files_origin else ""
    media, video_hosts = external
    policy = (
        f"default-src 'self'{files}; "
        f"script-src 'self'{files}{video_hosts} 'nonce-{nonce}' 'unsafe-eval'; "
        f"style-src 'self'{files} 'unsafe-inline'; "
        f"img-src 'self'{files}{media} data: blob:; media-src 'self'{files}{media} data: blob:; "
        f"font-src 'self'{files} data:; "
        f"connect-src 'self'{files}; frame-src 'self'{files}{video_hosts}; object-src 'none'; "
        "form-action 'self'; frame-ancestors *"
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cache-Control": "no-store",
    }


def script_json(value: Any) -> Markup:
    """JSON that is safe inside ``<script>``: no ``</script>``, ``<!--`` or line separators."""
    text = json.dumps(value, ensure_ascii=False)
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return Markup(text)  # noqa: S704 - escaped above for the script context


def _error_page(request: Request, status: int, message: str, nonce: str) -> HTMLResponse:
    headings = {401: "Sign in to see this content", 403: "Not allowed", 404: "Not found"}
    login_url = None
    if status == 401:
        target = request.url.path
        login_url = f"/login?next={quote(target, safe='')}"
    response = TEMPLATES.TemplateResponse(
        request,
        "player/error.html",
        {
            "status": status,
            "heading": headings.get(status, "Something went wrong"),
            "message": message,
            "login_url": login_url,
        },
        status_code=status,
    )
    response.headers.update(_security_headers(nonce))
    return response


def _files_user(session: Session, grant: PlayGrant) -> User:
    """Whose signed content-file links a granted player gets: the learner's own account
    when it may read the content, else the registering owner's or the content owner's
    (they scope to this content's files only, learnloop.h5p.player_files)."""
    ownership = get_ownership(session, grant.content_id)
    candidates = (
        grant.learner_id,
        grant.registration_owner_id,
        ownership.user_id if ownership else None,
    )
    for user_id in candidates:
        user = session.get(User, user_id) if user_id else None
        if user is None or not user.is_active:
            continue
        try:
            readable_content(session, user, grant.content_id)
        except ContentNotFound:
            continue
        return user
    raise InvalidPlayGrant("Nobody who registered this learner may read this content")


def granted_player_model(
    session: Session,
    settings: Settings,
    storage: FileStorage,
    grant: PlayGrant,
    language: str | None,
) -> PlayerModel:
    """The player for a cmi5 launch without a LearnLoop session (learnloop.cmi5.play_grant):
    read-only for the AU's learner. No saved state is loaded or saved and nothing is
    posted by the player itself; the AU page sends the cmi5 statements."""
    files_user = _files_user(session, grant)
    content = readable_content(session, files_user, grant.content_id)
    model = build_player_model(
        session,
        storage,
        settings,
        files_user,
        content,
        credentials=Credentials(),
        language=language,
        may_export=False,
    )
    contents = {
        key: {**value, "contentUserData": {}}
        for key, value in model.integration["contents"].items()
    }
    name = grant.actor.get("name")
    integration = {
        **model.integration,
        "contents": contents,
        "user": {"name": name if isinstance(name, str) else "Learner", "mail": "", "id": ""},
        "saveFreq": False,
        "postUserStatistics": False,
        "ajax": {"setFinished": "", "contentUserData": ""},
    }
    return replace(model, integration=integration)


router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/h5p/embed/{content_id}", response_class=HTMLResponse)
def player_page(
    content_id: ContentId,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    storage: StorageDep,
    database: DatabaseDep,
    background: BackgroundTasks,
    language: Language = None,
    grant: str | None = None,
) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    try:
        user = resolve_user(request, session, settings)
        if user is None and grant:
            # A cmi5 launch in a browser without a LearnLoop session (issue 13 item 5).
            play_grant = verify_play_grant(session, settings.jwt_secret, grant, content_id)
            model = granted_player_model(session, settings, storage, play_grant, language)
        elif user is None:
            return _error_page(request, 401, "This content needs a signed-in user.", nonce)
        else:
            model = play(
                request,
                session,
                settings,
                storage,
                database,
                background,
                user,
                content_id,
                language,
            )
    except AppError as error:
        return _error_page(request, error.status_code, error.message, nonce)
    presented = presented_token(request)
    explicit_token = (
        presented.token if presented is not None and presented.method != "cookie" else None
    )
    player_config = {
        "contentId": model.content_id,
        "xapiCapture": settings.h5p_xapi_capture_enabled and user is not None,
        "xapiEndpoint": XAPI_ENDPOINT,
        "token": explicit_token,
        # Cookie callers' statement POSTs carry the session's CSRF token (auth.csrf).
        "csrf": csrf_token_for_request(request, settings, user) if user else None,
    }
    response = TEMPLATES.TemplateResponse(
        request,
        "player/embed.html",
        {
            "title": model.title,
            "language": model.language,
            "content_id": model.content_id,
            "styles": model.styles,
            "scripts": model.scripts,
            "integration_json": script_json(model.integration),
            "player_json": script_json(player_config),
            "nonce": nonce,
        },
    )
    response.headers.update(
        _security_headers(nonce, files_base(settings), external_sources(settings))
    )
    return response


@router.get("/h5p/player/{name}")
def player_file(name: str) -> FileResponse:
    media_type = PLAYER_FILES.get(name)
    if media_type is None:
        raise NotFound(f"No such player file: {name}")
    return FileResponse(
        PLAYER_STATIC / name,
        media_type=media_type,
        headers={
            "Cache-Control": "public, max-age=3600",
            "X-Content-Type-Options": "nosniff",
            "Access-Control-Allow-Origin": "*",
        },
    )
