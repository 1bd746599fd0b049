"""The player endpoints under ``/h5p``: the player model, H5P core's AJAX routes
(contentUserData, setFinished), finished results, and H5P core's files.

Paths follow the reference (``GET /h5p/play/:contentId``) and Lumi's h5p-express ajax
router (``/contentUserData/:contentId/:dataType/:subContentId``, ``setFinishedUrl``).
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Path, Query, Request, Response
from fastapi.responses import FileResponse

from learnloop.auth.csrf import CsrfCheckedUser, csrf_token_for_request
from learnloop.auth.dependencies import CurrentUser, presented_token
from learnloop.auth.models import User
from learnloop.config import Settings
from learnloop.db import Database
from learnloop.deps import DatabaseDep, SessionDep, SettingsDep
from learnloop.envelope import Envelope, ok
from learnloop.errors import NotFound
from learnloop.files_origin import files_origin_redirect
from learnloop.h5p import finished as finished_service
from learnloop.h5p import user_data as user_data_service
from learnloop.h5p.content import content_prefix, get_content, readable_content, record_view
from learnloop.h5p.core_assets import core_file
from learnloop.h5p.files import FRAME_HEADERS, PRIVATE_CACHE, content_type_for, file_response
from learnloop.h5p.player import Credentials, PlayerModel, build_player_model
from learnloop.h5p.player_files import granted_user
from learnloop.h5p.player_schemas import (
    AjaxSuccess,
    DeletedOut,
    FinishedResultOut,
    PlayerOut,
    UserDataOut,
)
from learnloop.h5p.routes import ContentId, StorageDep
from learnloop.storage import FileStorage

logger = logging.getLogger("learnloop.h5p.player")

CORE_CACHE = "public, max-age=86400"
LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$"
Language = Annotated[str | None, Query(max_length=35, pattern=LANGUAGE_PATTERN)]
DataType = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
SubContentId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
UserId = Annotated[str, Path(min_length=1, max_length=36)]


class CompletionTrackingDisabled(NotFound):
    code = "completion-tracking-disabled"


async def _h5p_headers(response: Response) -> None:
    response.headers.update(FRAME_HEADERS)


# --- building the player (also used by the player page in learnloop.web) ------------------


def request_credentials(request: Request, settings: Settings, user: User) -> Credentials:
    """Bearer and ``?token=`` callers get their token back in the URLs (the browser has
    no other way to present it); cookie callers get a CSRF token instead."""
    presented = presented_token(request)
    if presented is not None and presented.method in ("bearer", "query"):
        return Credentials(token=presented.token)
    return Credentials(csrf=csrf_token_for_request(request, settings, user))


def count_view(database: Database, content_id: str) -> None:
    """The view counter, in its own short transaction after the response was sent: a
    failure here is logged and never costs the learner the player (reference: fire and
    forget)."""
    try:
        with database.transaction() as session:
            record_view(session, content_id)
    except Exception:
        logger.warning("could not count a view of content %s", content_id, exc_info=True)


def play(
    request: Request,
    session: SessionDep,
    settings: Settings,
    storage: FileStorage,
    database: Database,
    background: BackgroundTasks,
    user: User,
    content_id: str,
    language: str | None,
) -> PlayerModel:
    content = readable_content(session, user, content_id)
    model = build_player_model(
        session,
        storage,
        settings,
        user,
        content,
        credentials=request_credentials(request, settings, user),
        language=language,
        may_export=user.is_teacher,
    )
    background.add_task(count_view, database, content.id)
    return model


# --- routes --------------------------------------------------------------------------------


def build_player_router(settings: Settings) -> APIRouter:
    """The routes; built per app because ``setFinishedUrl`` is configurable."""
    router = APIRouter(tags=["h5p player"], dependencies=[Depends(_h5p_headers)])

    @router.get("/h5p/play/{content_id}")
    def play_content(
        content_id: ContentId,
        request: Request,
        user: CurrentUser,
        session: SessionDep,
        settings: SettingsDep,
        storage: StorageDep,
        database: DatabaseDep,
        background: BackgroundTasks,
        language: Language = None,
    ) -> Envelope[PlayerOut]:
        model = play(
            request, session, settings, storage, database, background, user, content_id, language
        )
        return ok(
            PlayerOut(integration=model.integration, scripts=model.scripts, styles=model.styles)
        )

    @router.get("/h5p/contentUserData/{content_id}/{data_type}/{sub_content_id}")
    def get_content_user_data(
        content_id: ContentId,
        data_type: DataType,
        sub_content_id: SubContentId,
        user: CurrentUser,
        session: SessionDep,
    ) -> UserDataOut:
        content = readable_content(session, user, content_id)
        key = user_data_service.parse_key(data_type, sub_content_id)
        data = user_data_service.get_user_data(session, content, user.id, key)
        return UserDataOut(data=data if data is not None else False)

    @router.post("/h5p/contentUserData/{content_id}/{data_type}/{sub_content_id}")
    def post_content_user_data(
        content_id: ContentId,
        data_type: DataType,
        sub_content_id: SubContentId,
        data: Annotated[str, Form()],
        user: CsrfCheckedUser,
        session: SessionDep,
        settings: SettingsDep,
        preload: Annotated[str | None, Form()] = None,
        invalidate: Annotated[str | None, Form()] = None,
    ) -> AjaxSuccess:
        content = readable_content(session, user, content_id)
        key = user_data_service.parse_key(data_type, sub_content_id)
        user_data_service.save_user_data(
            session,
            content,
            user.id,
            key,
            data,
            preload=user_data_service.parse_flag("preload", preload),
            invalidate=user_data_service.parse_flag("invalidate", invalidate),
            max_bytes=settings.h5p_user_data_max_bytes,
        )
        return AjaxSuccess()

    @router.post(settings.h5p_set_finished_url)
    def set_finished(
        content_id: Annotated[str, Form(alias="contentId", min_length=1, max_length=100)],
        score: Annotated[str, Form()],
        max_score: Annotated[str, Form(alias="maxScore")],
        opened: Annotated[str, Form()],
        finished: Annotated[str, Form()],
        user: CsrfCheckedUser,
        session: SessionDep,
        settings: SettingsDep,
        time: Annotated[str | None, Form()] = None,
    ) -> AjaxSuccess:
        if not settings.h5p_set_finished_enabled:
            raise CompletionTrackingDisabled("Completion tracking is disabled")
        content = readable_content(session, user, content_id)
        report = finished_service.parse_report(score, max_score, opened, finished, time)
        finished_service.set_finished(session, content, user.id, report)
        return AjaxSuccess()

    @router.get("/h5p/finished/content/{content_id}")
    def content_results(
        content_id: ContentId, user: CurrentUser, session: SessionDep
    ) -> Envelope[list[FinishedResultOut]]:
        content = get_content(session, content_id)
        finished_service.ensure_content_results_reader(session, user, content)
        rows = finished_service.results_for_content(session, content.id)
        return ok([FinishedResultOut.of(row) for row in rows])

    @router.delete("/h5p/finished/content/{content_id}")
    def delete_content_results(
        content_id: ContentId,
        user: CurrentUser,
        session: SessionDep,
        user_id: Annotated[str | None, Query(alias="userId", max_length=36)] = None,
    ) -> Envelope[DeletedOut]:
        content = get_content(session, content_id)
        finished_service.ensure_content_results_reader(session, user, content)
        deleted = finished_service.delete_results(session, content.id, user_id)
        return ok(DeletedOut(deleted=deleted))

    @router.get("/h5p/finished/users/{user_id}")
    def user_results(
        user_id: UserId, user: CurrentUser, session: SessionDep
    ) -> Envelope[list[FinishedResultOut]]:
        finished_service.ensure_user_results_reader(user, user_id)
        rows = finished_service.results_for_user(session, user_id)
        return ok([FinishedResultOut.of(row) for row in rows])

    @router.api_route(
        "/h5p/play-files/{content_id}/{grant}/{file_path:path}", methods=["GET", "HEAD"]
    )
    def content_file(
        content_id: ContentId,
        grant: Annotated[str, Path(max_length=300)],
        file_path: str,
        request: Request,
        session: SessionDep,
        settings: SettingsDep,
        storage: StorageDep,
    ) -> Response:
        granted_user(session, settings, content_id, grant)
        redirect = files_origin_redirect(request, settings)
        if redirect is not None:
            return redirect
        key = f"{content_prefix(content_id)}/{file_path}"
        # The grant in the path is the credential, so pages on the app's origin may read
        # these files from the files origin (H5P core fetches some with XHR).
        return file_response(request, storage, key, PRIVATE_CACHE, shared_cross_origin=True)

    @router.api_route("/h5p/core/{file_path:path}", methods=["GET", "HEAD"])
    def core_asset(file_path: str, settings: SettingsDep) -> Response:
        path = core_file(settings, file_path)
        return FileResponse(
            path,
            media_type=content_type_for(path.name),
            headers={**FRAME_HEADERS, "Cache-Control": CORE_CACHE},
        )

    return router
