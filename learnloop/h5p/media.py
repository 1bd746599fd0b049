"""Media uploads to a per-user temporary area and attaching them to content.

Past the reference: the type is sniffed from the bytes (never trusted from the client),
it must be on H5P's content allow-list and agree with the file name's extension, SVGs
are sanitised, only the content's owner may attach, and files missing from the temporary
area are reported instead of silently skipped.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from learnloop.auth.models import User
from learnloop.config import Settings
from learnloop.h5p.content import content_prefix, owned_content
from learnloop.h5p.errors import InvalidMedia, MediaNotFound, MediaTooLarge
from learnloop.h5p.storage_quota import ensure_storage_quota, ensure_temp_capacity
from learnloop.h5p.svg import UnsafeSvg, sanitize_svg
from learnloop.h5p.temp_files import record_temp_file
from learnloop.storage import FileStorage

SAFE_FILENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,99}$")
MEDIA_TYPES = ("images", "videos", "audios", "files")

# extension -> MIME type, for the extensions on H5P's content allow-list we can sniff.
EXTENSION_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "svg": "image/svg+xml",
    "webp": "image/webp",
    "mp4": "video/mp4",
    "webm": "video/webm",
    "ogg": "audio/ogg",
    "ogv": "video/ogg",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "wav": "audio/wav",
    "pdf": "application/pdf",
}
# Containers the magic numbers cannot tell apart: an Ogg file sniffs as audio/ogg whether
# it holds a video (.ogv) or only sound.
SNIFFED_AS = {"video/ogg": "audio/ogg"}


def sniff_type(data: bytes) -> str | None:
    """The MIME type the bytes actually are (magic numbers), or None if not recognised."""
    head = data[:64]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"BM"):
        return "image/bmp"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"\x1aE\xdf\xa3"):
        return "video/webm"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        return "audio/mp4" if brand.startswith(b"M4A") else "video/mp4"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    text = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith((b"<?xml", b"<svg", b"<!--")) and b"<svg" in data[:4096]:
        return "image/svg+xml"
    return None


def temp_prefix(user: User) -> str:
    return f"temp/{user.id}"


def check_filename(filename: str) -> str:
    if not SAFE_FILENAME.match(filename) or ".." in filename:
        raise InvalidMedia(
            f"Invalid file name {filename!r}: use letters, digits, '.', '_' and '-' only"
        )
    return filename


@dataclass(frozen=True)
class UploadedMedia:
    key: str
    filename: str
    size: int
    content_type: str


def upload_media(
    session: Session,
    storage: FileStorage,
    settings: Settings,
    user: User,
    filename: str,
    data_base64: str,
    declared_type: str | None,
) -> UploadedMedia:
    """Store an upload in ``user``'s temporary area, within the temporary-area cap and the
    storage quota (413 otherwise, nothing written); it expires unless attached."""
    max_bytes = settings.h5p_media_max_bytes
    check_filename(filename)
    if len(data_base64) > (max_bytes * 4) // 3 + 8:
        raise MediaTooLarge(f"The file is larger than the limit of {max_bytes} bytes")
    try:
        data = base64.b64decode(data_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidMedia("data is not valid base64") from exc
    if len(data) > max_bytes:
        raise MediaTooLarge(f"The file is larger than the limit of {max_bytes} bytes")
    checked = check_media(data, filename, frozenset(EXTENSION_TYPES))
    if declared_type is not None and declared_type.split(";")[0].strip().lower() != checked.sniffed:
        raise InvalidMedia(
            f"contentType {declared_type} does not match the file ({checked.sniffed})"
        )
    return store_temp_media(session, storage, settings, user, filename, checked)


@dataclass(frozen=True)
class CheckedMedia:
    data: bytes  # sanitised for SVG
    content_type: str  # the type the file name's extension stands for
    sniffed: str  # the type the bytes are


def check_media(data: bytes, filename: str, allowed_extensions: frozenset[str]) -> CheckedMedia:
    """The upload checks shared by media upload and the editor's ``files`` action: a
    non-empty file whose extension is allowed and whose bytes are that type; SVGs come
    back sanitised. :class:`InvalidMedia` (400) otherwise."""
    if not data:
        raise InvalidMedia("The file is empty")
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    expected = EXTENSION_TYPES.get(extension)
    if expected is None or extension not in allowed_extensions:
        raise InvalidMedia(f"Files of type .{extension or '?'} cannot be uploaded here")
    sniffed = sniff_type(data)
    if sniffed is None or sniffed != SNIFFED_AS.get(expected, expected):
        raise InvalidMedia(
            f"The file's content ({sniffed or 'unrecognised'}) does not match its name {filename}"
        )
    if sniffed == "image/svg+xml":
        try:
            data = sanitize_svg(data)
        except UnsafeSvg as exc:
            raise InvalidMedia(f"The SVG cannot be used: {exc}") from exc
    return CheckedMedia(data=data, content_type=expected, sniffed=sniffed)


def store_temp_media(
    session: Session,
    storage: FileStorage,
    settings: Settings,
    user: User,
    filename: str,
    checked: CheckedMedia,
) -> UploadedMedia:
    """Put checked bytes in ``user``'s temporary area within the temporary-area cap and
    the storage quota (413 otherwise, nothing written)."""
    check_filename(filename)
    data = checked.data
    ensure_temp_capacity(session, user, settings, filename, len(data))
    record_temp_file(session, settings, user, filename, len(data))
    key = f"{temp_prefix(user)}/{filename}"
    storage.put_bytes(key, data)
    return UploadedMedia(key=key, filename=filename, size=len(data), content_type=checked.sniffed)


def attach_media(
    session: Session,
    storage: FileStorage,
    settings: Settings,
    user: User,
    content_id: str,
    filenames: list[str],
    media_type: str,
) -> list[str]:
    """Copy files from the user's temporary area into the content; all or none. The
    copies count against the storage quota as the content's files."""
    content = owned_content(session, user, content_id)
    if media_type not in MEDIA_TYPES:
        raise InvalidMedia(f"mediaType must be one of {', '.join(MEDIA_TYPES)}")
    for filename in filenames:
        check_filename(filename)
    missing = [name for name in filenames if not storage.exists(f"{temp_prefix(user)}/{name}")]
    if missing:
        raise MediaNotFound(f"Not found in your uploads: {', '.join(missing)}")
    sizes = [storage.size(f"{temp_prefix(user)}/{name}") for name in filenames]
    ensure_storage_quota(session, user, settings, sum(sizes))
    content.files_bytes += sum(sizes)
    session.flush()
    attached = []
    for filename in filenames:
        data = storage.get_bytes(f"{temp_prefix(user)}/{filename}")
        storage.put_bytes(f"{content_prefix(content_id)}/{media_type}/{filename}", data)
        attached.append(filename)
    return attached
