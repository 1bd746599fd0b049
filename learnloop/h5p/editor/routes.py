"""The editor endpoints: ``GET /h5p/new``, ``GET /h5p/edit/{contentId}`` and the
``/h5p/ajax?action=…`` actions (h5p-content-api.txt, "Editor Endpoints"; H5P's
h5peditor-ajax.class.php for the actions).

Contract for the browser side (issue 15):

- every answer is ``{"success": true, "data": …}``; errors ``{"success": false, "error": …}``;
- teachers and admins only (401 without a token, 403 for learners); a token may come as
  ``Authorization: Bearer``, ``?token=`` or the session cookie (POST then needs the
  ``X-CSRF-Token`` header, checked centrally in learnloop.auth);
- GET actions: ``libraries``, ``library``, ``translations``; POST actions: ``libraries``,
  ``files``, ``filter``; anything else is 400 naming them;
- a value the semantics refuse (``filter``, and saving through POST/PUT /h5p/content) is
  **422** with ``"details": {"field": "answers[0].text", "reason": "…"}`` (path syntax of
  learnloop.h5p.semantics: ``[i]`` for list items, dots between group fields,
  ``.params.`` into sub-content); malformed JSON or a wrong body shape is 400.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile

from learnloop import safe_json
from learnloop.auth.dependencies import RequireTeacher
from learnloop.deps import SessionDep, SettingsDep
from learnloop.envelope import Envelope, ok
from learnloop.errors import BadRequest
from learnloop.h5p.editor import ajax
from learnloop.h5p.editor.model import edit_content_model, editor_model
from learnloop.h5p.editor.schemas import (
    EditContentModelOut,
    EditorModelOut,
    FilteredOut,
    FilterIn,
    LibrariesIn,
    LibraryDetailOut,
    LibraryListItemOut,
    RequestedLibraryOut,
    UploadedFileOut,
)
from learnloop.h5p.editor.uploads import EditorUpload, upload_editor_file
from learnloop.h5p.files import FRAME_HEADERS
from learnloop.h5p.routes import ContentId, StorageDep


async def _h5p_headers(response: Response) -> None:
    response.headers.update(FRAME_HEADERS)


router = APIRouter(prefix="/h5p", tags=["h5p editor"], dependencies=[Depends(_h5p_headers)])

GET_ACTIONS = ("libraries", "library", "translations")
POST_ACTIONS = ("libraries", "files", "filter")
Language = Annotated[str, Query(pattern=r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})?$")]
Token = Annotated[str | None, Query(max_length=4096)]
MachineName = Annotated[str | None, Query(max_length=255, pattern=r"^[\w.-]+$")]
Version = Annotated[int | None, Query(ge=0, le=100_000)]
LibraryNames = Annotated[list[str], Query(max_length=200)]


def _unknown_action(action: str, valid: tuple[str, ...], method: str) -> BadRequest:
    return BadRequest(f"Unknown action {action!r} for {method}: use one of {', '.join(valid)}")


@router.get("/new")
def new_content_model(
    _user: RequireTeacher, settings: SettingsDep, language: Language = "en", token: Token = None
) -> Envelope[EditorModelOut]:
    return ok(editor_model(settings, language, token))


@router.get("/edit/{content_id}")
def edit_content(
    content_id: ContentId,
    user: RequireTeacher,
    session: SessionDep,
    settings: SettingsDep,
    language: Language = "en",
    token: Token = None,
) -> Envelope[EditContentModelOut]:
    return ok(edit_content_model(session, settings, user, content_id, language, token))


@router.get("/ajax")
def ajax_get(
    _user: RequireTeacher,
    session: SessionDep,
    storage: StorageDep,
    action: Annotated[str, Query(max_length=50)],
    machine_name: Annotated[MachineName, Query(alias="machineName")] = None,
    major_version: Annotated[Version, Query(alias="majorVersion")] = None,
    minor_version: Annotated[Version, Query(alias="minorVersion")] = None,
    language: Language = "en",
    libraries: LibraryNames = [],  # noqa: B006 (FastAPI copies query defaults)
) -> Envelope[Any]:
    if action == "libraries":
        listed: list[LibraryListItemOut] = ajax.runnable_libraries(session, storage)
        return ok(listed)
    if action == "library":
        if machine_name is None or major_version is None or minor_version is None:
            raise BadRequest("action=library needs machineName, majorVersion and minorVersion")
        detail: LibraryDetailOut = ajax.library_detail(
            session, storage, machine_name, major_version, minor_version, language
        )
        return ok(detail)
    if action == "translations":
        return ok(ajax.library_translations(session, storage, language, libraries))
    raise _unknown_action(action, GET_ACTIONS, "GET")


async def _ajax_body(request: Request, settings: SettingsDep) -> dict[str, Any] | EditorUpload:
    """The POST body: multipart for ``files``, JSON for the other actions. (Starlette
    answers a malformed multipart body or one with too many parts with a 400 itself.)"""
    action = request.query_params.get("action", "")
    if action == "files":
        form = await request.form(max_files=1, max_fields=10)
        upload, field, content_id = form.get("file"), form.get("field"), form.get("contentId")
        if not isinstance(upload, UploadFile) or not isinstance(field, str):
            raise BadRequest("action=files needs a multipart 'file' and a 'field' (JSON)")
        if content_id is not None and (not isinstance(content_id, str) or not content_id):
            raise BadRequest("contentId must be a content id")
        # One byte past the limit is enough to know the file is too large (413).
        data = await upload.read(settings.h5p_media_max_bytes + 1)
        return EditorUpload(
            filename=upload.filename or "", data=data, field_json=field, content_id=content_id
        )
    if action not in POST_ACTIONS:
        raise _unknown_action(action, POST_ACTIONS, "POST")
    try:
        body = safe_json.loads(await request.body())
    except ValueError as exc:
        raise BadRequest(f"The body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object")
    return body


ModelT = TypeVar("ModelT", bound=BaseModel)
AjaxBody = Annotated[dict[str, Any] | EditorUpload, Depends(_ajax_body)]


def _validated(model: type[ModelT], body: dict[str, Any]) -> ModelT:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        location = ".".join(str(part) for part in first.get("loc", ()))
        raise BadRequest(f"Invalid body at {location or 'body'}: {first.get('msg')}") from exc


@router.post("/ajax")
def ajax_post(
    user: RequireTeacher,
    session: SessionDep,
    settings: SettingsDep,
    storage: StorageDep,
    action: Annotated[str, Query(max_length=50)],
    body: AjaxBody,
) -> Envelope[Any]:
    if isinstance(body, EditorUpload):
        uploaded: UploadedFileOut = upload_editor_file(session, settings, storage, user, body)
        return ok(uploaded)
    if action == "libraries":
        names = _validated(LibrariesIn, body).libraries
        requested: list[RequestedLibraryOut] = ajax.requested_libraries(session, names)
        return ok(requested)
    if action == "filter":
        filtered: FilteredOut = ajax.filter_library_parameters(session, _validated(FilterIn, body))
        return ok(filtered)
    raise _unknown_action(action, POST_ACTIONS, "POST")
