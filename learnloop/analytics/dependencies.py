from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from learnloop.analytics.csv_export import wants_csv
from learnloop.errors import BadRequest

ROSTER_MEDIA_TYPES = ("text/csv", "text/plain", "application/csv", "application/octet-stream")


async def csv_requested(request: Request) -> bool:
    return wants_csv(request)


async def roster_text(request: Request) -> str:
    """A roster as a ``text/csv`` body or as the ``file`` field of a multipart form."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise BadRequest("Send the roster as the 'file' field of the form")
        data = await upload.read()
    elif content_type in ROSTER_MEDIA_TYPES:
        data = await request.body()
    else:
        raise BadRequest("Send the roster as text/csv or as a multipart form with a 'file' field")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest("The roster must be UTF-8 text") from exc


WantsCsv = Annotated[bool, Depends(csv_requested)]
RosterText = Annotated[str, Depends(roster_text)]
