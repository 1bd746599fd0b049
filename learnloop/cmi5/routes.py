"""The cmi5 API (shared/spec cmi5-api.txt endpoints kept), course import, AU file serving
and the launch page."""

from __future__ import annotations

import html
import mimetypes
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote, urlencode

import orjson
from fastapi import APIRouter, BackgroundTasks, File, Path, Query, Request, UploadFile, status
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse

from learnloop.auth.dependencies import CurrentUser, RequireTeacher
from learnloop.cmi5.au_auth import authenticate_basic
from learnloop.cmi5.dependencies import ContentOwnerDep, LmsWriterDep
from learnloop.cmi5.errors import (
    CourseNotFound,
    InvalidCoursePackage,
    InvalidLaunchParameters,
    RegistrationForbidden,
)
from learnloop.cmi5.fetch import redeem_fetch_token
from learnloop.cmi5.h5p_au_page import (
    LAUNCH_PARAMETERS,
    checked_launch,
    h5p_au_error_page,
    h5p_au_page,
    new_nonce,
    page_security_headers,
)
from learnloop.cmi5.launch import abandon_open_sessions, choose_au, launch
from learnloop.cmi5.models import Cmi5Course
from learnloop.cmi5.packages import (
    course_aus,
    delete_course,
    files_prefix,
    get_course,
    import_course,
    list_courses,
)
from learnloop.cmi5.play_grant import AuCredentialRequired, issue_play_grant
from learnloop.cmi5.registrations import (
    accessible_registration,
    create_content_course,
    may_manage,
    register_content,
    register_course,
    registration_of_session,
    update_session_record,
)
from learnloop.cmi5.satisfaction import evaluate_registration, registration_progress, waive_au
from learnloop.cmi5.schemas import (
    AbandonOut,
    AuOut,
    AuStatusOut,
    ContentCourseRequest,
    CourseDeletedOut,
    CourseOut,
    LaunchMode,
    LaunchOut,
    PlayGrantOut,
    RegisterRequest,
    RegistrationOut,
    SessionOut,
    SessionUpdate,
    WaiveOut,
    WaiveRequest,
    format_time,
)
from learnloop.deps import SessionDep, SettingsDep
from learnloop.envelope import Envelope, ok
from learnloop.errors import BadRequest
from learnloop.files_origin import SANDBOXED_PAGE_POLICY, files_origin_redirect
from learnloop.plans.dependencies import RequireCmi5Launch
from learnloop.storage import FileStorage, StoredFileNotFound
from learnloop.storage.base import InvalidStorageKey

router = APIRouter(prefix="/api/cmi5", tags=["cmi5"])
# Registration, session and course ids are UUIDs; anything longer is no id of ours.
Cmi5Id = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9A-Fa-f-]+$")]
pages = APIRouter(prefix="/cmi5", tags=["cmi5 pages"])


def _course_out(
    course: Cmi5Course,
    *,
    au_count: int,
    file_count: int | None = None,
    aus: list[AuOut] | None = None,
) -> CourseOut:
    return CourseOut(
        id=course.id,
        publisherId=course.publisher_id,
        title=course.title,
        description=course.description,
        auCount=au_count,
        fileCount=file_count,
        aus=aus,
    )


def _storage(request: Request) -> FileStorage:
    storage: FileStorage = request.app.state.storage
    return storage


@router.post("/courses", status_code=status.HTTP_201_CREATED, response_model=Envelope[CourseOut])
def import_course_route(
    request: Request,
    session: SessionDep,
    user: RequireTeacher,
    _feature: RequireCmi5Launch,
    file: Annotated[
        UploadFile | None, File(description="cmi5.xml or a course package (.zip)")
    ] = None,
    cmi5: Annotated[UploadFile | None, File(description="the same, under the name cmi5")] = None,
) -> Envelope[CourseOut]:
    upload = file or cmi5
    if upload is None:
        raise InvalidCoursePackage(
            "Send the course as the multipart field 'file' (or 'cmi5')", rule="14"
        )
    imported = import_course(session, _storage(request), upload.file.read(), owner=user)
    return ok(
        _course_out(imported.course, au_count=imported.au_count, file_count=imported.file_count)
    )


@router.get("/courses", response_model=Envelope[list[CourseOut]])
def list_courses_route(session: SessionDep, user: RequireTeacher) -> Envelope[list[CourseOut]]:
    """The teacher's courses (every course for an admin), newest first."""
    courses = list_courses(session, None if user.is_admin else user.id)
    return ok([_course_out(course, au_count=course.au_count) for course in courses])


def _remove_files(storage: FileStorage, prefix: str) -> None:
    storage.delete_prefix(prefix)


