"""Serving stored files with byte ranges (RFC 9110 §14), content types and caching.

Library files never change for a given version folder, so they are cached for a year
and marked immutable; content and temporary files are revalidated. Every response has
``X-Content-Type-Options: nosniff``, a ``sandbox`` policy (every file here was uploaded
by someone, see :mod:`learnloop.files_origin`) and, being under ``/h5p/``, may be framed
anywhere (``frame-ancestors *``) as the reference allows for embedding.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response, StreamingResponse

from learnloop.errors import AppError
from learnloop.files_origin import UPLOADED_FILE_HEADERS
from learnloop.storage import FileStorage, InvalidStorageKey, StoredFileNotFound
from learnloop.storage.selection import presigned_url

LIBRARY_CACHE = "public, max-age=31536000, immutable"
PRIVATE_CACHE = "private, no-cache"
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")

CONTENT_TYPES = {
    "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "json": "application/json",
    "svg": "image/svg+xml",
    "woff": "font/woff",
    "woff2": "font/woff2",
    "ttf": "font/ttf",
    "otf": "font/otf",
    "eot": "application/vnd.ms-fontobject",
    "mp4": "video/mp4",
    "webm": "video/webm",
    "ogg": "audio/ogg",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "wav": "audio/wav",
    "vtt": "text/vtt; charset=utf-8",
    "webvtt": "text/vtt; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "md": "text/plain; charset=utf-8",
    "html": "text/plain; charset=utf-8",  # never rendered as a page from our origin
    "htm": "text/plain; charset=utf-8",
}

FRAME_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "frame-ancestors *",
}


class RangeNotSatisfiable(AppError):
    status_code = 416
    code = "range-not-satisfiable"


def content_type_for(key: str) -> str:
    extension = key.rsplit(".", 1)[-1].lower() if "." in key.rsplit("/", 1)[-1] else ""
    if extension in CONTENT_TYPES:
        return CONTENT_TYPES[extension]
    guessed, _ = mimetypes.guess_type(key)
    return guessed or "application/octet-stream"


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """One ``bytes=`` range, or None for the whole file (absent, multiple or malformed)."""
    if not header:
        return None
    match = RANGE.match(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":
        suffix = int(last)
        if suffix == 0:
            raise RangeNotSatisfiable(
                "Range not satisfiable", headers={"Content-Range": f"bytes */{size}"}
            )
        return ByteRange(max(0, size - suffix), size - 1)
    start = int(first)
    end = size - 1 if last == "" else min(int(last), size - 1)
    if start >= size or start > end:
        raise RangeNotSatisfiable(
            "Range not satisfiable", headers={"Content-Range": f"bytes */{size}"}
        )
    return ByteRange(start, end)


def file_response(
    request: Request,
    storage: FileStorage,
    key: str,
    cache_control: str,
    *,
    shared_cross_origin: bool = False,
) -> Response:
    """Serve ``key`` sandboxed. ``shared_cross_origin`` adds ``Access-Control-Allow-Origin:
    *`` for files any page may read without credentials (fonts and JSON the player fetches
    from a separate files origin)."""
    try:
        size = storage.size(key)
    except (StoredFileNotFound, InvalidStorageKey):
        raise StoredFileNotFound("File not found") from None
    headers = {
        **UPLOADED_FILE_HEADERS,
        "Accept-Ranges": "bytes",
        "Cache-Control": cache_control,
    }
    if shared_cross_origin:
        headers["Access-Control-Allow-Origin"] = "*"
    media_type = content_type_for(key)
    redirect = _presigned_redirect(request, storage, key)
    if redirect is not None:
        return redirect
    byte_range = parse_range(request.headers.get("range"), size)
    if request.method == "HEAD":
        headers["Content-Length"] = str(size)
        return Response(status_code=200, headers=headers, media_type=media_type)
    if byte_range is None:
        headers["Content-Length"] = str(size)
        return StreamingResponse(storage.iter_range(key), headers=headers, media_type=media_type)
    headers["Content-Range"] = f"bytes {byte_range.start}-{byte_range.end}/{size}"
    headers["Content-Length"] = str(byte_range.end - byte_range.start + 1)
    return StreamingResponse(
        storage.iter_range(key, byte_range.start, byte_range.end),
        status_code=206,
        headers=headers,
        media_type=media_type,
    )


def _presigned_redirect(request: Request, storage: FileStorage, key: str) -> Response | None:
    """With ``LEARNLOOP_S3_PRESIGNED_REDIRECTS`` a GET that passed its access checks is
    sent to a short-lived presigned URL on the object store (another origin, so no
    sandbox header is needed), which then serves the bytes and byte ranges itself."""
    settings = request.app.state.settings
    if request.method != "GET" or not settings.s3_presigned_redirects:
        return None
    url = presigned_url(storage, key, settings.s3_presigned_url_seconds)
    if url is None:
        return None
    return Response(
        status_code=307, headers={"Location": url, "Cache-Control": "private, no-store"}
    )
