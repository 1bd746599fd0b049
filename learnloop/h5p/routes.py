"""The content API under ``/h5p`` (paths and shapes of the reference's h5p-content-api)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Annotated, Any

from fastapi import APIRouter, Depends, File, Path, Request, Response, UploadFile
from fastapi.responses import StreamingResponse

from learnloop import safe_json
from learnloop.auth.dependencies import CurrentUser, RequireAdmin, RequireTeacher
from learnloop.deps import SessionDep, SettingsDep
from learnloop.envelope import Envelope, MessageEnvelope, MessageOnly, ok
from learnloop.errors import BadRequest
from learnloop.files_origin import files_origin_redirect
from learnloop.h5p import content as content_service
from learnloop.h5p import content_list
from learnloop.h5p import curriculum as curriculum_service
from learnloop.h5p import libraries as library_service
from learnloop.h5p import media as media_service
from learnloop.h5p.export.h5p_package import content_disposition, export_package
from learnloop.h5p.files import FRAME_HEADERS, LIBRARY_CACHE, PRIVATE_CACHE, file_response
from learnloop.h5p.importer import import_package, install_package_libraries
from learnloop.h5p.library_rights import ensure_may_install_libraries, may_install_libraries
from learnloop.h5p.library_validation import LIBRARY_FOLDER_PARTS
from learnloop.h5p.quality.service import ListedContent, quality_summaries
from learnloop.h5p.schemas import (
    ContentCurriculumOut,
    ContentIn,
    ContentListItem,
    ContentOut,
    CurriculumIn,
    CurriculumOut,
    EditorDataOut,
    EssentialStatus,
    ImportOut,
    LibraryStatusOut,
    LibraryUploadOut,
    LibraryVersionsOut,
    MediaAttachIn,
    MediaAttachOut,
    MediaUploadIn,
    MediaUploadOut,
    QualityOut,
    SavedContentOut,
    VisibilityIn,
    VisibilityOut,
)
from learnloop.h5p.slugs import ESSENTIAL_CONTENT_TYPES, content_type_slug, essential_names
from learnloop.storage import FileStorage, StoredFileNotFound

# The reference lets everything under /h5p/ be framed (BigBlueButton and LMS embedding).


async def _h5p_headers(response: Response) -> None:
    response.headers.update(FRAME_HEADERS)


router = APIRouter(prefix="/h5p", tags=["h5p"], dependencies=[Depends(_h5p_headers)])

ContentId = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]
READY_THRESHOLD = 5


async def get_storage(request: Request) -> FileStorage:
    storage: FileStorage = request.app.state.storage
    return storage


StorageDep = Annotated[FileStorage, Depends(get_storage)]


def _parse_params(params: dict[str, Any] | str) -> dict[str, Any]:
    if isinstance(params, dict):
        return params
    try:
        parsed = safe_json.loads(params)
    except ValueError as exc:
        raise BadRequest(f"Invalid JSON in params: {exc}") from exc
    if not isinstance(parsed, dict):
        raise BadRequest("params must be a JSON object")
    return parsed


def _overrides(body: ContentIn) -> dict[str, Any]:
    return body.metadata.model_dump(exclude_none=True) if body.metadata else {}


# --- content ---------------------------------------------------------------------------


@router.get("/content")
def list_content(user: RequireTeacher, session: SessionDep) -> Envelope[list[ContentListItem]]:
    rows = content_list.list_owned_content(session, user)
    quality = quality_summaries(
        session, [ListedContent(row.id, row.main_library, row.updated_at) for row in rows]
    )
    return ok(
        [
            ContentListItem(
                id=row.id,
                title=row.title,
                mainLibrary=row.main_library,
                createdAt=row.created_at,
                updatedAt=row.updated_at,
                embedTypes=row.embed_types,
                contentTypeSlug=content_type_slug(row.machine_name),
                curriculum=CurriculumOut.of(row.curriculum) if row.curriculum else None,
                visibility=row.visibility,
                viewCount=row.view_count,
                quality=QualityOut(**quality[row.id]) if row.id in quality else None,
            )
            for row in rows
        ]
    )


@router.post("/content", status_code=201)
def create_content(
    body: ContentIn,
    user: RequireTeacher,
    session: SessionDep,
    settings: SettingsDep,
    storage: StorageDep,
) -> MessageEnvelope[SavedContentOut]:
    params = _parse_params(body.params)
    library = content_service.installed_runnable(session, body.library)
    content_service.ensure_content_quota(session, user, settings.default_plan)
    saved = content_service.create_content(
        session,
        user,
        library,
        params,
        content_service.build_metadata(library, _overrides(body)),
        storage=storage,
    )
    if body.tempImageFiles:
        media_service.attach_media(
            session, storage, settings, user, saved.content.id, body.tempImageFiles, "images"
        )
    return MessageEnvelope(
        data=SavedContentOut(contentId=saved.content.id, metadata=saved.metadata),
        message="Content created successfully",
    )


@router.get("/content/{content_id}")
def get_content(
    content_id: ContentId, user: CurrentUser, session: SessionDep
) -> Envelope[ContentOut]:
    content = content_service.readable_content(session, user, content_id)
    library = content_service.main_library(session, content)
    return ok(ContentOut.of(content, library.ubername))


@router.put("/content/{content_id}")
def update_content(
    content_id: ContentId,
    body: ContentIn,
    user: RequireTeacher,
    session: SessionDep,
    storage: StorageDep,
) -> MessageEnvelope[SavedContentOut]:
    params = _parse_params(body.params)
    library = content_service.installed_runnable(session, body.library)
    saved = content_service.update_content(
        session, user, content_id, library, params, _overrides(body), storage=storage
    )
    return MessageEnvelope(
        data=SavedContentOut(contentId=saved.content.id, metadata=saved.metadata),
        message="Content updated successfully",
    )


@router.delete("/content/{content_id}")
def delete_content(
    content_id: ContentId, user: RequireTeacher, session: SessionDep, storage: StorageDep
) -> MessageOnly:
    content_service.delete_content(session, storage, user, content_id)
    return MessageOnly(message="Content deleted successfully")


@router.get("/content/{content_id}/params")
def editor_data(
    content_id: ContentId, user: RequireTeacher, session: SessionDep
) -> Envelope[EditorDataOut]:
    """What the editor needs to edit content (the extra fields of ``/h5p/edit``)."""
    content = content_service.owned_content(session, user, content_id)
    library = content_service.main_library(session, content)
    return ok(
        EditorDataOut(
            library=library.ubername, params=content.params, metadata=content.metadata_json
        )
    )


@router.patch("/content/{content_id}/visibility")
def set_visibility(
    content_id: ContentId, body: VisibilityIn, user: RequireTeacher, session: SessionDep
) -> Envelope[VisibilityOut]:
    visibility = content_service.set_visibility(session, user, content_id, body.visibility)
    return ok(VisibilityOut(contentId=content_id, visibility=visibility))


@router.get("/content/{content_id}/curriculum")
def get_curriculum(
    content_id: ContentId, user: CurrentUser, session: SessionDep
) -> Envelope[ContentCurriculumOut]:
    content_service.readable_content(session, user, content_id)
    row = curriculum_service.get_curriculum(session, content_id)
    return ok(
        ContentCurriculumOut(
            contentId=content_id, curriculum=CurriculumOut.of(row) if row else None
        )
    )


@router.put("/content/{content_id}/curriculum")
def put_curriculum(
    content_id: ContentId, body: CurriculumIn, user: RequireTeacher, session: SessionDep
) -> Envelope[ContentCurriculumOut]:
    row = curriculum_service.set_curriculum(session, user, content_id, body.columns())
    return ok(ContentCurriculumOut(contentId=content_id, curriculum=CurriculumOut.of(row)))


def _stream(spool: IO[bytes]) -> Iterator[bytes]:
    try:
        while chunk := spool.read(1024 * 1024):
            yield chunk
    finally:
        spool.close()


@router.get("/content/{content_id}/export")
def export_content(
    content_id: ContentId, user: RequireTeacher, session: SessionDep, storage: StorageDep
) -> StreamingResponse:
    content = content_service.exportable_content(session, user, content_id)
    spool = export_package(session, storage, content)
    return StreamingResponse(
        _stream(spool),
        media_type="application/zip",
        headers={**FRAME_HEADERS, "Content-Disposition": content_disposition(content.title)},
    )


@router.post("/import", status_code=201)
def import_h5p(
    h5p: Annotated[UploadFile, File(description="The .h5p package")],
    user: RequireTeacher,
    session: SessionDep,
    settings: SettingsDep,
    storage: StorageDep,
) -> MessageEnvelope[ImportOut]:
    result = import_package(
        session,
        storage,
        settings,
        user,
        h5p.file,
        may_install_libraries=may_install_libraries(session, user, settings.default_plan),
    )
    return MessageEnvelope(
        data=ImportOut(contentId=result.content_id, installedLibraries=result.installed_libraries),
        message="H5P package imported successfully",
    )


# --- media -------------------------------------------------------------------------------


@router.post("/media/upload", status_code=201)
def upload_media(
    body: MediaUploadIn,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    storage: StorageDep,
) -> Envelope[MediaUploadOut]:
    uploaded = media_service.upload_media(
        session, storage, settings, user, body.filename, body.data, body.contentType
    )
    return ok(
        MediaUploadOut(
            url=f"/h5p/{uploaded.key}",
            filename=uploaded.filename,
            size=uploaded.size,
            contentType=uploaded.content_type,
        )
    )


@router.post("/media/attach")
def attach_media(
    body: MediaAttachIn,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    storage: StorageDep,
) -> Envelope[MediaAttachOut]:
    attached = media_service.attach_media(
        session, storage, settings, user, body.contentId, body.files, body.mediaType
    )
    return ok(
        MediaAttachOut(
            contentId=body.contentId,
            attached=attached,
            count=len(attached),
            mediaType=body.mediaType,
        )
    )


# --- libraries ---------------------------------------------------------------------------


@router.get("/libraries")
def list_libraries(_user: CurrentUser, session: SessionDep) -> Envelope[list[LibraryVersionsOut]]:
    grouped: dict[str, list[tuple[int, int, int]]] = {}
    for library in library_service.list_libraries(session):
        grouped.setdefault(library.machine_name, []).append(
            (library.major_version, library.minor_version, library.patch_version)
        )
    result = []
    for machine_name, versions in sorted(grouped.items()):
        ordered = [f"{a}.{b}.{c}" for a, b, c in sorted(versions)]
        result.append(
            LibraryVersionsOut(
                machineName=machine_name, versions=ordered, latestVersion=ordered[-1]
            )
        )
    return ok(result)


@router.get("/libraries/status")
def library_status(_user: CurrentUser, session: SessionDep) -> Envelope[LibraryStatusOut]:
    candidates = [
        name for essential in ESSENTIAL_CONTENT_TYPES for name in essential_names(essential)
    ]
    installed = library_service.installed_machine_names(session, candidates)
    status = [
        EssentialStatus(
            name=name, installed=any(alias in installed for alias in essential_names(name))
        )
        for name in ESSENTIAL_CONTENT_TYPES
    ]
    count = sum(1 for item in status if item.installed)
    return ok(
        LibraryStatusOut(
            total=len(status), installed=count, ready=count >= READY_THRESHOLD, status=status
        )
    )


@router.post("/libraries/upload", status_code=201)
def upload_libraries(
    h5p: Annotated[UploadFile, File(description="An .h5p package whose libraries to install")],
    user: RequireTeacher,
    session: SessionDep,
    settings: SettingsDep,
    storage: StorageDep,
) -> MessageEnvelope[LibraryUploadOut]:
    """Install or upgrade the libraries a package carries, creating no content (H5P core's
    library upload). Admins only, unless the plan grants ``install-libraries``."""
    ensure_may_install_libraries(session, user, settings.default_plan)
    result = install_package_libraries(session, storage, settings, h5p.file)
    return MessageEnvelope(
        data=LibraryUploadOut(installed=result.installed, upgraded=result.upgraded),
        message=f"{len(result.installed)} libraries installed, {len(result.upgraded)} upgraded",
    )


@router.delete("/libraries/{folder}")
def delete_library(
    folder: Annotated[str, Path(max_length=300)],
    _admin: RequireAdmin,
    session: SessionDep,
    storage: StorageDep,
) -> MessageOnly:
    match = LIBRARY_FOLDER_PARTS.match(folder)
    if match is None:
        raise BadRequest("Expected a library folder name such as H5P.MultiChoice-1.16")
    key = (match["name"], int(match["major"]), int(match["minor"]))
    library_service.delete_library(session, storage, key)
    return MessageOnly(message=f"Library {folder} deleted")


# --- files -------------------------------------------------------------------------------


@router.api_route("/libraries/{file_path:path}", methods=["GET", "HEAD"])
def library_file(
    file_path: str, request: Request, settings: SettingsDep, storage: StorageDep
) -> Response:
    """Library assets are public: the same for everyone, immutable per version folder."""
    redirect = files_origin_redirect(request, settings)
    if redirect is not None:
        return redirect
    return file_response(
        request, storage, f"libraries/{file_path}", LIBRARY_CACHE, shared_cross_origin=True
    )


@router.api_route("/content/{content_id}/{file_path:path}", methods=["GET", "HEAD"])
def content_file(
    content_id: ContentId,
    file_path: str,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    storage: StorageDep,
) -> Response:
    content_service.readable_content(session, user, content_id)
    redirect = files_origin_redirect(request, settings)
    if redirect is not None:
        return redirect
    return file_response(
        request, storage, f"{content_service.content_prefix(content_id)}/{file_path}", PRIVATE_CACHE
    )


@router.api_route("/temp/{file_path:path}", methods=["GET", "HEAD"])
def temp_file(
    file_path: str,
    request: Request,
    user: CurrentUser,
    settings: SettingsDep,
    storage: StorageDep,
) -> Response:
    """A user's uploads are theirs alone."""
    owner, _, _rest = file_path.partition("/")
    if owner != user.id:
        raise StoredFileNotFound("File not found")
    redirect = files_origin_redirect(request, settings)
    if redirect is not None:
        return redirect
    return file_response(request, storage, f"temp/{file_path}", PRIVATE_CACHE)
