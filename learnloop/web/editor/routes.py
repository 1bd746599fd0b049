"""``/h5p/editor/new`` and ``/h5p/editor/{id}``: pages that host the form engine
(``static/editor/engine.js``). The page only names what to open; the engine fetches the
editor model (``GET /h5p/new`` or ``/h5p/edit/{id}``) and the ``/h5p/ajax`` endpoints, and
saves through ``POST``/``PUT /h5p/content`` as the API's own clients do.

Teachers and admins only (the content write routes' rule); opening existing content
needs the same ownership as saving it (``owned_content``: 403, or 404 for another
teacher's private content).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from learnloop.deps import SessionDep, SettingsDep
from learnloop.h5p import content as content_service
from learnloop.web.editor.views import editor_headers
from learnloop.web.layout import PageRoute, TeacherPage, render

router = APIRouter(tags=["pages"], include_in_schema=False, route_class=PageRoute)

ContentId = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]
Language = Annotated[str, Query(max_length=10, pattern=r"^[-a-zA-Z]{1,10}$")]


@router.get("/h5p/editor/new")
def new_content_page(
    request: Request, user: TeacherPage, settings: SettingsDep, language: Language = "en"
) -> Response:
    response = render(
        request,
        "editor/editor.html",
        {"content": None, "language": language},
        user=user,
    )
    response.headers.update(editor_headers(settings))
    return response


@router.get("/h5p/editor/{content_id}")
def edit_content_page(
    content_id: ContentId,
    request: Request,
    user: TeacherPage,
    session: SessionDep,
    settings: SettingsDep,
    language: Language = "en",
) -> Response:
    content = content_service.owned_content(session, user, content_id)
    response = render(
        request,
        "editor/editor.html",
        {"content": content, "language": language},
        user=user,
    )
    response.headers.update(editor_headers(settings))
    return response
