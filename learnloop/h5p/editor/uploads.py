"""The editor's ``files`` action: an upload for one image, video, audio or file field,
stored in the user's temporary area and named in params as ``<folder>/<name>#tmp`` until
the content is saved (then it moves into the content, see temp_files.claim_temp_files).

The checks are media upload's (learnloop.h5p.media): the bytes must be the type the
extension says, on the allow-list of the field's type (documents for "file" fields are
checked here, see DOCUMENT_TYPES); SVGs are sanitised; the size limit
is ``h5p_media_max_bytes`` (413) and the temporary-area cap and storage quota apply (413,
as for media upload, nothing stored). The stored file is served from ``/h5p/temp/…``, to
its owner only and sandboxed like every uploaded file (learnloop.files_origin).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from learnloop import safe_json
from learnloop.auth.models import User
from learnloop.config import Settings
from learnloop.h5p import content as content_service
from learnloop.h5p.editor.image_size import image_size
from learnloop.h5p.editor.schemas import UploadedFileOut
from learnloop.h5p.errors import InvalidMedia, MediaTooLarge
from learnloop.h5p.media import EXTENSION_TYPES, CheckedMedia, check_media, store_temp_media
from learnloop.storage import FileStorage

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _is_plain_text(data: bytes) -> bool:
    """UTF-8 text that is not markup (it is served as text/plain, sandboxed, nosniff)."""
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return not text.lstrip().startswith("<")


def _is_webvtt(data: bytes) -> bool:
    return _is_plain_text(data) and data.removeprefix(b"\xef\xbb\xbf").startswith(b"WEBVTT")


# Documents on H5P core's content allow-list (h5p.classes.php, default
# "content_whitelist") that "file" fields take besides the media types: the MIME type and
# the check the bytes must pass.
DOCUMENT_TYPES: dict[str, tuple[str, Callable[[bytes], bool]]] = {
    "txt": ("text/plain", _is_plain_text),
    "csv": ("text/csv", _is_plain_text),
    "md": ("text/markdown", _is_plain_text),
    "vtt": ("text/vtt", _is_webvtt),
    "webvtt": ("text/vtt", _is_webvtt),
    "rtf": ("application/rtf", lambda data: data.startswith(b"{\\rtf")),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        lambda data: data.startswith(_ZIP),
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        lambda data: data.startswith(_ZIP),
    ),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        lambda data: data.startswith(_ZIP),
    ),
    "odt": ("application/vnd.oasis.opendocument.text", lambda data: data.startswith(_ZIP)),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", lambda data: data.startswith(_ZIP)),
    "odp": ("application/vnd.oasis.opendocument.presentation", lambda data: data.startswith(_ZIP)),
    "doc": ("application/msword", lambda data: data.startswith(_OLE)),
    "xls": ("application/vnd.ms-excel", lambda data: data.startswith(_OLE)),
    "ppt": ("application/vnd.ms-powerpoint", lambda data: data.startswith(_OLE)),
}
# Extensions per field type. Images, video and audio as H5P's editor offers them; "file"
# fields take the media types LearnLoop sniffs and the documents above.
FIELD_EXTENSIONS: dict[str, frozenset[str]] = {
    "image": frozenset({"png", "jpg", "jpeg", "gif", "svg", "webp"}),
    "video": frozenset({"mp4", "webm", "ogv"}),
    "audio": frozenset({"mp3", "wav", "ogg", "m4a"}),
    "file": frozenset(EXTENSION_TYPES) | frozenset(DOCUMENT_TYPES),
}
# The content folder of each field type (H5P core's).
FIELD_FOLDERS = {"image": "images", "video": "videos", "audio": "audios", "file": "files"}
TEMP_FILES_URL = "/h5p/temp"
_UNSAFE_NAME_CHARACTERS = re.compile(r"[^A-Za-z0-9_-]+")
MAX_FIELD_JSON = 64 * 1024


@dataclass(frozen=True)
class EditorUpload:
    filename: str  # as the browser sent it
    data: bytes
    field_json: str
    content_id: str | None


def parse_field(field_json: str) -> dict[str, Any]:
    """The ``field`` part: the semantics of the field the file is for."""
    if "\x00" in field_json:
        raise InvalidMedia("field must not contain NUL characters")
    if len(field_json) > MAX_FIELD_JSON:
        raise InvalidMedia("field is too long")
    try:
        field = safe_json.loads(field_json)
    except ValueError as exc:
        raise InvalidMedia(f"field is not valid JSON: {exc}") from exc
    if not isinstance(field, dict) or field.get("type") not in FIELD_EXTENSIONS:
        raise InvalidMedia(
            "field must be the JSON semantics of an image, video, audio or file field"
        )
    return field


def check_document(data: bytes, extension: str) -> CheckedMedia:
    mime, looks_right = DOCUMENT_TYPES[extension]
    if not data:
        raise InvalidMedia("The file is empty")
    if not looks_right(data):
        raise InvalidMedia(f"The file's content is not a .{extension} file")
    return CheckedMedia(data=data, content_type=mime, sniffed=mime)


def stored_name(original: str, extension: str) -> str:
    """``My photo.PNG`` → ``My-photo-3f9a1c2b.png``: safe characters and a random part, so
    uploads never overwrite each other and the name is not guessable."""
    stem = original.rsplit(".", 1)[0] if "." in original else original
    slug = _UNSAFE_NAME_CHARACTERS.sub("-", stem).strip("-_")[:40] or "file"
    return f"{slug}-{secrets.token_hex(4)}.{extension}"


def upload_editor_file(
    session: Session,
    settings: Settings,
    storage: FileStorage,
    user: User,
    upload: EditorUpload,
) -> UploadedFileOut:
    field = parse_field(upload.field_json)
    if upload.content_id is not None:
        content_service.owned_content(session, user, upload.content_id)
    if "\x00" in upload.filename:
        raise InvalidMedia("The file name must not contain NUL characters")
    if len(upload.data) > settings.h5p_media_max_bytes:
        raise MediaTooLarge(
            f"The file is larger than the limit of {settings.h5p_media_max_bytes} bytes"
        )
    kind = str(field["type"])
    extension = upload.filename.rsplit(".", 1)[-1].lower() if "." in upload.filename else ""
    allowed = FIELD_EXTENSIONS[kind]
    if extension not in allowed:
        raise InvalidMedia(
            f"A {kind} field takes {', '.join(sorted(allowed))} files, not .{extension or '?'}"
        )
    name = stored_name(upload.filename, extension)
    if extension in DOCUMENT_TYPES:
        checked = check_document(upload.data, extension)
    else:
        checked = check_media(upload.data, name, allowed)
    store_temp_media(session, storage, settings, user, name, checked)
    size = image_size(checked.data, checked.content_type) if kind == "image" else None
    return UploadedFileOut(
        path=f"{FIELD_FOLDERS[kind]}/{name}#tmp",
        mime=checked.content_type,
        width=size.width if size else None,
        height=size.height if size else None,
        url=f"{TEMP_FILES_URL}/{user.id}/{name}",
    )