@router.delete("/courses/{course_id}", response_model=Envelope[CourseDeletedOut])
def delete_course_route(
    request: Request,
    session: SessionDep,
    user: RequireTeacher,
    background: BackgroundTasks,
    course_id: str,
) -> Envelope[CourseDeletedOut]:
    """Delete a course, its registrations and its files (owner or admin)."""
    course = _owned_course(session, user, course_id)
    prefix = delete_course(session, course)
    if prefix is not None:
        # After the response, so after the commit: the rows go first, then the files.
        background.add_task(_remove_files, _storage(request), prefix)
    return ok(CourseDeletedOut(id=course_id, deleted=True))


@router.post(
    "/courses/from-content", status_code=status.HTTP_201_CREATED, response_model=Envelope[CourseOut]
)
def content_course_route(
    session: SessionDep,
    settings: SettingsDep,
    user: RequireTeacher,
    _feature: RequireCmi5Launch,
    body: ContentCourseRequest,
    content_owner: ContentOwnerDep,
) -> Envelope[CourseOut]:
    """A cmi5 course with one AU per H5P content item the teacher owns."""
    course = create_content_course(
        session,
        user,
        content_ids=body.contentIds,
        title=body.title,
        base_url=settings.base_url,
        content_owner=content_owner,
    )
    return ok(_course_out(course, au_count=course.au_count))


def _owned_course(session: SessionDep, user: CurrentUser, course_id: str) -> Cmi5Course:
    if len(course_id) > 36 or "\x00" in course_id:
        raise CourseNotFound(f"Course not found: {course_id[:36]!r}")
    course = get_course(session, course_id)
    if not (user.is_admin or course.owner_id == user.id):
        # Someone else's course looks like a missing one.
        raise CourseNotFound(f"Course not found: {course_id}")
    return course


@router.get("/courses/{course_id}", response_model=Envelope[CourseOut])
def get_course_route(session: SessionDep, user: CurrentUser, course_id: str) -> Envelope[CourseOut]:
    course = _owned_course(session, user, course_id)
    aus = course_aus(session, course.id)
    return ok(
        _course_out(
            course,
            au_count=len(aus),
            aus=[
                AuOut(
                    id=au.id,
                    publisherId=au.publisher_id,
                    title=au.title,
                    url=au.url,
                    moveOn=au.move_on,
                    masteryScore=au.mastery_score,
                    launchMethod=au.launch_method,
                    blockId=au.block_id,
                )
                for au in aus
            ],
        )
    )


@router.post(
    "/register", status_code=status.HTTP_201_CREATED, response_model=Envelope[RegistrationOut]
)
def register(
    session: SessionDep,
    settings: SettingsDep,
    user: RequireCmi5Launch,
    body: RegisterRequest,
    writer: LmsWriterDep,
    content_owner: ContentOwnerDep,
) -> Envelope[RegistrationOut]:
    account = body.actorAccount.as_json() if body.actorAccount else None
    if body.contentId is not None:
        registration, created = register_content(
            session,
            user,
            content_id=body.contentId,
            learner_id=body.learnerId,
            actor_account=account,
            base_url=settings.base_url,
            content_owner=content_owner,
        )
    else:
        assert body.courseId is not None
        registration, created = register_course(
            session,
            user,
            course_id=body.courseId,
            learner_id=body.learnerId,
            actor_account=account,
            base_url=settings.base_url,
        )
    if created:
        # cmi5 moveOn NotApplicable AUs are satisfied from the start (13.1.4).
        evaluate_registration(session, registration, base_url=settings.base_url, writer=writer)
    return ok(RegistrationOut.of(registration))


@router.get("/launch/{registration_id}", response_model=Envelope[LaunchOut])
def launch_route(
    session: SessionDep,
    settings: SettingsDep,
    user: RequireCmi5Launch,
    writer: LmsWriterDep,
    registration_id: str,
    au_id: Annotated[str | None, Query(alias="auId", max_length=2048)] = None,
    au_index: Annotated[int | None, Query(alias="auIndex", ge=0, le=100_000)] = None,
    return_url: Annotated[str | None, Query(alias="returnURL", max_length=2048)] = None,
    launch_mode: Annotated[LaunchMode | None, Query(alias="launchMode")] = None,
) -> Envelope[LaunchOut]:
    if au_id is not None and au_index is not None:
        raise BadRequest("Give auId or auIndex, not both")
    if au_index is not None:
        au_id = str(au_index)
    if return_url is not None and not return_url.startswith(("http://", "https://")):
        raise BadRequest("returnURL must be an http(s) URL")
    registration = accessible_registration(session, user, registration_id, lock=True)
    launched = launch(
        session,
        registration,
        au_ref=au_id,
        base_url=settings.base_url,
        writer=writer,
        return_url=return_url,
        launch_mode=launch_mode,
    )
    return ok(
        LaunchOut(
            launchUrl=launched.url,
            sessionId=launched.session_id,
            auId=launched.au_id,
            launchMethod=launched.launch_method,
            abandonedSessionIds=launched.abandoned_session_ids,
        )
    )


@router.post("/fetch/{token}")
def fetch(session: SessionDep, token: str) -> Response:
    """cmi5 8.2.3: the first call gets the auth token; any later call an error document."""
    result = redeem_fetch_token(session, token)
    if result.outcome == "issued":
        return JSONResponse({"auth-token": result.auth_token})
    if result.outcome == "already_used":
        return JSONResponse(
            {"error-code": "1", "error-text": "The fetch URL has already been used"}
        )
    message = (
        "Fetch token expired" if result.outcome == "expired" else "Invalid or expired fetch token"
    )
    return JSONResponse({"success": False, "error": message}, status_code=401)


@router.post("/h5p/{content_id}/play-grant", response_model=Envelope[PlayGrantOut])
def play_grant_route(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    content_id: Annotated[str, Path(min_length=1, max_length=500, pattern=r"^[^/\x00]+$")],
) -> Envelope[PlayGrantOut]:
    """The player page of an H5P content AU for a learner without a LearnLoop session:
    the AU's auth token (``Authorization: Basic``, from the fetch URL) buys a short-lived
    grant to play this content in this AU session (learnloop.cmi5.play_grant)."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    au = authenticate_basic(session, credentials) if scheme.lower() == "basic" else None
    if au is None:
        raise AuCredentialRequired("The AU's auth token from the fetch URL is required")
    issued = issue_play_grant(session, settings.jwt_secret, au, content_id)
    query = urlencode({"grant": issued.grant})
    return ok(
        PlayGrantOut(
            embedUrl=f"/h5p/embed/{quote(content_id, safe='')}?{query}",
            expiresAt=format_time(datetime.fromtimestamp(issued.expires_at, UTC)),
        )
    )


def _session_out(session: SessionDep, registration_id: str, user: CurrentUser) -> SessionOut:
    registration = accessible_registration(session, user, registration_id)
    progress = registration_progress(session, registration)
    base = RegistrationOut.of(registration)
    return SessionOut(
        **base.model_dump(),
        sessionState=progress.session_state,
        satisfied=progress.course_satisfied,
        aus=[
            AuStatusOut(
                auId=item.au.id,
                publisherId=item.au.publisher_id,
                activityId=item.status.launch_activity_id if item.status else None,
                moveOn=item.au.move_on,
                completed=bool(item.status and item.status.completed),
                passed=bool(item.status and item.status.passed),
                failed=bool(item.status and item.status.failed),
                waived=bool(item.status and item.status.waived),
                satisfied=item.satisfied,
            )
            for item in progress.aus
        ],
    )


@router.get("/sessions/{registration_id}", response_model=Envelope[SessionOut])
def get_session_route(
    session: SessionDep, user: RequireCmi5Launch, registration_id: str
) -> Envelope[SessionOut]:
    return ok(_session_out(session, registration_id, user))


@router.put("/sessions/{registration_id}", response_model=Envelope[RegistrationOut])
def put_session_route(
    session: SessionDep, user: CurrentUser, registration_id: str, body: SessionUpdate
) -> Envelope[RegistrationOut]:
    registration = accessible_registration(session, user, registration_id, lock=True)
    if not may_manage(user, registration):
        # A learner setting their own status or score would grade themselves.
        raise RegistrationForbidden("Only the owner of the course or an admin may update it")
    score = body.score.model_dump() if body.score else None
    update_session_record(registration, body.status, score)
    session.flush()
    return ok(RegistrationOut.of(registration))


@router.post("/sessions/{registration_id}/abandon", response_model=Envelope[AbandonOut])
def abandon_route(
    session: SessionDep, user: RequireTeacher, writer: LmsWriterDep, registration_id: str
) -> Envelope[AbandonOut]:
    registration = accessible_registration(session, user, registration_id, lock=True)
    if not may_manage(user, registration):
        raise RegistrationForbidden("Only the owner of the course or an admin may abandon")
    return ok(AbandonOut(abandonedSessionIds=abandon_open_sessions(session, registration, writer)))


@router.get("/au-sessions/{session_id}", response_model=Envelope[SessionOut])
def registration_by_session_route(
    session: SessionDep, user: RequireCmi5Launch, session_id: Cmi5Id
) -> Envelope[SessionOut]:
    """The registration (with its AU detail) that a cmi5 session id belongs to."""
    registration = registration_of_session(session, user, session_id)
    return ok(_session_out(session, registration.id, user))


@router.post("/au-sessions/{session_id}/abandon", response_model=Envelope[AbandonOut])
def abandon_by_session_route(
    session: SessionDep, user: RequireTeacher, writer: LmsWriterDep, session_id: Cmi5Id
) -> Envelope[AbandonOut]:
    """Abandon the session if it is still open (cmi5 9.3.6); an ended one stays as it is."""
    registration = registration_of_session(session, user, session_id)
    if not may_manage(user, registration):
        raise RegistrationForbidden("Only the owner of the course or an admin may abandon")
    if registration.session_id != session_id.lower():
        return ok(AbandonOut(abandonedSessionIds=[]))
    return ok(AbandonOut(abandonedSessionIds=abandon_open_sessions(session, registration, writer)))


@router.post(
    "/registrations/{registration_id}/aus/{au_id:path}/waive",
    status_code=status.HTTP_201_CREATED,
    response_model=Envelope[WaiveOut],
)
def waive_route(
    session: SessionDep,
    settings: SettingsDep,
    user: RequireTeacher,
    writer: LmsWriterDep,
    registration_id: str,
    au_id: str,
    body: WaiveRequest,
) -> Envelope[WaiveOut]:
    registration = accessible_registration(session, user, registration_id, lock=True)
    if not may_manage(user, registration):
        raise RegistrationForbidden("Only the owner of the course or an admin may waive an AU")
    course = get_course(session, registration.course_id)
    au = choose_au(session, course, au_id)
    statement_id = waive_au(
        session, registration, au, body.reason, base_url=settings.base_url, writer=writer
    )
    return ok(WaiveOut(statementId=statement_id))


@pages.get("/courses/{course_id}/files/{path:path}")
def course_file(request: Request, settings: SettingsDep, course_id: str, path: str) -> Response:
    """AU files of an imported package; public like the AU URLs an LMS hands out.

    They are uploaded, untrusted pages: served from the files origin when one is set,
    and always sandboxed without allow-same-origin (learnloop/files_origin.py), so an AU
    runs in an opaque origin and reaches the LRS only with its fetch-token credentials.
    """
    redirect = files_origin_redirect(request, settings)
    if redirect is not None:
        return redirect
    storage = _storage(request)
    key = f"{files_prefix(course_id)}/{path}"
    try:
        size = storage.size(key)
    except (StoredFileNotFound, InvalidStorageKey):
        return JSONResponse({"success": False, "error": "Not found"}, status_code=404)
    media_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return StreamingResponse(
        storage.iter_range(key),
        media_type=media_type,
        headers={
            "Content-Length": str(size),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": SANDBOXED_PAGE_POLICY,
            # An opaque-origin AU page fetching its own files (JSON, module scripts)
            # makes cross-origin requests; the files are public and carry no credentials.
            "Access-Control-Allow-Origin": "*",
        },
    )


@pages.get("/launch/{registration_id}", response_class=HTMLResponse)
def launch_page(
    session: SessionDep,
    settings: SettingsDep,
    user: RequireCmi5Launch,
    writer: LmsWriterDep,
    registration_id: str,
    au_id: Annotated[str | None, Query(alias="auId", max_length=2048)] = None,
) -> HTMLResponse:
    """Launch an AU in the browser honouring launchMethod (cmi5 13.1.4): OwnWindow replaces
    this page with the AU; AnyWindow shows it in a frame of this page."""
    registration = accessible_registration(session, user, registration_id, lock=True)
    launched = launch(
        session, registration, au_ref=au_id, base_url=settings.base_url, writer=writer
    )
    url_json = orjson.dumps(launched.url).decode().replace("</", "<\\/")
    if launched.launch_method == "OwnWindow":
        body = f"<script>window.location.replace({url_json});</script>"
    else:
        body = (
            f'<iframe id="au" title="AU" src="{html.escape(launched.url)}" '
            'style="border:0;width:100%;height:100vh"></iframe>'
        )
    return HTMLResponse(
        '<!doctype html><html><head><meta charset="utf-8"><title>cmi5 launch</title>'
        f'</head><body style="margin:0" data-launch-method="{launched.launch_method}">'
        f"{body}</body></html>"
    )


@pages.get("/h5p/{content_id}", response_class=HTMLResponse)
def h5p_au(
    request: Request, session: SessionDep, settings: SettingsDep, content_id: str
) -> HTMLResponse:
    """H5P content as a cmi5 AU: the launch URL of a content registration opens this page."""
    if not content_id or len(content_id) > 500 or "/" in content_id or "\x00" in content_id:
        raise BadRequest("Invalid content id")
    nonce = new_nonce()
    headers = page_security_headers(nonce)
    params = {name: request.query_params.get(name, "") for name in LAUNCH_PARAMETERS}
    try:
        launch = checked_launch(session, settings.base_url, content_id, params)
    except InvalidLaunchParameters as error:
        return HTMLResponse(h5p_au_error_page(error.message), status_code=400, headers=headers)
    return HTMLResponse(h5p_au_page(content_id, launch, nonce), headers=headers)
